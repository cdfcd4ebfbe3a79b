"""Train a GAN recipe on MNIST, Fashion-MNIST or a folder of images and leave grids, loss curves, checkpoints
and a summary.

    kerasgan train                          # the default: a good MNIST GAN in about 9 CPU minutes
    kerasgan train --data my_images --image-size 32 --recipe dcgan-mnist   # your own images, in colour
    kerasgan train --recipe keras-gan-mnist # the Keras article, its train_on_batch loop
    kerasgan train --resume runs/default    # continue a run that was stopped or killed

(``python scripts/train.py`` in a checkout runs the same.)
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kerasgan.cli import add_image_options, positive_int, quiet_backend
from kerasgan.data import DATASETS, TFDS_PREFIX, is_tfds
from kerasgan.errors import UserError
from kerasgan.recipes import Recipe, recipe_names
from kerasgan.training.checkpoint import CHECKPOINT_INTERVAL_STEPS
from kerasgan.training.distribute import STRATEGIES

if TYPE_CHECKING:
    from kerasgan.run_folder import RunFolder
    from kerasgan.settings import RunSettings
DEFAULT_SEED = 0
MIN_EVAL_SAMPLES = 5  # the evaluation's k-nearest-neighbour metrics need k + 2 images


def eval_sample_count(text: str) -> int:
    """argparse type: 0 (no evaluation) or at least ``MIN_EVAL_SAMPLES``."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value != 0 and value < MIN_EVAL_SAMPLES:
        raise argparse.ArgumentTypeError(f"expected 0 (skip) or at least {MIN_EVAL_SAMPLES} samples, got '{text}'")
    return value


