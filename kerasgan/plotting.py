"""Pictures a person can open: sample grids and loss curves as PNG, loss histories as CSV."""

from __future__ import annotations

import csv
import functools
import os
from pathlib import Path

import keras
import numpy as np

from kerasgan.data_spec import MNIST
from kerasgan.latents import class_grid_inputs


@functools.cache
def pyplot():
    """matplotlib's ``pyplot`` on the file-only Agg backend, imported when the first picture is drawn, so that
    importing kerasgan (a checkpoint, a train step) does not load matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot

    return matplotlib.pyplot


def tile_images(images: np.ndarray, rows: int, cols: int, pad: int = 2) -> np.ndarray:
    """Arrange ``rows * cols`` images in [-1, 1] into one [0, 1] canvas with a thin white border: greyscale
    ``(H, W)`` for one channel, RGB ``(H, W, 3)`` for three, and four (RGBA) composited onto white."""
    images = (np.asarray(images, dtype=np.float32)[: rows * cols] + 1.0) / 2.0
    images = images[..., 0] if images.shape[-1] == 1 else composite_on_white(images)
    height, width = images.shape[1:3]
    canvas = np.ones((rows * (height + pad) + pad, cols * (width + pad) + pad, *images.shape[3:]), dtype=np.float32)
    for index, image in enumerate(images):
        top = pad + (index // cols) * (height + pad)
        left = pad + (index % cols) * (width + pad)
        canvas[top: top + height, left: left + width] = np.clip(image, 0.0, 1.0)
    return canvas


def composite_on_white(images: np.ndarray) -> np.ndarray:
    """RGB images in [0, 1]: RGBA ones laid on a white background, RGB ones as they are."""
    if images.shape[-1] != 4:
        return images
    alpha = np.clip(images[..., 3:], 0.0, 1.0)
    return images[..., :3] * alpha + (1.0 - alpha)


def save_image_grid(images: np.ndarray, path: str | os.PathLike, rows: int, cols: int, title: str | None = None,
                    row_labels: list[str] | None = None) -> Path:
    """Save images in [-1, 1] as a ``rows x cols`` PNG grid (0.8 inch a row); returns the path written.

    ``row_labels`` (a class grid's class names) are written left of each row. The margins are measured around the
    images, the labels and the title, so that no label is cut off however long it is and grids of the same shape
    and labels are the same size in pixels (the GIF of a run's grids needs that)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas = tile_images(images, rows, cols)
    plt = pyplot()
    figure = plt.figure()
    axis = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axis.imshow(canvas, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    axis.set_xticks([])
    label_width = 0.0  # inches
    if row_labels:
        cell = canvas.shape[0] / rows
        axis.set_yticks([cell * (row + 0.5) for row in range(rows)], labels=row_labels, fontsize=7)
        renderer = figure.canvas.get_renderer()
        label_width = max(label.get_window_extent(renderer).width for label in axis.get_yticklabels()) / figure.dpi
        label_width += 0.12  # the tick and the gap beside it
    else:
        axis.set_yticks([])
    if title:
        axis.set_title(title, fontsize=9)
    height = 0.8 * rows
    width = height * canvas.shape[1] / canvas.shape[0]
    left, right, bottom, top = 0.1 + label_width, 0.1, 0.1, 0.1 + (0.3 if title else 0.0)
    figure.set_size_inches(left + width + right, bottom + height + top)
    total_width, total_height = figure.get_size_inches()
    axis.set_position((left / total_width, bottom / total_height, width / total_width, height / total_height))
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def sample_images(
    generator,
    step: int,
    rows: int = 5,
    cols: int = 5,
    path: str = "images/%d.png",
    noise: np.ndarray | None = None,
    seed: int | None = None,
) -> Path:
    """The articles' ``sample_images``: a ``rows x cols`` grid from the generator saved to ``path % step``.

    Pass ``noise`` (fixed latents) to watch the same points evolve; otherwise fresh normal noise is drawn.
    """
    if noise is None:
        latent_dim = generator.input_shape[-1]
        noise = np.random.default_rng(seed).normal(0.0, 1.0, (rows * cols, latent_dim)).astype(np.float32)
    images = keras.ops.convert_to_numpy(generator(noise, training=False))
    return save_image_grid(images, path % step, rows, cols, title=f"step {step}")


def write_history_csv(history: dict[str, list[float]], path: str | os.PathLike, steps: list[int] | None = None,
                      index_name: str = "step") -> Path:
    """Write equal-length loss/metric lists as CSV columns, one row per recorded step (1, 2, ... by default)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(history)
    length = len(history[names[0]]) if names else 0
    steps = list(steps) if steps is not None else list(range(1, length + 1))
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([index_name, *names])
        for row in range(length):
            writer.writerow([steps[row], *(f"{history[name][row]:.6g}" for name in names)])
    return path


def plot_losses(history: dict[str, list[float]], path: str | os.PathLike, steps: list[int] | None = None,
                xlabel: str = "iteration") -> Path:
    """Plot every ``*loss*`` series of a history (a moving average when it is long) and save a PNG."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(7, 4))
    for name, values in history.items():
        if "loss" not in name or not values:
            continue
        values = np.asarray(values, dtype=np.float64)
        x = np.asarray(steps if steps is not None else np.arange(1, len(values) + 1), dtype=np.float64)
        window = max(1, len(values) // 200)
        if window > 1:
            kernel = np.ones(window) / window
            values, x = np.convolve(values, kernel, mode="valid"), np.convolve(x, kernel, mode="valid")
        axis.plot(x, values, label=name, linewidth=1)
    axis.set_xlabel(xlabel)
    axis.set_ylabel("loss")
    axis.legend()
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def save_gif(frame_paths: list[Path], gif_path: str | Path, frame_ms: int = 300) -> Path | None:
    """Join PNG frames into an animated GIF that holds on its last frame; returns the path or ``None``."""
    from PIL import Image

    if not frame_paths:
        return None
    frames = [Image.open(path).convert("P") for path in frame_paths]
    return write_gif(frames, gif_path, [frame_ms] * (len(frames) - 1) + [frame_ms * 5])


def save_canvas_gif(canvases: list[np.ndarray], gif_path: str | Path, frame_ms: int = 80, scale: int = 3) -> Path:
    """An animated GIF of canvases in [0, 1] (greyscale or RGB) (from :func:`tile_images`), enlarged ``scale`` times, looping."""
    from PIL import Image

    frames = [Image.fromarray(np.round(canvas * 255).astype(np.uint8)).resize(
        (canvas.shape[1] * scale, canvas.shape[0] * scale), Image.NEAREST) for canvas in canvases]
    return write_gif(frames, gif_path, [frame_ms] * len(frames))


def write_gif(frames: list, gif_path: str | Path, durations_ms: list[int]) -> Path:
    """Write PIL images as one looping GIF with the given frame durations."""
    frames[0].save(gif_path, save_all=True, append_images=frames[1:], duration=durations_ms, loop=0)
    return Path(gif_path)


def sample_class_grid(generator: keras.Model, path: str | Path, cols: int = 10, seed: int = 0,
                      class_names: tuple[str, ...] = MNIST.class_names, title: str | None = None) -> Path:
    """Save a grid of a conditional generator's images, row ``k`` showing class ``k`` (labelled with its name)."""
    noise, labels = class_grid_inputs(generator.input_shape[0][-1], len(class_names), cols, seed)
    images = keras.ops.convert_to_numpy(generator([noise, labels], training=False))
    return save_image_grid(images, path, len(class_names), cols, title=title, row_labels=list(class_names))
