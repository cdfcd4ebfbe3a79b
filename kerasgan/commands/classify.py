"""Train a digit classifier and test it on the real test set: the CNN article, or with a GAN's help.

    kerasgan classify --dataset mnist --recipe article              # the CNN article (cnn method)
    kerasgan classify --method sgan --labels 100 --epochs 3         # semi-supervised GAN, 100 labels
    kerasgan classify --method supervised --labels 100 --epochs 3   # the same network, labels only
    kerasgan classify --method synthetic --generator runs/cgan-mnist/generator.keras [--labels 100]
    kerasgan classify --method synthetic --generator runs/acgan-mnist/generator.keras --augment shift_rotate

(``python scripts/classify.py`` in a checkout runs the same.)

cnn writes curves.png, history.csv, results.json and the weights into --out; the GAN methods write a
results JSON (--out, default runs/classify_gan/METHOD-LABELS-sSEED.json).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kerasgan.cli import check_json_path, positive_int, quiet_backend
from kerasgan.data import DATASETS
from kerasgan.errors import UserError
from kerasgan.recipes import AUGMENTATIONS, ClassifierRecipe, recipe_names

RECIPES = recipe_names(ClassifierRecipe)
METHODS = ("cnn", "sgan", "supervised", "synthetic")
ALL_LABELS = 60000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options; recipe defaults (epochs, batch size) apply unless overridden."""
    parser.add_argument("--method", choices=METHODS, default="cnn",
                        help="cnn: a CNN on all labels (--recipe); sgan: Salimans et al.'s K-class discriminator "
                             "on labelled + unlabelled images; supervised: the same network on the labelled images "
                             "only; synthetic: the CNN article's classifier on conditional-GAN samples (and --labels "
                             "real images)")
    parser.add_argument("--dataset", choices=DATASETS, default="mnist", help="cnn only; the GAN methods use mnist")
    parser.add_argument("--recipe", choices=RECIPES, default="article",
                        help="cnn: article: Adam 1e-3, batch 64, 10 epochs; improved: 3 conv blocks, augmentation, "
                             "cosine LR, label smoothing, dropout 0.25, batch 128, 20 epochs; evaluator: the shipped "
                             "evaluator's settings (kerasgan.recipes)")
    parser.add_argument("--labels", type=positive_int, default=None,
                        help=f"GAN methods: labelled real images, balanced between the classes ({ALL_LABELS} = all); "
                             "default: 100 for sgan/supervised, none for synthetic")
    parser.add_argument("--generator", type=Path, help="synthetic: a conditional generator saved as .keras")
    parser.add_argument("--synthetic", type=positive_int, default=30000, help="synthetic: how many generated images")
    parser.add_argument("--epochs", type=float, default=None,
                        help="cnn: the recipe's epochs; sgan/supervised: passes over the 60,000 unlabelled images "
                             "(default 3); synthetic: classifier epochs (default 3)")
    parser.add_argument("--augment", choices=AUGMENTATIONS, default=None,
                        help="cnn: override the recipe's augmentation; synthetic: shift and turn the generated images "
                             "in training (default none); shift_rotate: up to 10 %% and 11 degrees")
    parser.add_argument("--batch-size", type=positive_int, default=None, help="cnn: override the recipe's batch size")
    parser.add_argument("--seed", type=int, default=0, help="seeds the split or label subset, the weights and noise")
    parser.add_argument("--out", type=Path, default=None, help="output folder (cnn) or results JSON (GAN methods)")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch log lines")


def classify_with_cnn(args) -> None:
    """The CNN article's recipe or the improved one, on all labels."""
    from kerasgan.classify import run_classification

    if args.epochs is not None and args.epochs != int(args.epochs):
        raise UserError(f"--epochs must be a whole number for the cnn method, got {args.epochs}")
    out = args.out or Path("runs/classify") / f"{args.dataset}-{args.recipe}"
    epochs = None if args.epochs is None else int(args.epochs)
    results = run_classification(args.dataset, args.recipe, out, epochs, args.batch_size, args.seed,
                                 verbose=0 if args.quiet else 2, augment=args.augment)
    print(f"{args.dataset} {args.recipe}: test accuracy {results['test_accuracy']:.4f} "
          f"(train {results['train_s']:.0f} s); wrote {out}/curves.png, history.csv, results.json")


def classify_with_gan(args) -> None:
    """The semi-supervised GAN, its supervised-only twin, or a classifier trained on conditional-GAN samples."""
    from kerasgan.semi_supervised import run_gan_classification

    results = run_gan_classification(args.method, args.labels, args.epochs, args.seed, args.generator,
                                     args.synthetic, verbose=0 if args.quiet else 1, augment=args.augment or "none")
    labels = results.get("n_labels", results.get("n_real"))
    out = args.out or Path("runs/classify_gan") / f"{args.method}-{labels}-s{args.seed}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**results, "command": " ".join(sys.argv)}, indent=2) + "\n")
    print(f"{args.method}, {labels} labels, seed {args.seed}: test accuracy {results['test_accuracy']:.4f} "
          f"({results['train_cpu_s']:.0f} CPU s, {results['train_wall_s']:.0f} s wall); wrote {out}")


def check_gan_arguments(args) -> None:
    """One-line errors for GAN-method arguments that cannot work, before TensorFlow is imported."""
    if args.augment is not None and args.method in ("sgan", "supervised"):
        raise UserError(f"--augment applies to the cnn and synthetic methods, not {args.method}")
    if args.method == "synthetic" and args.generator is None and args.labels is None:
        raise UserError("--method synthetic needs --generator G.keras, --labels N, or both")
    if args.labels is not None and args.labels < ALL_LABELS and args.labels % 10:
        raise UserError(f"--labels {args.labels} cannot be split evenly between the 10 classes (use a multiple of 10)")
    if args.generator is not None and not args.generator.is_file():
        raise UserError(f"--generator {args.generator} does not exist")
    check_json_path(args.out, "--out")


def run(args: argparse.Namespace) -> None:
    """Check the GAN-method arguments before TensorFlow is imported, then train and test."""
    if args.method != "cnn":
        check_gan_arguments(args)
    quiet_backend()
    from kerasgan.data import DataNotFoundError

    try:
        classify_with_cnn(args) if args.method == "cnn" else classify_with_gan(args)
    except DataNotFoundError as error:
        raise UserError(str(error)) from None

