"""Score a trained generator against the real data: FD, KID, classifier score, coverage, precision/recall.

    python scripts/evaluate.py runs/mnist-keras-gan --dataset mnist -n 10000

Takes a run folder holding generator.keras, or a .keras file; prints the metrics next to the real-vs-real
floors and writes them as JSON (default: <run folder>/evaluation.json).
"""

from __future__ import annotations

import json
from pathlib import Path

from kerasgan.cli import ArgumentParser, positive_int, quiet_tensorflow, run_main
from kerasgan.errors import UserError


def parse_args(argv=None):
    """The command line: which generator, which dataset, how many samples, where the JSON goes."""
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a run folder containing generator.keras, or a .keras file")
    parser.add_argument("--dataset", choices=["mnist", "fashion_mnist"], default="mnist")
    parser.add_argument("-n", "--num-samples", type=positive_int, default=10000, help="generated samples")
    parser.add_argument("--seed", type=int, default=0, help="seeds the latent vectors and the KID subsets")
    parser.add_argument("--batch-size", type=positive_int, default=500)
    parser.add_argument("--json", type=Path, default=None, help="where to write the results")
    return parser.parse_args(argv)


def generator_file(path: Path) -> Path:
    """The generator .keras file a path names: the file itself or <folder>/generator.keras."""
    candidate = path / "generator.keras" if path.is_dir() else path
    if not candidate.is_file():
        raise UserError(f"no generator found at {candidate} (pass a run folder with generator.keras or a .keras file)")
    return candidate


def main() -> None:
    """Load the generator safely, evaluate it, print the table and write the JSON."""
    args = parse_args()
    path = generator_file(args.path)
    quiet_tensorflow()
    from kerasgan.data import DataNotFoundError
    from kerasgan.evaluation import evaluate_generator, format_table
    from kerasgan.training.checkpoint import load_keras_model

    generator = load_keras_model(path)
    try:
        results = evaluate_generator(generator, args.dataset, args.num_samples, args.seed, args.batch_size)
    except (ValueError, DataNotFoundError) as error:
        raise UserError(str(error)) from None
    results["generator"] = str(path)
    print(format_table(results))
    json_path = args.json or path.parent / "evaluation.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {json_path}")


if __name__ == "__main__":
    run_main(main)
