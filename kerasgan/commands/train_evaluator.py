"""Train the evaluator that scores runs on your images: a classifier of their classes, or of turns without.

    kerasgan train-evaluator --data my_images --image-size 32    # read the folder as the run did
    kerasgan evaluate runs/folder                                # then score a run trained on it
    kerasgan train-evaluator --dataset tfds:cifar10              # a tfds set the run trained on

Images with classes (two or more subfolders, labels in an .npz, a tfds label) get a classifier of them; others a
classifier of whether an image was turned by 0, 90, 180 or 270 degrees. It trains on 90 % of the images, prints
its accuracy on the other 10 % and the real-vs-real floors (one half of the images scored against the other), and
keeps the evaluator in the cache ($KERASGAN_CACHE/evaluators/, default ~/.cache/kerasgan), where `kerasgan
evaluate` and the end of `kerasgan train --data` find it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kerasgan.cli import add_image_options, positive_int, quiet_backend
from kerasgan.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The folder and the reading options (the run's), the training length and seed."""
    from kerasgan.feature_models import DEFAULT_EPOCHS

    parser.add_argument("--data", type=Path, metavar="DIR|FILE",
                        help="the folder of images (two or more subfolders are classes) or .npy/.npz file the run "
                             "trained on")
    parser.add_argument("--dataset", metavar="tfds:NAME",
                        help="or the tfds set the run trained on (prepared under TFDS_DATA_DIR)")
    add_image_options(parser, "as the run did: ")
    parser.add_argument("--epochs", type=positive_int,
                        help=f"passes over the training images; default: {DEFAULT_EPOCHS['classes']} for classes, "
                             f"{DEFAULT_EPOCHS['rotation']} for turns (a pass shows each image turned four ways)")
    parser.add_argument("--batch-size", type=positive_int, default=64, help="default: %(default)s")
    parser.add_argument("--seed", type=int, default=0, help="seeds the held-out split and the weights")
    parser.add_argument("--no-progress", action="store_true", help="no per-epoch lines")


def reading_settings(args: argparse.Namespace):
    """The settings :func:`kerasgan.data.load_training_data` reads the images with: the run's reading options."""
    from kerasgan.data import is_tfds
    from kerasgan.recipes import Recipe, get_recipe
    from kerasgan.settings import RunSettings

    if (args.data is None) == (args.dataset is None):
        raise UserError("name the images the run trained on: --data DIR|FILE or --dataset tfds:NAME (one of them)")
    if args.dataset is not None and not is_tfds(args.dataset):
        raise UserError(f"--dataset {args.dataset}: give tfds:NAME (MNIST and Fashion-MNIST have shipped evaluators)")
    recipe = get_recipe("default", Recipe).replace(dataset=args.dataset, image_size=args.image_size, batch_size=1)
    return RunSettings(recipe, data_folder=args.data and args.data.resolve(), channels=args.channels,
                       background=args.background)


def run(args: argparse.Namespace) -> None:
    """Read the images, train and save the evaluator, print its accuracy, where it went and the floors."""
    args.background = args.background or "white"
    settings = reading_settings(args)
    quiet_backend()
    from kerasgan.data import load_training_data
    from kerasgan.evaluation import format_table
    from kerasgan.feature_models import CLASSES, cached_evaluator, data_key, reference_statistics, train_evaluator

    started = time.perf_counter()
    images, labels, spec, notes = load_training_data(settings)
    for note in notes:
        print(f"{args.data}: {note}")
    shape = "x".join(map(str, spec.image_shape))
    if spec.num_classes:
        print(f"{spec.name}: {len(images):,} images of {shape} in {spec.num_classes} classes: training a "
              f"classifier of the classes")
    else:
        print(f"{spec.name}: {len(images):,} images of {shape}, no classes: training a rotation evaluator "
              f"(it learns whether an image was turned by 0, 90, 180 or 270 degrees)")
    record = train_evaluator(images, labels, spec, args.background, args.epochs, args.seed, args.batch_size,
                             verbose=0 if args.no_progress else 2)
    task = "held-out images" if record["kind"] == CLASSES else "turns of held-out images"
    print(f"held-out accuracy {record['accuracy']:.4f} on {record['held_out']:,} {task} (the largest class: "
          f"{record['largest_class_share']:.2f}; mean over classes {record['balanced_accuracy']:.4f}), trained "
          f"{record['epochs']} epoch{'s' * (record['epochs'] != 1)} in {record['train_wall_time_s']:.0f} s")
    print(f"evaluator:     {record['path']}")
    feature_model = cached_evaluator(spec, args.background)
    reference = reference_statistics(feature_model, data_key(spec, args.background), lambda: images)
    floors = reference.floors
    print(f"real vs real: one half of the images against the other ({len(reference.features) - floors['n']:,} "
          f"against {floors['n']:,})")
    print(format_table({"dataset": spec.name, "n": floors["n"], "features": feature_model.description,
                        "num_classes": spec.num_classes, **floors}))
    print(f"reference:     {reference.path}")
    print(f"done in {time.perf_counter() - started:.0f} s; score a run on these images: kerasgan evaluate RUN")
