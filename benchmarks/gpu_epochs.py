"""One MNIST epoch of the default recipe's MLP GAN and of the DCGAN, timed on the active Keras backend's device.

    KERAS_BACKEND=jax python benchmarks/gpu_epochs.py                    # batch 64, 256, 1024
    KERAS_BACKEND=torch python benchmarks/gpu_epochs.py --torch-compile  # the same models through torch.compile
    KERAS_BACKEND=torch python benchmarks/gpu_epochs.py --plain-torch    # the six-minute article's loop, plain PyTorch (MLP)

Each line: backend, how, architecture, dtype policy, batch size, seconds for one epoch (60,000 images, after a warm-up that
compiles the step), iterations per second. ``benchmarks/gpu_check.sh`` runs all three on a GPU machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kerasgan.cli import quiet_backend  # noqa: E402

ARCHITECTURES = ("keras-gan", "dcgan")
WARMUP_STEPS = 10


def epoch_runner(architecture: str, x_train, batch_size: int, args):
    """``run(steps) -> seconds`` for one way of training, and its step granularity."""
    import keras

    if args.plain_torch:
        from benchmarks.torch_loop import torch_gan_step

        step = torch_gan_step(architecture, x_train, batch_size, device="cuda" if _has_cuda() else "cpu",
                              compile_step=args.torch_compile)

        def run_plain(steps: int) -> float:
            import torch

            started = time.perf_counter()
            for _ in range(steps):
                step()
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            return time.perf_counter() - started

        return run_plain, 1

    from kerasgan.gans import build_gan
    from kerasgan.training.driver import input_pipeline

    spe = 1 if keras.config.backend() == "torch" else args.steps_per_execution
    gan = build_gan(architecture, seed=0, steps_per_execution=spe)
    if args.torch_compile:
        from benchmarks.torch_loop import allow_two_gradients_per_forward_pass

        allow_two_gradients_per_forward_pass()
        gan.jit_compile = True
    stream = input_pipeline().resumable_dataset(x_train, batch_size, seed=0)

    def run_fit(steps: int) -> float:
        started = time.perf_counter()
        gan.fit(stream, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
        return time.perf_counter() - started

    return run_fit, spe


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def device_name() -> str:
    """The device the active backend computes on, e.g. ``cuda:0`` or ``cpu:0``."""
    import keras

    if keras.config.backend() == "jax":
        import jax

        return str(jax.devices()[0])
    return "cuda" if _has_cuda() else "cpu"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--architectures", nargs="+", default=list(ARCHITECTURES))
    parser.add_argument("--steps-per-execution", type=int, default=25)
    parser.add_argument("--torch-compile", action="store_true", help="torch.compile the step (PyTorch backend)")
    parser.add_argument("--plain-torch", action="store_true", help="the plain PyTorch loop (MLP architectures)")
    parser.add_argument("--max-steps", type=int, help="cut the epoch short (a smoke test on a CPU)")
    parser.add_argument("--dtype-policy", default="float32",
                        help="Keras dtype policy for the networks, e.g. mixed_bfloat16 (default: float32)")
    args = parser.parse_args()
    quiet_backend()
    import keras

    keras.config.set_dtype_policy(args.dtype_policy)

    from kerasgan.data import load_data

    x_train, _ = load_data("mnist", "train")
    how = "plain torch" if args.plain_torch else "keras fit"
    how += " + torch.compile" if args.torch_compile else ""
    device = device_name()
    for architecture in args.architectures:
        if args.plain_torch and architecture != "keras-gan":
            continue
        for batch_size in args.batch_sizes:
            run, multiple = epoch_runner(architecture, x_train, batch_size, args)
            run(WARMUP_STEPS // multiple * multiple or multiple)
            steps = len(x_train) // batch_size // multiple * multiple
            if args.max_steps:
                steps = min(steps, args.max_steps // multiple * multiple or multiple)
            seconds = run(steps)
            epoch_s = seconds * (len(x_train) // batch_size) / steps
            print(f"{keras.config.backend():<10} {how:<28} {architecture:<10} {args.dtype_policy:<15} "
                  f"batch {batch_size:>5}  "
                  f"{epoch_s:8.2f} s/epoch  {steps / seconds:9.1f} it/s  ({device})", flush=True)


if __name__ == "__main__":
    main()
