"""Train a classifier on MNIST or Fashion-MNIST (the CNN article's recipe or the improved one) and test it.

    python scripts/classify.py --dataset mnist --recipe article --out runs/classify/mnist-article

Writes curves.png (loss and accuracy per epoch), history.csv, results.json and the classifier weights.
"""

from __future__ import annotations

from pathlib import Path

from kerasgan.cli import ArgumentParser, positive_int, quiet_tensorflow, run_main
from kerasgan.errors import UserError

DATASETS = ("mnist", "fashion_mnist")
RECIPES = ("article", "improved")
METHODS = ("cnn",)


def parse_args(argv=None):
    """The command line; recipe defaults (epochs, batch size) apply unless overridden."""
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=DATASETS, default="mnist")
    parser.add_argument("--recipe", choices=RECIPES, default="article",
                        help="article: Adam 1e-3, batch 64, 10 epochs; improved: 3 conv blocks, augmentation, "
                             "cosine LR, label smoothing, dropout 0.25, batch 128, 20 epochs")
    parser.add_argument("--method", choices=METHODS, default="cnn", help="how the classifier is trained")
    parser.add_argument("--epochs", type=positive_int, default=None, help="override the recipe's epochs")
    parser.add_argument("--batch-size", type=positive_int, default=None, help="override the recipe's batch size")
    parser.add_argument("--seed", type=int, default=0, help="seeds the train/validation split and the weights")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: runs/classify/<dataset>-<recipe>)")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch log lines")
    return parser.parse_args(argv)


def main() -> None:
    """Parse, train, and print the test accuracy and where the outputs went."""
    args = parse_args()
    quiet_tensorflow()
    from kerasgan.classify import run_classification
    from kerasgan.data import DataNotFoundError

    out = args.out or Path("runs/classify") / f"{args.dataset}-{args.recipe}"
    try:
        results = run_classification(args.dataset, args.recipe, out, args.epochs, args.batch_size, args.seed,
                                     args.method, verbose=0 if args.quiet else 2)
    except DataNotFoundError as error:
        raise UserError(str(error)) from None
    print(f"{args.dataset} {args.recipe}: test accuracy {results['test_accuracy']:.4f} "
          f"(train {results['train_s']:.0f} s); wrote {out}/curves.png, history.csv, results.json")


if __name__ == "__main__":
    run_main(main)
