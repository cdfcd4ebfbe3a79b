"""Train a GAN recipe on MNIST or Fashion-MNIST and leave grids, loss curves, checkpoints and a summary.

    kerasgan train                          # the default: a good MNIST GAN in about 9 CPU minutes
    kerasgan train --recipe keras-gan-mnist # the Keras article, its train_on_batch loop
    kerasgan train --resume runs/default    # continue a run that was stopped or killed

(``python scripts/train.py`` in a checkout runs the same.)
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from kerasgan.cli import positive_int, quiet_backend
from kerasgan.data import DATASETS
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``kerasgan train`` and ``scripts/train.py``."""
    parser.add_argument("--recipe", choices=recipe_names(Recipe), metavar="NAME",
                        help=f"named settings ({', '.join(recipe_names(Recipe))}); default: default")
    parser.add_argument("--dataset", choices=DATASETS, help="override the recipe's dataset")
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
                        help="'mirrored': all local GPUs; 'multi-worker': several machines (TF_CONFIG); "
                             "default: one device")
    parser.add_argument("--eval-samples", type=eval_sample_count, default=10000, metavar="N",
                        help="generated samples scored at the end (FD, coverage, ...); 0 skips; default: %(default)s")
    parser.add_argument("--data-dir", type=Path, help="folder with the original MNIST IDX .gz files")
    parser.add_argument("--no-progress", action="store_true", help="no progress lines")


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

    overrides = dict(dataset=args.dataset, steps=args.steps, epochs=args.epochs, batch_size=args.batch_size,
                     sample_interval=args.sample_interval, loop=args.loop)
    run_only = dict(eval_samples=args.eval_samples, progress=not args.no_progress, data_dir=args.data_dir)
    if resumed is not None:
        return resumed.resume_settings(args.recipe, overrides, args.seed, args.checkpoint_interval, args.deterministic,
                                       **run_only)
    return RunSettings(get_recipe(args.recipe or "default", Recipe).replace(**overrides),
                       seed=DEFAULT_SEED if args.seed is None else args.seed,
                       checkpoint_interval_steps=args.checkpoint_interval or CHECKPOINT_INTERVAL_STEPS,
                       deterministic=args.deterministic, **run_only)


def run(args: argparse.Namespace) -> None:
    """Check the arguments, train the recipe into its run folder and say where everything went."""
    resume_path = resume_folder(args)
    quiet_backend()
    from kerasgan.data import load_data
    from kerasgan.recipes import changed_settings
    from kerasgan.run import check_loop, train_recipe
    from kerasgan.run_folder import RunFolder
    from kerasgan.training.distribute import is_chief, make_strategy, replica_count

    resumed = None if resume_path is None else RunFolder(resume_path)
    settings = run_settings(args, resumed)
    recipe = settings.recipe
    strategy = None if args.strategy == "default" else make_strategy(args.strategy)
    check_loop(recipe, resumed is not None, strategy)
    x_train, y_train = load_data(recipe.dataset, "train", data_dir=args.data_dir)
    folder = resumed or (RunFolder(args.out) if args.out else RunFolder.next_free(Path("runs") / recipe.name))
    chief = is_chief(strategy)
    if resumed is None and chief:
        folder.prepare(overwrite=args.overwrite)
    print(f"recipe '{recipe.name}': {recipe.description}")
    if changes := changed_settings(recipe):
        print(f"changed here: {', '.join(changes)}")
    print(f"{'resuming' if resumed else 'writing to'} {folder}/" if chief else
          f"{'resuming' if resumed else 'training'} as a worker; the chief writes {folder}/")
    if strategy is not None:
        print(f"strategy '{args.strategy}': {replica_count(strategy)} devices share each batch of {recipe.batch_size}")
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