def dataset_name(text: str) -> str:
    """argparse type: a built-in data set or ``tfds:NAME`` (a tfds set prepared under ``TFDS_DATA_DIR``)."""
    if text in DATASETS or is_tfds(text):
        return text
    raise argparse.ArgumentTypeError(f"invalid choice: '{text}' (choose from {', '.join(DATASETS)}, or "
                                     f"{TFDS_PREFIX}NAME for a data set prepared under TFDS_DATA_DIR)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``kerasgan train`` and ``scripts/train.py``."""
    parser.add_argument("--recipe", choices=recipe_names(Recipe), metavar="NAME",
                        help=f"named settings ({', '.join(recipe_names(Recipe))}); default: default, or folder "
                             "with --data")
    parser.add_argument("--dataset", type=dataset_name, metavar="NAME",
                        help=f"override the recipe's dataset: {', '.join(DATASETS)}, or {TFDS_PREFIX}NAME, the train "
                             "split of any tensorflow_datasets set already prepared under TFDS_DATA_DIR (never "
                             "downloaded; e.g. tfds:cifar10)")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--steps", type=positive_int, help="iterations (single batches), the Keras articles' 'epochs'")
    length.add_argument("--epochs", type=positive_int, help="real passes over the training set")
    parser.add_argument("--batch-size", type=positive_int, help="global batch (split between devices)")
    parser.add_argument("--sample-interval", type=positive_int, help="iterations between sample grids")
    parser.add_argument("--loop", choices=("fast", "parity"),
                        help="'fast': compiled GAN.fit; 'parity': the articles' train_on_batch loop")
    parser.add_argument("--out", type=Path, help="run folder (default: runs/RECIPE, numbered if taken)")
    parser.add_argument("--resume", nargs="?", const=True, metavar="RUN_DIR",
                        help="continue RUN_DIR (or --out) from its last checkpoint, with its saved settings")
    parser.add_argument("--overwrite", action="store_true",
                        help="reuse an existing --out folder: delete what kerasgan wrote there (refuses if it "
                             "holds other files)")
    parser.add_argument("--checkpoint-interval", type=positive_int, metavar="STEPS",
                        help=f"steps between checkpoints (fast loop); default: {CHECKPOINT_INTERVAL_STEPS}")
    parser.add_argument("--seed", type=int, help=f"seeds weights, noise and data order; default: {DEFAULT_SEED}")
    parser.add_argument("--deterministic", action="store_true",
                        help="TensorFlow op determinism (kept on resume): same seed, same weights, bit for bit, "
                             "also on GPU")
    parser.add_argument("--strategy", choices=STRATEGIES, default="default",
                        help="'mirrored': all local GPUs; 'multi-worker': several machines on TensorFlow (TF_CONFIG); "
                             "'multi-process': several processes or machines on JAX (--coordinator, "
                             "--num-processes, --process-id); default: one device")
    parser.add_argument("--coordinator", metavar="HOST:PORT",
                        help="--strategy multi-process: where process 0 listens (the same on every process)")
    parser.add_argument("--num-processes", type=positive_int, metavar="N",
                        help="--strategy multi-process: how many processes train the run")
    parser.add_argument("--process-id", type=int, metavar="I",
                        help="--strategy multi-process: this process, 0 to N-1 (0 writes the run folder)")
    parser.add_argument("--eval-samples", type=eval_sample_count, default=10000, metavar="N",
                        help="generated samples scored at the end (FD, coverage, ...); 0 skips; default: %(default)s")
    parser.add_argument("--data-dir", type=Path, help="folder with the original MNIST IDX .gz files")
    parser.add_argument("--data", type=Path, metavar="DIR|FILE",
                        help="train on a folder of images (png, jpg, bmp, gif, webp; two or more subfolders are "
                             "classes), or on an .npy/.npz file of uint8 images (N, H, W[, C]) (.npz: 'images' or "
                             "'x', optional 'labels' or 'y' and 'class_names'), instead of the recipe's data set")
    add_image_options(parser, "--data or --dataset tfds:NAME: ")
    parser.add_argument("--allow-data-change", action="store_true",
                        help="--resume even though the images changed since the run began (same shape and classes); "
                             "said once, not saved with the run")
    parser.add_argument("--diff-augment", metavar="TRANSFORMS",
                        help="DiffAugment before D: comma-separated color, translation, cutout, or none; default: "
                             "the recipe's (on in the folder recipes)")
    parser.add_argument("--no-progress", action="store_true", help="no progress lines")


def processes_option(args: argparse.Namespace):
    """``--coordinator``, ``--num-processes`` and ``--process-id`` as one
    :class:`~kerasgan.training.distribute.Processes`, for ``--strategy multi-process`` only; ``None`` elsewhere."""
    from kerasgan.training.distribute import Processes

    given = [option for option, value in (("--coordinator", args.coordinator), ("--num-processes", args.num_processes),
                                          ("--process-id", args.process_id)) if value is not None]
    if args.strategy != "multi-process":
        if given:
            raise UserError(f"{', '.join(given)}: for --strategy multi-process only")
        return None
    if len(given) < 3:
        raise UserError("--strategy multi-process needs --coordinator HOST:PORT, --num-processes N and --process-id I")
    if not 0 <= args.process_id < args.num_processes:
        raise UserError(f"--process-id {args.process_id} is not one of 0 to {args.num_processes - 1}")
    if ":" not in args.coordinator:
        raise UserError(f"--coordinator {args.coordinator}: expected HOST:PORT")
    return Processes(args.coordinator, args.num_processes, args.process_id)


def resume_folder(args) -> Path | None:
    """The run folder to resume: ``--resume RUN_DIR``, or ``--out RUN_DIR --resume``; ``None`` for a new run."""
    if args.resume is None:
        return None
    if args.resume is True:
        if args.out is None:
            raise UserError("--resume needs a run folder: --resume RUN_DIR")
        return args.out
    if args.out is not None and Path(args.resume) != args.out:
        raise UserError(f"--resume {args.resume} and --out {args.out} name different folders")
    if args.overwrite:
        raise UserError("--resume and --overwrite exclude each other")
    return Path(args.resume)


def run_settings(args: argparse.Namespace, resumed: RunFolder | None) -> RunSettings:
    """The run's settings from the options: a new run's, or those saved in the ``resumed`` folder with what the
    options may change there (the length, the checkpoint interval, determinism)."""
    from kerasgan.recipes import get_recipe
    from kerasgan.settings import RunSettings

    check_folder_options(args, resumed is not None)
    overrides = dict(dataset=args.dataset, steps=args.steps, epochs=args.epochs, batch_size=args.batch_size,
                     sample_interval=args.sample_interval, loop=args.loop, diff_augment=diff_augment_option(args),
                     image_size=args.image_size)
    run_only = dict(eval_samples=args.eval_samples, progress=not args.no_progress, data_dir=args.data_dir,
                    allow_data_change=args.allow_data_change)
    if resumed is not None:
        return resumed.resume_settings(args.recipe, overrides, args.seed, args.checkpoint_interval, args.deterministic,
                                       **run_only)
    recipe = get_recipe(args.recipe or ("folder" if args.data else "default"), Recipe).replace(**overrides)
    if recipe.image_size and args.data is None and not is_tfds(recipe.dataset):
        raise UserError(f"recipe '{recipe.name}' trains on a folder of images: add --data DIR")
    return RunSettings(recipe,
                       seed=DEFAULT_SEED if args.seed is None else args.seed,
                       checkpoint_interval_steps=args.checkpoint_interval or CHECKPOINT_INTERVAL_STEPS,
                       deterministic=args.deterministic, data_folder=args.data and args.data.resolve(),
                       channels=args.channels, background=args.background or "white", **run_only)


def diff_augment_option(args: argparse.Namespace) -> str | None:
    """``--diff-augment`` as the recipe stores it ("" for none), checked; ``None`` when it was not given."""
    from kerasgan.diff_augment import parse_policy

    return None if args.diff_augment is None else ",".join(parse_policy(args.diff_augment))


def check_folder_options(args: argparse.Namespace, resuming: bool) -> None:
    """The folder options go with ``--data`` (or ``--dataset tfds:NAME``), ``--data`` and ``--dataset`` name one
    data set between them, a resumed run keeps the images it began with, and ``--allow-data-change`` goes with
    ``--resume``."""
    given = [option for option, value in (("--data", args.data), ("--image-size", args.image_size),
                                          ("--channels", args.channels), ("--background", args.background))
             if value is not None]
    if resuming and given:
        raise UserError(f"{', '.join(given)}: a resumed run keeps the images it began with (leave them out)")
    if args.data is not None and args.dataset is not None:
        raise UserError(f"--data {args.data} and --dataset {args.dataset} name two data sets: give one")
    if given and args.data is None and not is_tfds(args.dataset):
        raise UserError(f"{', '.join(given)} {'needs' if len(given) == 1 else 'need'} --data DIR or "
                        f"--dataset {TFDS_PREFIX}NAME")
    if args.allow_data_change and not resuming:
        raise UserError("--allow-data-change goes with --resume RUN_DIR (a new run has no data to compare)")


def check_labels(recipe, data) -> None:
    """A recipe whose GAN trains on labels needs images in two or more classes."""
    from kerasgan.gans import IMAGES, family_class

    family = family_class(recipe.architecture)
    if family.batch_format != IMAGES and data.num_classes < 2:
        how = {"array": "save its labels in the .npz as 'labels' (and 'class_names')",
               "tfds": "it has no 'label' feature"}.get(data.source, "put each class in a subfolder of its own")
        raise UserError(f"recipe '{recipe.name}' trains a {family.__name__} on labelled images, but {data.name} is "
                        f"unlabelled ({how})")


def check_same_data(resumed: RunFolder | None, settings: RunSettings, data) -> None:
    """A resumed run must train on the images it began with: data whose fingerprint changed is refused, saying what
    changed (a folder: how many files were added, removed and changed), unless ``--allow-data-change`` (run-only)
    lets it go on, which it says once. Images of another shape or other classes are refused either way."""
    saved = settings.data
    if resumed is None or saved is None or not saved.fingerprint or saved.fingerprint == data.fingerprint:
        return
    what = data_change(settings, saved, data)
    if saved.image_shape != data.image_shape:
        raise UserError(f"cannot resume {resumed}: {what}, and its images are now "
                        f"{'x'.join(map(str, data.image_shape))}, not {'x'.join(map(str, saved.image_shape))}")
    if saved.class_names != data.class_names:
        raise UserError(f"cannot resume {resumed}: {what}, and its classes are now "
                        f"{', '.join(data.class_names or ['none'])}, not {', '.join(saved.class_names or ['none'])}")
    if not settings.allow_data_change:
        raise UserError(f"cannot resume {resumed}: {what} (--allow-data-change goes on with the data as it is now)")
    print(f"the data changed: {what}; going on with it as it is now (--allow-data-change)")


def data_change(settings: RunSettings, saved, data) -> str:
    """What changed in a resumed run's data, in words ("the files in DIR changed since the run began: 2 files
    added, 1 removed, 0 changed")."""
    from kerasgan.data import is_array_file
    from kerasgan.image_folder import folder_changes

    where = settings.data_folder
    if where is None:
        return f"the prepared {data.name} changed since the run began (fingerprint {saved.fingerprint}, now " \
               f"{data.fingerprint})"
    if is_array_file(where):
        return f"the file {where} changed since the run began (SHA-256 {saved.fingerprint}..., now " \
               f"{data.fingerprint}...)"
    counts = folder_changes(where, saved.fingerprint)
    return (f"the files in {where} changed since the run began: {counts}" if counts else
            f"the files in {where} changed since the run began (fingerprint {saved.fingerprint}, now "
            f"{data.fingerprint}; the list of the files it began with is no longer in the cache)")


def run(args: argparse.Namespace) -> None:
    """Check the arguments, train the recipe into its run folder and say where everything went."""
    from kerasgan.training.stopping import training_begins

    resume_path = resume_folder(args)
    processes = processes_option(args)
    training_begins()
    quiet_backend()
    from kerasgan.data import load_training_data
    from kerasgan.recipes import changed_settings
    from kerasgan.run import check_loop, train_recipe
    from kerasgan.run_folder import RunFolder
    from kerasgan.training.distribute import is_chief, make_strategy, replica_count, worker_name

    resumed = None if resume_path is None else RunFolder(resume_path)
    settings = run_settings(args, resumed)
    recipe = settings.recipe
    strategy = None if args.strategy == "default" else make_strategy(args.strategy, processes)
    check_loop(recipe, resumed is not None, strategy)
    x_train, y_train, data, notes = load_training_data(settings)
    check_labels(recipe, data)
    check_same_data(resumed, settings, data)
    settings = settings.replace(data=data)
    folder = resumed or (RunFolder(args.out) if args.out else RunFolder.next_free(Path("runs") / recipe.name))
    chief = is_chief(strategy)
    if resumed is None and chief:
        folder.prepare(overwrite=args.overwrite)
    print(f"recipe '{recipe.name}': {recipe.description}")
    for note in notes:
        print(f"{settings.data_folder}: {note}")
    if changes := changed_settings(recipe):
        print(f"changed here: {', '.join(changes)}")
    print(f"{'resuming' if resumed else 'writing to'} {folder}/" if chief else
          f"{'resuming' if resumed else 'training'} as a {worker_name(strategy)}; the chief writes {folder}/")
    if strategy is not None:
        print(f"strategy '{args.strategy}': {replica_count(strategy)} devices share each batch of {recipe.batch_size}"
              + (f" (process {processes.index} of {processes.count})" if processes else ""))
    summary = train_recipe(settings, folder, x_train, y_train, strategy, resume=resumed is not None)
    print(f"trained {summary['steps']} steps in {summary['train_wall_time_s']:.0f} s")
    if not chief:
        return
    print(f"sample grids:  {folder / 'images'}/")
    print(f"loss curves:   {folder / 'losses.png'}, {folder / 'losses.csv'}")
    print(f"generator:     {folder / 'generator.keras'}")
    print(f"summary:       {folder / 'summary.json'}")
    evaluation = summary.get("evaluation")
    if evaluation and "test_accuracy" in evaluation:
        print(f"classifier:    {folder / 'classifier.keras'}, test accuracy {evaluation['test_accuracy']:.4f} "
              f"on {evaluation['test_size']:,} real test images")
    elif evaluation:
        from kerasgan.evaluation import format_table

        print(format_table(evaluation))
    if evaluation:
        print(f"evaluation:    {folder / 'evaluation.json'}")

