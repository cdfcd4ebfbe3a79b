"""The fast loop on every Keras backend, side by side on this machine: TensorFlow, JAX and PyTorch, against
PyTorch eager (the six-minute article's loop in plain PyTorch) and the articles' ``train_on_batch`` loop.

    python benchmarks/backends.py                          # batch 32, 128, 256; 3 rounds; ~15 minutes
    python benchmarks/backends.py --variants "jax fast" "tensorflow fast" --rounds 1

Each variant runs in a fresh process with its own ``KERAS_BACKEND`` (a process has one backend); a round
runs every variant once, in turn, so a change in the machine's load hits all of them alike. A variant's speed
at a batch size is the median of its rounds, in training iterations (one D and one G update) per second, after
a warm-up that compiles the step. The ratios are to TensorFlow's shipped fast loop in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = "keras-gan"
# name -> (backend, how it trains); the first is the reference of the ratios.
VARIANTS = {
    "tensorflow fast": ("tensorflow", "fast"),
    "tensorflow fast xla": ("tensorflow", "fast xla"),
    "tensorflow fast bf16": ("tensorflow", "fast bf16"),
    "jax fast": ("jax", "fast"),
    "jax fast bf16": ("jax", "fast bf16"),
    "torch fast": ("torch", "fast"),
    "torch fast compile": ("torch", "fast compile"),
    "pytorch eager": ("torch", "eager"),
    "pytorch eager 1 thread": ("torch", "eager 1 thread"),
    "pytorch compile": ("torch", "compile"),
    "articles loop": ("tensorflow", "articles"),
}
STEPS_PER_EXECUTION = 25


def images(count: int = 8192):
    import numpy as np

    return np.random.default_rng(0).uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


def fast_step(how: str, batch_size: int):
    """``run(iterations) -> seconds`` of ``GAN.fit`` on the active backend, as ``scripts/train.py`` builds it."""
    import keras

    from kerasgan.gans import build_gan
    from kerasgan.training.driver import input_pipeline

    if "bf16" in how:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    gan = build_gan(ARCHITECTURE, seed=0, jit_compile="xla" in how, steps_per_execution=STEPS_PER_EXECUTION)
    if "compile" in how:
        from benchmarks.torch_loop import allow_two_gradients_per_forward_pass

        allow_two_gradients_per_forward_pass()
        gan.jit_compile = True  # torch.compile, which build_gan leaves off on PyTorch
    stream = input_pipeline().resumable_dataset(images(), batch_size, seed=0)

    def run(iterations: int) -> float:
        started = time.perf_counter()
        gan.fit(stream, epochs=1, steps_per_epoch=iterations, verbose=0, shuffle=False)
        return time.perf_counter() - started

    return run, gan.steps_per_execution


def torch_step(how: str, batch_size: int):
    """``run(iterations) -> seconds`` of the plain PyTorch loop, eager or ``torch.compile``d."""
    from benchmarks.torch_loop import torch_gan_step

    import torch

    if "1 thread" in how:
        torch.set_num_threads(1)  # OpenMP's threads collapse when other jobs share the cores; one does not
    step = torch_gan_step(ARCHITECTURE, images(), batch_size, compile_step=how == "compile")

    def run(iterations: int) -> float:
        started = time.perf_counter()
        for _ in range(iterations):
            step()
        return time.perf_counter() - started

    return run, 1


def articles_step(how: str, batch_size: int):
    """``run(iterations) -> seconds`` of the articles' loop (``train_on_batch``, ``predict`` per step)."""
    from kerasgan.training.parity import initialize_model, train

    discriminator, generator, combined = initialize_model(architecture=ARCHITECTURE)
    data = images()

    def run(iterations: int) -> float:
        started = time.perf_counter()
        train(discriminator, generator, combined, data, epochs=iterations, batch_size=batch_size, sample_path=None,
              progress=False, use_predict=True, seed=None)
        return time.perf_counter() - started

    return run, 1


def measure(how: str, batch_sizes: list[int], seconds: float) -> dict[int, float]:
    """Iterations per second of one variant at each batch size (in this process, on its backend)."""
    make = articles_step if how == "articles" else torch_step if how.startswith(("eager", "compile")) else fast_step
    speeds = {}
    for batch_size in batch_sizes:
        run, multiple = make(how, batch_size)
        run(2 * multiple)  # compile
        warm = 4 * multiple
        rate = warm / run(warm)
        iterations = max(multiple, round(rate * seconds / multiple) * multiple)
        speeds[batch_size] = iterations / run(iterations)
    return speeds


def run_variant(name: str, batch_sizes: list[int], seconds: float) -> dict[int, float] | None:
    """One variant in a fresh process; ``None`` when its backend is not installed or it fails (said on stderr)."""
    backend, how = VARIANTS[name]
    command = [sys.executable, __file__, "--worker", how, "--batch-sizes", *map(str, batch_sizes),
               "--seconds", str(seconds)]
    finished = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT,
                              env={**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"})
    if finished.returncode != 0:
        last = (finished.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"  {name}: failed ({last})", file=sys.stderr)
        return None
    return {int(batch): speed for batch, speed in json.loads(finished.stdout.strip().splitlines()[-1]).items()}


def table(results: dict[str, list[dict[int, float]]], batch_sizes: list[int]) -> str:
    """Median it/s per variant and batch size, and the ratio to the first variant."""
    medians = {name: {batch: statistics.median(r[batch] for r in rounds) for batch in batch_sizes}
               for name, rounds in results.items() if rounds}
    reference = next(iter(medians.values()))
    reference_name = next(iter(medians))
    header = f"{'variant':<22}" + "".join(f"{f'batch {batch} it/s':>16}{'ratio':>7}" for batch in batch_sizes)
    lines = [header, "-" * len(header)]
    for name, speeds in medians.items():
        lines.append(f"{name:<22}" + "".join(f"{speeds[batch]:>16.1f}{speeds[batch] / reference[batch]:>7.2f}"
                                             for batch in batch_sizes))
    lines.append(f"(medians of {len(next(iter(results.values())))} rounds; ratio to '{reference_name}')")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS), metavar="NAME",
                        help=f"default: all of {', '.join(VARIANTS)}")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 128, 256])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="timed seconds per variant, batch size and round")
    parser.add_argument("--json", type=Path, help="also write the raw rounds here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(REPO_ROOT))
        from kerasgan.cli import quiet_backend

        quiet_backend()
        print(json.dumps(measure(args.worker, args.batch_sizes, args.seconds)))
        return
    results: dict[str, list[dict[int, float]]] = {name: [] for name in args.variants}
    for round_index in range(args.rounds):
        for name in args.variants:
            speeds = run_variant(name, args.batch_sizes, args.seconds)
            if speeds is not None:
                results[name].append(speeds)
                print(f"round {round_index + 1} {name}: " + ", ".join(f"{b}: {s:.1f}" for b, s in speeds.items()),
                      flush=True)
    results = {name: rounds for name, rounds in results.items() if rounds}
    print(table(results, args.batch_sizes))
    if args.json:
        args.json.write_text(json.dumps({"results": {n: r for n, r in results.items()},
                                         "command": " ".join(sys.argv)}, indent=2))


if __name__ == "__main__":
    main()
