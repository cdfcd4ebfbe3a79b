"""The shipped fast loop of two kerasgan checkouts, timed side by side: before and after a change.

    python benchmarks/compare_checkouts.py /tmp/before .            # batch 32, 128, 256; a few minutes

Each round times one checkout, then the other, each in a fresh process (both are the package ``kerasgan``),
so that the machine's load hits both alike; the table gives the median iterations per second over the
rounds, the best round (the one least slowed by other jobs on a shared machine) and the after/before
ratio of each. The step is the one ``scripts/train.py`` runs: ``build_gan("keras-gan")``
with ``jit_compile=False`` and 25 steps per execution, on synthetic in-memory images.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

TIMER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from kerasgan.cli import quiet_backend
quiet_backend()
import keras, numpy as np
from kerasgan.training.compiled import build_gan
from kerasgan.data import make_dataset

batch_size, seconds = int(sys.argv[2]), float(sys.argv[3])
images = np.random.default_rng(0).uniform(-1, 1, (8192, 28, 28, 1)).astype("float32")
gan = build_gan("keras-gan", seed=0, jit_compile=False, steps_per_execution=25)
dataset = make_dataset(images, batch_size, shuffle=False).repeat()
gan.fit(dataset, epochs=1, steps_per_epoch=100, verbose=0)
started, steps = time.perf_counter(), 0
while time.perf_counter() - started < seconds:
    gan.fit(dataset, epochs=1, steps_per_epoch=100, verbose=0)
    steps += 100
print(json.dumps({"it_per_s": steps / (time.perf_counter() - started), "root": sys.argv[1]}))
"""


def time_checkout(root: Path, batch_size: int, seconds: float) -> float:
    """Iterations per second of one checkout's shipped fast loop, in a fresh process."""
    finished = subprocess.run([sys.executable, "-c", TIMER, str(root), str(batch_size), str(seconds)],
                              capture_output=True, text=True, check=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])["it_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="the checkout before the change")
    parser.add_argument("after", type=Path, help="the checkout after the change")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 128, 256])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0, help="timed seconds per checkout and round")
    args = parser.parse_args()
    print(f"{'batch':>5} {'before it/s':>12} {'after it/s':>11} {'ratio':>6} {'best before':>12} {'best after':>11} "
          f"{'ratio':>6}   (medians and best of {args.rounds} rounds)")
    for batch_size in args.batch_sizes:
        speeds = {"before": [], "after": []}
        for _ in range(args.rounds):
            for name in ("before", "after"):
                speeds[name].append(time_checkout(getattr(args, name).resolve(), batch_size, args.seconds))
        before, after = statistics.median(speeds["before"]), statistics.median(speeds["after"])
        best_before, best_after = max(speeds["before"]), max(speeds["after"])
        print(f"{batch_size:>5} {before:>12.1f} {after:>11.1f} {after / before:>6.3f} {best_before:>12.1f} "
              f"{best_after:>11.1f} {best_after / best_before:>6.3f}   "
              f"before {[round(s, 1) for s in speeds['before']]}, after {[round(s, 1) for s in speeds['after']]}",
              flush=True)


if __name__ == "__main__":
    main()
