"""The ``kerasgan`` command (``train``, ``sample``, ``evaluate``, ``classify``, ``train-evaluator``) and what its
subcommands and the scripts share: a quiet TensorFlow import, one-line errors with exit code 2, argument types.

Each subcommand is a module of :mod:`kerasgan.commands` with ``add_arguments(parser)`` and ``run(args)``;
``kerasgan NAME`` and ``python scripts/NAME.py`` both parse with it and run it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Callable, Iterator

from kerasgan.errors import RunStopped, TrainingFailed, UserError, WorkerLost


def quiet_backend() -> None:
    """Import Keras and its backend with their C++ start-up log lines (CUDA, oneDNN, XLA) sent to /dev/null.

    ``TF_CPP_MIN_LOG_LEVEL`` alone no longer silences TensorFlow's in TF 2.21 (they are logged before absl is
    initialised), so standard error is redirected at the file-descriptor level for the imports only. TensorFlow
    is imported with another backend too, wherever it is installed, and its devices looked up: Keras'
    ``set_random_seed`` and the TensorBoard images import it anyway, and its first device lookup would log a CUDA
    error line on a machine without a GPU.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "keras" in sys.modules:
        return
    with start_up_lines_hidden():
        try:
            import keras

            importlib.import_module(keras.config.backend())
        except ModuleNotFoundError as error:
            raise UserError(f"the Keras backend '{error.name}' is not installed (pip install {error.name}, or set "
                            f"KERAS_BACKEND to an installed one: tensorflow, jax or torch)") from None
        if keras.config.backend() != "tensorflow" and importlib.util.find_spec("tensorflow") is not None:
            import tensorflow as tf

            tf.config.list_logical_devices()  # not on TensorFlow: a multi-worker strategy must come first there


@contextlib.contextmanager
def start_up_lines_hidden() -> Iterator[None]:
    """Standard error goes to /dev/null at the file-descriptor level (C++ writes there too) for the block: an
    import that logs before anything can silence it (TensorFlow's, also when another backend imports it for
    TensorBoard)."""
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)


def die(message: str) -> None:
    """Print ``error: message`` on one line to standard error and exit with code 2."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line (``error: ...``), not usage plus error."""

    def error(self, message: str) -> None:
        die(message)


def positive_int(text: str) -> int:
    """argparse type: an integer greater than zero."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'")
    return value


def add_image_options(parser: argparse.ArgumentParser, applies_to: str) -> None:
    """``--image-size``, ``--channels`` and ``--background``: how the images of a folder, an array file or a tfds
    set are read (the same three words in every command that reads them); ``applies_to`` starts each help."""
    parser.add_argument("--image-size", type=positive_int, metavar="N",
                        help=f"{applies_to}crop each image to its centre square and resize it to N x N; default: the "
                             "recipe's size, else the images' own")
    parser.add_argument("--channels", type=int, choices=(1, 3, 4),
                        help=f"{applies_to}1 grey, 3 RGB, 4 RGB with alpha; default: a folder's are grey if every "
                             "image is, else RGB; arrays keep their own")
    parser.add_argument("--background", choices=("white", "black"),
                        help=f"{applies_to}what transparent pixels are laid on (unless --channels 4); default: white")


def generator_file(path: Path) -> Path:
    """The generator .keras file a path names: the file itself or <folder>/generator.keras."""
    candidate = path / "generator.keras" if path.is_dir() else path
    if not candidate.is_file():
        raise UserError(f"no generator found at {candidate} (pass a run folder with generator.keras or a .keras file)")
    return candidate


def run_dataset(path: Path, requested: str | None) -> str:
    """``--dataset`` when given, else the dataset of the run folder a path is in (its config.json), else MNIST."""
    if requested:
        return requested
    from kerasgan.run_folder import RunFolder

    folder = RunFolder(path if path.is_dir() else path.parent)
    try:
        return json.loads(folder.config.read_text()).get("dataset", "mnist")
    except (OSError, ValueError, AttributeError):
        return "mnist"


def check_output_file(path: Path | None, suffix: str, option: str) -> None:
    """An output file must have the right suffix and a writable folder; checked before any work is done."""
    if path is None:
        return
    if path.suffix.lower() != suffix:
        raise UserError(f"{option} {path} must end in {suffix}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or path.is_dir():
        raise UserError(f"{option} {path} cannot be written")


def check_json_path(path: Path | None, option: str) -> None:
    """A results file to write (its folder is created when missing) must be a ``.json`` path, not a folder."""
    if path is not None and (path.is_dir() or path.suffix.lower() != ".json"):
        raise UserError(f"{option} {path} must be the path of a .json file")


COMMANDS = ("train", "sample", "evaluate", "classify", "train-evaluator")


def command_module(name: str):
    """The module of one subcommand (``kerasgan.commands.NAME``, a hyphen in NAME an underscore there)."""
    return importlib.import_module(f"kerasgan.commands.{name.replace('-', '_')}")


def describe(module) -> str:
    """A subcommand's one-line description: the first line of its module docstring."""
    return module.__doc__.strip().splitlines()[0]


def examples(module) -> str:
    """The rest of a subcommand's module docstring: its example command lines, shown after the options."""
    return "\n".join(module.__doc__.strip().splitlines()[1:]).strip("\n")


def command_parser(name: str, prog: str | None = None) -> ArgumentParser:
    """The parser of one subcommand, on its own (what ``scripts/NAME.py`` uses)."""
    module = command_module(name)
    parser = ArgumentParser(prog=prog, description=describe(module), epilog=examples(module),
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    module.add_arguments(parser)
    parser.set_defaults(run=module.run)
    return parser


def run_command(name: str, argv: list[str] | None = None) -> None:
    """Parse ``argv`` for one subcommand and run it with the one-line error contract (``scripts/NAME.py``)."""
    args = command_parser(name).parse_args(argv)
    run_main(lambda: args.run(args))


def build_parser() -> ArgumentParser:
    """``kerasgan`` and its subcommands."""
    parser = ArgumentParser(prog="kerasgan", description="Train, sample and evaluate the classic MNIST GANs on "
                                                         "Keras 3, from any folder.")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for name in COMMANDS:
        module = command_module(name)
        subparser = subcommands.add_parser(name, help=describe(module), description=describe(module),
                                           epilog=examples(module), formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(subparser)
        subparser.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> None:
    """The ``kerasgan`` console command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        sys.exit(2)
    run_main(lambda: args.run(args))


def run_main(main: Callable[[], object]) -> None:
    """Run a script's ``main``: user errors become one line and exit code 2, a failed training run one line
    and exit code 1 (:class:`~kerasgan.errors.TrainingFailed`, e.g. a NaN loss, or a lost worker, after which the
    process ends at once). SIGTERM and Ctrl-C stop a run after its running steps, with a checkpoint
    (:mod:`kerasgan.training.stopping`), one line, and exit code 143 or 130."""
    from kerasgan.training.stopping import stop_on_signals

    try:
        with stop_on_signals():
            main()
    except RunStopped as error:
        print(error, file=sys.stderr)
        sys.exit(error.exit_code)
    except UserError as error:
        die(str(error))
    except WorkerLost as error:
        print(f"error: {error}", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)  # a normal exit waits on TensorFlow's threads and pools that still expect the lost worker
    except TrainingFailed as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
