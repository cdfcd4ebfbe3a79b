"""Score a trained generator against the real data: FD, KID, classifier score, coverage, precision/recall.

    kerasgan evaluate runs/default --dataset mnist -n 10000      # or: python scripts/evaluate.py ...
    kerasgan evaluate runs/folder                  # a run on your images: after kerasgan train-evaluator --data DIR
    kerasgan evaluate runs/folder --features inception_v3.keras  # your own feature model (the standard FID)

Takes a run folder holding generator.keras, or a .keras file; prints the metrics next to the real-vs-real
floors (and, for a conditional generator, how often it draws the class asked for) and writes them as JSON
(default: <run folder>/evaluation.json). A run on a folder of images is scored through the evaluator
`kerasgan train-evaluator` trained on that folder, or through --features.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kerasgan.cli import check_json_path, generator_file, positive_int, quiet_backend, run_dataset
from kerasgan.errors import UserError
from kerasgan.feature_models import FEATURE_SCALES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Which generator, which dataset, how many samples, where the JSON goes."""
    parser.add_argument("path", type=Path, help="a run folder containing generator.keras, or a .keras file")
    parser.add_argument("--dataset", choices=["mnist", "fashion_mnist"],
                        help="the real data to compare with; default: the run folder's dataset, else mnist")
    parser.add_argument("-n", "--num-samples", type=positive_int, default=10000, help="generated samples")
    parser.add_argument("--seed", type=int, default=0, help="seeds the latent vectors and the KID subsets")
    parser.add_argument("--batch-size", type=positive_int, default=500)
    parser.add_argument("--json", type=Path, default=None, help="where to write the results")
    parser.add_argument("--features", type=Path, metavar="FILE.keras",
                        help="score through this model's output instead (e.g. an ImageNet InceptionV3 with "
                             "pooling='avg' for the standard FID); images are resized to its input size")
    parser.add_argument("--features-scale", choices=FEATURE_SCALES, default="tanh",
                        help="the value range --features expects: tanh [-1, 1] (InceptionV3's), unit [0, 1], "
                             "pixel [0, 255]; default: %(default)s")


def run(args: argparse.Namespace) -> None:
    """Load the generator safely, evaluate it, print the table and write the JSON."""
    path = generator_file(args.path)
    check_json_path(args.json, "--json")
    dataset = run_dataset(args.path, args.dataset)
    quiet_backend()
    from kerasgan.data import DataNotFoundError
    from kerasgan.evaluation import evaluate_conditional, evaluate_generator, format_table
    from kerasgan.feature_models import score_built_in, score_folder_run
    from kerasgan.run_folder import generator_record
    from kerasgan.training.checkpoint import load_keras_model

    generator = load_keras_model(path)
    family, data = generator_record(args.path, args.dataset, generator)
    try:
        if data.source != "built-in":
            results = score_folder_run(generator, run_settings(path), args.num_samples, args.seed, args.batch_size,
                                       args.features, args.features_scale)
        elif args.features is not None:
            results = score_built_in(generator, family, data, args.features, args.features_scale, args.num_samples,
                                     args.seed, args.batch_size)
        elif family.conditional:
            results = evaluate_conditional(generator, dataset, args.num_samples, args.seed)
        else:
            results = evaluate_generator(generator, dataset, args.num_samples, args.seed, args.batch_size, family)
    except (ValueError, DataNotFoundError) as error:
        raise UserError(str(error)) from None
    results["generator"] = str(path)
    print(format_table(results))
    json_path = args.json or path.parent / "evaluation.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {json_path}")


def run_settings(path: Path):
    """The settings of the run a generator file belongs to (a folder run's images and how they were read)."""
    from kerasgan.run_folder import RunFolder

    try:
        return RunFolder(path.parent).read_settings()
    except UserError:
        raise UserError(f"{path.parent} has no readable config.json: its images cannot be found") from None
