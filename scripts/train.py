"""Train a GAN recipe on MNIST or Fashion-MNIST and leave grids, loss curves, checkpoints and a summary.

    python scripts/train.py                          # the default: a good MNIST GAN in a few CPU minutes
    python scripts/train.py --recipe keras-gan-mnist # the Keras article, its train_on_batch loop
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kerasgan.cli import ArgumentParser, positive_int, quiet_tensorflow, run_main  # noqa: E402
from kerasgan.data import DATASETS  # noqa: E402
from kerasgan.errors import UserError  # noqa: E402
from kerasgan.recipes import RECIPES  # noqa: E402


def parse_args():
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="default", choices=list(RECIPES), metavar="NAME",
                        help=f"named settings ({', '.join(RECIPES)}); default: %(default)s")
    parser.add_argument("--dataset", choices=DATASETS, help="override the recipe's dataset")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--steps", type=positive_int, help="iterations (single batches), the Keras articles' 'epochs'")
    length.add_argument("--epochs", type=positive_int, help="real passes over the training set")
    parser.add_argument("--batch-size", type=positive_int)
    parser.add_argument("--sample-interval", type=positive_int, help="iterations between sample grids")
    parser.add_argument("--loop", choices=("fast", "parity"),
                        help="'fast': compiled GAN.fit; 'parity': the articles' train_on_batch loop")
    parser.add_argument("--out", type=Path, help="run folder (default: runs/RECIPE, numbered if taken)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out from its checkpoint")
    parser.add_argument("--overwrite", action="store_true", help="reuse an existing --out folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, help="folder with the original MNIST IDX .gz files")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    quiet_tensorflow()
    from kerasgan.data import load_data
    from kerasgan.recipes import get_recipe
    from kerasgan.run import next_free_run_dir, prepare_run_dir, train_recipe

    recipe = get_recipe(args.recipe).replace(
        dataset=args.dataset, steps=args.steps, epochs=args.epochs, batch_size=args.batch_size,
        sample_interval=args.sample_interval, loop=args.loop,
    )
    if args.resume and args.out is None:
        raise UserError("--resume needs --out RUN_DIR")
    x_train, _ = load_data(recipe.dataset, "train", data_dir=args.data_dir)
    out_dir = prepare_run_dir(args.out or next_free_run_dir(Path("runs") / recipe.name),
                              resume=args.resume, overwrite=args.overwrite)
    print(f"recipe '{recipe.name}': {recipe.description}")
    print(f"writing to {out_dir}/")
    summary = train_recipe(recipe, out_dir, seed=args.seed, resume=args.resume, progress=not args.no_progress,
                           x_train=x_train)
    print(f"trained {summary['steps']} steps in {summary['train_wall_time_s']:.0f} s")
    print(f"sample grids:  {out_dir / 'images'}/")
    print(f"loss curves:   {out_dir / 'losses.png'}, {out_dir / 'losses.csv'}")
    print(f"generator:     {out_dir / 'generator.keras'}")
    print(f"summary:       {out_dir / 'summary.json'}")


if __name__ == "__main__":
    run_main(main)
