"""Train the evaluator classifier shipped in kerasgan/assets: the "evaluator" recipe on the whole real train split.

Reproduce the shipped files (fixed seed 0; bitwise identity across machines is not promised, which is why
the package pins each file's SHA-256):

    python scripts/train_evaluator.py --dataset mnist
    python scripts/train_evaluator.py --dataset fashion_mnist
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from kerasgan.cli import ArgumentParser, positive_int, quiet_backend, run_main  # noqa: E402


def parse_args():
    """The command line: which dataset, seed, epochs and where the weights go."""
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["mnist", "fashion_mnist"], default="mnist")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=positive_int, default=10)
    parser.add_argument("--out", type=Path, default=None,
                        help="weights file to write (default: kerasgan/assets/evaluator_<dataset>.weights.h5)")
    return parser.parse_args()


def main() -> None:
    """Train on all 60,000 train images; print test accuracy, the SHA-256 and the calibration temperature."""
    args = parse_args()
    quiet_backend()
    from kerasgan.classify import accuracy, train_classifier
    from kerasgan.data import load_data
    from kerasgan.evaluation import evaluator_path, fit_temperature

    from kerasgan.recipes import ClassifierRecipe, get_recipe

    recipe = get_recipe("evaluator", ClassifierRecipe).replace(epochs=args.epochs)
    train_images, train_labels = load_data(args.dataset, "train")
    started = time.perf_counter()
    classifier, _ = train_classifier((train_images, train_labels), None, recipe, args.dataset, args.seed)
    train_s = time.perf_counter() - started
    out = args.out or evaluator_path(args.dataset)
    out.parent.mkdir(parents=True, exist_ok=True)
    classifier.save_weights(out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    test_accuracy = accuracy(classifier, *load_data(args.dataset, "test"))
    temperature = fit_temperature(classifier.predict(train_images, batch_size=1000, verbose=0), train_labels)
    print(f"{args.dataset}: test accuracy {test_accuracy:.4f}, trained in {train_s:.0f} s, "
          f"{out} ({out.stat().st_size} bytes) sha256 {digest}; record it in EVALUATOR_SHA256 and "
          f"the calibration temperature {temperature:.4f} in EVALUATOR_TEMPERATURE (kerasgan/evaluation.py)")


if __name__ == "__main__":
    run_main(main)
