"""Callbacks for ``fit()`` on a GAN: fixed-input sample grids (PNG, TensorBoard, GIF), the run's saved state and
the NaN guard, progress in the user's units (steps and real epochs, not Keras' chunks of steps), and the loss
scalars for TensorBoard on any backend.

TensorFlow is used for TensorBoard when it is installed (on any Keras backend); without it the losses go
through the ``tensorboard`` package's own writer, and the sample grids only to PNG and GIF.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import importlib.util

import keras
import numpy as np

from kerasgan.cli import start_up_lines_hidden
from kerasgan.errors import TrainingFailed
from kerasgan.plotting import save_gif, save_image_grid
from kerasgan.training.checkpoint import save_checkpoint
from kerasgan.training.stopping import check_for_stop, stop_requested


@dataclass(frozen=True)
class StepClock:
    """Where the chunks (what Keras' ``fit()`` calls epochs) fall among a run's steps: chunk ``i`` is the steps
    after ``max(i * chunk, start_step)`` up to ``min((i + 1) * chunk, total_steps)``. All chunks are ``chunk`` steps but
    the last one of a run whose length is not a whole number of chunks, and the first one of a run resumed off
    the chunk grid (``kerasgan.training.driver.segments`` makes the matching ``fit()`` calls)."""

    chunk: int
    total_steps: int | None = None
    start_step: int = 0

    def end_step(self, index: int) -> int:
        """The step reached at the end of chunk ``index`` (Keras' epoch ``index``)."""
        end = (index + 1) * self.chunk
        return end if self.total_steps is None else min(end, self.total_steps)

    def first_step(self, index: int) -> int:
        """The step reached at the start of chunk ``index``."""
        return max(index * self.chunk, self.start_step)

    def finished(self, step: int) -> bool:
        return self.total_steps is not None and step >= self.total_steps


def as_clock(chunks: StepClock | int) -> StepClock:
    """A :class:`StepClock`, from itself or from a plain number of steps per chunk."""
    return chunks if isinstance(chunks, StepClock) else StepClock(int(chunks))


class GANMonitor(keras.callbacks.Callback):
    """Every ``every_chunks`` chunks (Keras epochs), feed the generator the same ``inputs`` and save the grid as a PNG.

    ``inputs`` come from ``gan.grid_inputs(rows, cols)`` (latent points, with labels for a conditional GAN,
    whose rows are then titled with ``row_labels``). With ``tensorboard_dir`` the grid also goes to
    TensorBoard's Images tab; at the end of training all grids in ``image_dir`` become one animated GIF, so a
    resumed run's GIF covers the whole run.

    keras.io's form, ``GANMonitor(num_img=3, latent_dim=128)``, works as in its examples: after every Keras epoch it
    saves ``num_img`` images of new random latent points as ``generated_img_EPOCH_I.png`` in ``image_dir``
    (default: the current folder).
    """

    def __init__(self, inputs=None, image_dir: str | Path = ".", clock: StepClock | int = 1,
                 grid: tuple[int, int] = (5, 5), every_chunks: int = 1, tensorboard_dir: str | Path | None = None,
                 gif_path: str | Path | None = None, row_labels: list[str] | None = None, *,
                 num_img: int | None = None, latent_dim: int | None = None):
        super().__init__()
        if (inputs is None) == (num_img is None):
            raise ValueError("GANMonitor takes either the grid's generator inputs or keras.io's num_img and "
                             "latent_dim")
        self.inputs = inputs
        self.num_img, self.latent_dim = num_img, latent_dim
        self.rng = np.random.default_rng(42)
        self.row_labels = row_labels
        self.image_dir = Path(image_dir)
        self.clock = as_clock(clock)
        self.grid = grid
        self.every_chunks = every_chunks
        self.writer = None
        if tensorboard_dir and has_module("tensorflow"):
            with start_up_lines_hidden():  # on JAX or PyTorch this imports TensorFlow, which logs CUDA lines
                import tensorflow as tf

            self.writer = tf.summary.create_file_writer(str(tensorboard_dir))
        self.gif_path = Path(gif_path) if gif_path else None
        self.last_sampled_step: int | None = None

    def sample(self, step: int) -> Path:
        images = keras.ops.convert_to_numpy(self.model.generator(self.inputs, training=False))
        rows, cols = self.grid
        self.last_sampled_step = step
        path = save_image_grid(images, self.image_dir / f"step_{step:07d}.png", rows, cols, title=f"step {step}",
                               row_labels=self.row_labels)
        if self.writer is not None:
            import tensorflow as tf

            with self.writer.as_default():
                canvas = (images[: rows * cols] + 1.0) / 2.0
                tf.summary.image("samples", grid_tensor(canvas, rows, cols), step=step)
            self.writer.flush()
        return path

    def save_images(self, epoch: int) -> list[Path]:
        """keras.io's monitor: ``num_img`` images of new latent points, each a PNG in 0..255."""
        from kerasgan.fit_checks import generator_range

        noise = self.rng.normal(size=(self.num_img, self.latent_dim)).astype(np.float32)
        images = keras.ops.convert_to_numpy(self.model.generator(noise, training=False))
        low, high = generator_range(self.model.generator)
        pixels = np.clip((images - low) / (high - low) * 255.0, 0, 255)
        self.image_dir.mkdir(parents=True, exist_ok=True)
        paths = [self.image_dir / f"generated_img_{epoch:03d}_{index}.png" for index in range(self.num_img)]
        for path, image in zip(paths, pixels):
            keras.utils.array_to_img(image, scale=False).save(path)
        return paths

    def on_train_begin(self, logs=None):
        if self.num_img is None and not any(self.image_dir.glob("step_*.png")):
            self.sample(0)

    def on_epoch_end(self, index, logs=None):
        if self.num_img is not None:
            self.save_images(index)
        elif (index + 1) % self.every_chunks == 0 and stop_requested() is None:  # a stopped chunk ended early
            self.sample(self.clock.end_step(index))

    def on_train_end(self, logs=None):
        """The last grid and the GIF, once the run is over (a run of several ``fit()`` calls ends with the last)."""
        if self.num_img is not None:
            return
        final_step = self.model.optimizer_steps()
        if self.clock.total_steps is not None and final_step < self.clock.total_steps and not self.model.stop_training:
            return
        if final_step != self.last_sampled_step:
            self.sample(final_step)
        if self.gif_path is not None:
            save_gif(sorted(self.image_dir.glob("step_*.png")), self.gif_path)


def grid_tensor(images: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Images (N, H, W, C) in [0, 1] as one (1, rows*H, cols*W, C) image for ``tf.summary.image``."""
    _, height, width, channels = images.shape
    grid = images.reshape(rows, cols, height, width, channels).transpose(0, 2, 1, 3, 4)
    return grid.reshape(1, rows * height, cols * width, channels)


def has_module(name: str) -> bool:
    """Whether a package can be imported (without importing it)."""
    return importlib.util.find_spec(name) is not None


class LossScalars(keras.callbacks.Callback):
    """The logged losses as TensorBoard scalars at the step each chunk ends, written with the ``tensorboard``
    package alone (no TensorFlow)."""

    def __init__(self, log_dir: str | Path, clock: StepClock | int):
        super().__init__()
        from tensorboard.summary import Writer

        self.writer = Writer(str(Path(log_dir) / "train"))
        self.clock = as_clock(clock)

    def on_epoch_end(self, index, logs=None):
        for name, value in (logs or {}).items():  # Keras' own tag names: epoch_d_loss, ...
            self.writer.add_scalar(f"epoch_{name}", float(value), step=self.clock.end_step(index))
        self.writer.flush()

    def on_train_end(self, logs=None):
        self.writer.close()


def tensorboard_callbacks(log_dir: str | Path, clock: StepClock | int, say=print) -> list:
    """The callbacks that log the losses for TensorBoard: Keras' own where TensorFlow is installed, the
    ``tensorboard`` package's writer where only it is, none (and one line through ``say``) otherwise."""
    if has_module("tensorflow"):
        return [keras.callbacks.TensorBoard(log_dir=str(log_dir))]
    if has_module("tensorboard"):
        return [LossScalars(log_dir, clock)]
    say("TensorBoard logs skipped: neither tensorflow nor tensorboard is installed (the losses are in losses.csv)")
    return []


class NonFiniteLoss(TrainingFailed):
    """Training produced a NaN or infinite loss; the last good checkpoint is kept."""


class RunState(keras.callbacks.Callback):
    """Keeps the loss history, checkpoints every ``every_chunks`` chunks, stops at the first NaN/Inf loss, and
    stops with a checkpoint when a signal asks (:mod:`kerasgan.training.stopping`).

    After ``fit`` returns, ``failed_step`` is the step whose loss was not finite (or ``None``); with
    ``steps_per_execution > 1`` it is the last step of the compiled chunk in which the loss went bad.
    ``stopped_step`` is the step a signal stopped the run at (or ``None``): the end of the steps that were
    running, saved in the checkpoint.
    """

    def __init__(self, checkpoint_path: str | Path, clock: StepClock | int, history: dict[str, list[float]] | None = None,
                 every_chunks: int = 1):
        super().__init__()
        self.checkpoint_path = Path(checkpoint_path)
        self.clock = as_clock(clock)
        self.history = history if history is not None else {}
        self.every_chunks = every_chunks
        self.failed_step: int | None = None
        self.stopped_step: int | None = None
        self.saved_step: int | None = None
        self.chunk_index = 0

    def on_epoch_begin(self, index, logs=None):
        self.chunk_index = index

    def on_train_batch_end(self, batch, logs=None):
        step = self.clock.first_step(self.chunk_index) + batch + 1
        if logs and not all(math.isfinite(float(value)) for value in logs.values()):
            self.failed_step = step
            self.model.stop_training = True
        elif check_for_stop() is not None:
            self.stopped_step = step
            self.model.stop_training = True

    def failed_steps(self) -> str:
        """Where the loss went bad, in words: ``step 21`` or, for a compiled chunk, ``steps 21-25``."""
        chunk = getattr(self.model, "steps_per_execution", 1) or 1
        if chunk == 1:
            return f"step {self.failed_step}"
        return f"steps {self.failed_step - chunk + 1}-{self.failed_step}"

    def on_epoch_end(self, index, logs=None):
        if self.failed_step is not None:
            return
        step = self.clock.end_step(index)
        if self.stopped_step is not None and self.stopped_step < step:
            # Stopped inside the chunk: the checkpoint is at the stop; the chunk's losses are logged by the resumed
            # run, over the rest of the chunk.
            save_checkpoint(self.model, self.checkpoint_path, self.stopped_step, self.history)
            self.saved_step = self.stopped_step
            return
        self.history.setdefault("step", []).append(step)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(float(value))
        if (index + 1) % self.every_chunks == 0:
            save_checkpoint(self.model, self.checkpoint_path, step, self.history)
            self.saved_step = step

    def on_train_end(self, logs=None):
        steps = self.history.get("step")
        if self.failed_step is None and steps and (self.saved_step or 0) < steps[-1]:
            save_checkpoint(self.model, self.checkpoint_path, steps[-1], self.history)


class TrainingProgress(keras.callbacks.Callback):
    """Progress in the user's units: ``step k/N``, the real epoch (pass over the data), the losses and the ETA.

    On a terminal one line is rewritten after every chunk of steps; elsewhere (CI, a log file) a line is
    printed about ``lines`` times over the run, so a log stays a few lines long.
    """

    def __init__(self, clock: StepClock, steps_per_pass: int, stream=None, lines: int = 10):
        super().__init__()
        self.clock = clock
        self.total_steps = clock.total_steps
        self.steps_per_pass = max(1, steps_per_pass)
        self.start_step = clock.start_step
        self.stream = stream or sys.stdout
        self.interactive = self.stream.isatty()
        self.every_chunks = max(1, round(self.total_steps / clock.chunk / lines))
        self.started_s: float | None = None

    def on_train_begin(self, logs=None):
        if self.started_s is None:  # the first of the run's fit() calls
            self.started_s = time.perf_counter()

    def on_epoch_end(self, index, logs=None):
        step = self.clock.end_step(index)
        finished = self.clock.finished(step)
        if not (self.interactive or finished or (index + 1) % self.every_chunks == 0):
            return
        line = self.describe(step, logs or {})
        if self.interactive:
            print(f"\r{line:<110}", end="\n" if finished else "", file=self.stream, flush=True)
        else:
            print(line, file=self.stream, flush=True)

    def describe(self, step: int, logs: dict) -> str:
        """One progress line, e.g. ``step 2,000/18,800 (epoch 2.1/20)  d_loss 0.61 ...  3.9 ms/step  ETA 1m05s``."""
        elapsed_s = time.perf_counter() - self.started_s
        seconds_per_step = elapsed_s / max(1, step - self.start_step)
        remaining_s = seconds_per_step * (self.total_steps - step)
        values = "  ".join(f"{name} {float(value):.3f}" for name, value in logs.items())
        total_epochs = self.total_steps / self.steps_per_pass
        digits = 1 if total_epochs >= 10 else 2
        return (f"step {step:,}/{self.total_steps:,} (epoch {step / self.steps_per_pass:.{digits}f}/"
                f"{total_epochs:.{digits}f})  {values}  {1000 * seconds_per_step:.1f} ms/step  "
                f"ETA {format_duration(remaining_s)}")


def format_duration(seconds: float) -> str:
    """``75`` -> ``1m15s``; ``4000`` -> ``1h06m``."""
    seconds = int(round(seconds))
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
