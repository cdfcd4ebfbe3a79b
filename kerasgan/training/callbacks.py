"""Callbacks for ``GAN.fit``: fixed-latent sample grids (PNG, TensorBoard, GIF) and the run's saved state."""

from __future__ import annotations

import math
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from kerasgan.errors import TrainingFailed
from kerasgan.plotting import save_image_grid
from kerasgan.training.checkpoint import save_checkpoint


class GANMonitor(keras.callbacks.Callback):
    """Every ``every_epochs`` epochs, draw the same latent points and save the grid as a PNG.

    With ``tensorboard_dir`` the grid also goes to TensorBoard's Images tab; at the end of training all
    grids in ``image_dir`` become one animated GIF, so a resumed run's GIF covers the whole run.
    """

    def __init__(self, noise: np.ndarray, image_dir: str | Path, steps_per_epoch: int, grid: tuple[int, int] = (5, 5),
                 every_epochs: int = 1, tensorboard_dir: str | Path | None = None, gif_path: str | Path | None = None):
        super().__init__()
        self.noise = noise
        self.image_dir = Path(image_dir)
        self.steps_per_epoch = steps_per_epoch
        self.grid = grid
        self.every_epochs = every_epochs
        self.writer = tf.summary.create_file_writer(str(tensorboard_dir)) if tensorboard_dir else None
        self.gif_path = Path(gif_path) if gif_path else None
        self.last_sampled_step: int | None = None

    def sample(self, step: int) -> Path:
        images = np.asarray(self.model.generator(self.noise, training=False))
        rows, cols = self.grid
        self.last_sampled_step = step
        path = save_image_grid(images, self.image_dir / f"step_{step:07d}.png", rows, cols, title=f"step {step}")
        if self.writer is not None:
            with self.writer.as_default():
                canvas = (images[: rows * cols] + 1.0) / 2.0
                tf.summary.image("samples", grid_tensor(canvas, rows, cols), step=step)
            self.writer.flush()
        return path

    def on_train_begin(self, logs=None):
        if not any(self.image_dir.glob("step_*.png")):
            self.sample(0)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_epochs == 0:
            self.sample((epoch + 1) * self.steps_per_epoch)

    def on_train_end(self, logs=None):
        final_step = self.model.optimizer_steps() if hasattr(self.model, "optimizer_steps") else None
        if final_step is not None and final_step != self.last_sampled_step:
            self.sample(final_step)
        if self.gif_path is not None:
            save_gif(sorted(self.image_dir.glob("step_*.png")), self.gif_path)


def grid_tensor(images: np.ndarray, rows: int, cols: int) -> tf.Tensor:
    """Images (N, H, W, C) in [0, 1] as one (1, rows*H, cols*W, C) image for ``tf.summary.image``."""
    _, height, width, channels = images.shape
    grid = images.reshape(rows, cols, height, width, channels).transpose(0, 2, 1, 3, 4)
    return tf.convert_to_tensor(grid.reshape(1, rows * height, cols * width, channels))


def save_gif(frame_paths: list[Path], gif_path: str | Path, frame_ms: int = 300) -> Path | None:
    """Join PNG frames into an animated GIF that holds on its last frame; returns the path or ``None``."""
    from PIL import Image

    if not frame_paths:
        return None
    frames = [Image.open(path).convert("P") for path in frame_paths]
    durations = [frame_ms] * (len(frames) - 1) + [frame_ms * 5]
    frames[0].save(gif_path, save_all=True, append_images=frames[1:], duration=durations, loop=0)
    return Path(gif_path)


class NonFiniteLoss(TrainingFailed):
    """Training produced a NaN or infinite loss; the last good checkpoint is kept."""


class RunState(keras.callbacks.Callback):
    """Keeps the loss history, checkpoints every ``every_epochs`` epochs, and stops at the first NaN/Inf loss.

    After ``fit`` returns, ``failed_step`` is the step whose loss was not finite (or ``None``); with
    ``steps_per_execution > 1`` it is the last step of the compiled chunk in which the loss went bad.
    """

    def __init__(self, checkpoint_path: str | Path, steps_per_epoch: int, history: dict[str, list[float]] | None = None,
                 every_epochs: int = 1):
        super().__init__()
        self.checkpoint_path = Path(checkpoint_path)
        self.steps_per_epoch = steps_per_epoch
        self.history = history if history is not None else {}
        self.every_epochs = every_epochs
        self.failed_step: int | None = None
        self.saved_step: int | None = None
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if logs and not all(math.isfinite(float(value)) for value in logs.values()):
            self.failed_step = self.epoch * self.steps_per_epoch + batch + 1
            self.model.stop_training = True

    def failed_steps(self) -> str:
        """Where the loss went bad, in words: ``step 21`` or, for a compiled chunk, ``steps 21-25``."""
        chunk = getattr(self.model, "steps_per_execution", 1) or 1
        if chunk == 1:
            return f"step {self.failed_step}"
        return f"steps {self.failed_step - chunk + 1}-{self.failed_step}"

    def on_epoch_end(self, epoch, logs=None):
        if self.failed_step is not None:
            return
        step = (epoch + 1) * self.steps_per_epoch
        self.history.setdefault("step", []).append(step)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(float(value))
        if (epoch + 1) % self.every_epochs == 0:
            save_checkpoint(self.model, self.checkpoint_path, step, self.history)
            self.saved_step = step

    def on_train_end(self, logs=None):
        steps = self.history.get("step")
        if self.failed_step is None and steps and self.saved_step != steps[-1]:
            save_checkpoint(self.model, self.checkpoint_path, steps[-1], self.history)
