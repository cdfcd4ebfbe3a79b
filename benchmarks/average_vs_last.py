"""Score a run's saved generator beside the last weights in its checkpoint: is the averaged generator the better?

    python benchmarks/average_vs_last.py runs/quick runs/default -n 10000

For each run folder: ``generator.keras`` (what the run saved: the averaged weights where the recipe averages)
and the generator weights of ``checkpoint.npz`` (the last training weights, with the BatchNorm statistics
training gathered), both scored by the shipped evaluator on the same ``n`` latent points. One line per run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kerasgan.cli import quiet_backend  # noqa: E402


def last_weights_generator(run_dir: Path):
    """``generator.keras`` of ``run_dir`` with the checkpoint's generator weights loaded into it."""
    from kerasgan.training.checkpoint import CHECKPOINT_NAME, load_keras_model

    generator = load_keras_model(run_dir / "generator.keras")
    with np.load(run_dir / CHECKPOINT_NAME, allow_pickle=False) as arrays:
        stored = sorted((key for key in arrays.files if key.startswith("generator/")), key=lambda k: int(k[10:]))
        generator.set_weights([arrays[key] for key in stored])
        step = int(arrays["step"])
    return generator, step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+", help="run folders holding generator.keras and checkpoint.npz")
    parser.add_argument("-n", "--num-samples", type=int, default=10000)
    parser.add_argument("--json", type=Path, help="write every score here")
    args = parser.parse_args()
    quiet_backend()
    from kerasgan.evaluation import evaluate_generator
    from kerasgan.training.checkpoint import load_keras_model

    scores = {}
    for run_dir in args.runs:
        dataset = json.loads((run_dir / "config.json").read_text()).get("dataset", "mnist")
        last, step = last_weights_generator(run_dir)
        saved = evaluate_generator(load_keras_model(run_dir / "generator.keras"), dataset, args.num_samples)
        final = evaluate_generator(last, dataset, args.num_samples)
        scores[str(run_dir)] = {"step": step, "saved": saved, "last": final}
        print(f"{run_dir}  step {step:,}  saved generator FD {saved['fd']:.2f} ({saved['classes_covered']} classes, "
              f"largest {100 * saved['max_class_share']:.1f} %)  last weights FD {final['fd']:.2f} "
              f"({final['classes_covered']} classes, largest {100 * final['max_class_share']:.1f} %)", flush=True)
    if args.json:
        args.json.write_text(json.dumps(scores, indent=2) + "\n")


if __name__ == "__main__":
    main()
