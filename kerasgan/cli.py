"""What every script shares: a quiet TensorFlow import, one-line errors with exit code 2, argument types."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from kerasgan.errors import TrainingFailed, UserError


def quiet_tensorflow() -> None:
    """Import TensorFlow and Keras with their C++ start-up log lines (CUDA, oneDNN) sent to /dev/null.

    ``TF_CPP_MIN_LOG_LEVEL`` alone no longer silences them in TF 2.21 (they are logged before absl is
    initialised), so standard error is redirected at the file-descriptor level for the import only.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
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


def run_main(main: Callable[[], object]) -> None:
    """Run a script's ``main``: user errors become one line and exit code 2, a failed training run one line
    and exit code 1 (:class:`~kerasgan.errors.TrainingFailed`, e.g. a NaN loss), Ctrl-C exits 130."""
    try:
        main()
    except UserError as error:
        die(str(error))
    except TrainingFailed as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
