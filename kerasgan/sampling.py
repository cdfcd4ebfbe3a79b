"""New images from a trained generator: a grid of samples, one digit or one row per class, and latent walks.

What every tutorial ends with ("generate new digits"), for any generator kerasgan saves: unconditional
ones take ``z``, conditional ones ``[z, label]``. The latent points are drawn from the distribution the
generator was trained on (N(0, 1); U(0, 1) for the semi-supervised GAN's generator) with a seeded numpy
generator, so the same seed gives the same images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np

from kerasgan.errors import UserError

NUM_CLASSES = 10
UNIFORM_LATENT_GENERATORS = ("sgan_generator",)  # trained on z ~ U(0, 1) (Salimans et al.'s code)


@dataclass
class Samples:
    """Generated images in [-1, 1] with the grid they fill and, for a conditional generator, the labels asked for."""

    images: np.ndarray
    rows: int
    cols: int
    labels: np.ndarray | None = None
    row_labels: list[str] | None = None


def class_grid_inputs(z_size: int, num_classes: int = NUM_CLASSES, cols: int = 10, seed: int = 0):
    """Inputs for a grid with one row per class: the same ``cols`` latent points in every row."""
    noise = np.random.default_rng(seed).normal(size=(cols, z_size)).astype(np.float32)
    labels = np.repeat(np.arange(num_classes, dtype=np.int32), cols)[:, None]
    return np.tile(noise, (num_classes, 1)), labels


def is_conditional(generator: keras.Model) -> bool:
    """Whether the generator takes ``[z, label]``."""
    return len(generator.inputs) == 2


def draw_latents(generator: keras.Model, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` latent points from the distribution the generator was trained on."""
    size = generator.inputs[0].shape[-1]
    if generator.name in UNIFORM_LATENT_GENERATORS:
        return rng.uniform(size=(count, size)).astype(np.float32)
    return rng.normal(size=(count, size)).astype(np.float32)


def generate(generator: keras.Model, latents: np.ndarray, labels: np.ndarray | None = None,
             batch_size: int = 500) -> np.ndarray:
    """The generator's images for the given latent points (and labels), in batches, as float32 numpy."""
    batches = []
    for start in range(0, len(latents), batch_size):
        inputs = latents[start: start + batch_size]
        if labels is not None:
            inputs = [inputs, labels[start: start + batch_size, None].astype(np.int32)]
        batches.append(keras.ops.convert_to_numpy(generator(inputs, training=False)))
    return np.concatenate(batches).astype(np.float32)


def grid_labels(generator: keras.Model, count: int, label: int | None = None,
                per_class: bool = False) -> tuple[np.ndarray | None, int, int]:
    """The labels to ask a generator for and the grid shape ``(labels, rows, cols)`` of ``count`` samples.

    A conditional generator draws one row per class unless ``label`` names one class; an unconditional one
    accepts neither option.
    """
    if not is_conditional(generator):
        if label is not None or per_class:
            raise UserError("this generator has no label input: --label and --per-class need a conditional one")
        cols = math.ceil(math.sqrt(count))
        return None, math.ceil(count / cols), cols
    if label is not None:
        if not 0 <= label < NUM_CLASSES:
            raise UserError(f"--label {label} is not a class of this generator (choose from 0 to {NUM_CLASSES - 1})")
        cols = math.ceil(math.sqrt(count))
        return np.full(count, label, dtype=np.int32), math.ceil(count / cols), cols
    cols = math.ceil(count / NUM_CLASSES)
    return np.repeat(np.arange(NUM_CLASSES, dtype=np.int32), cols), NUM_CLASSES, cols


def sample(generator: keras.Model, count: int = 64, seed: int = 0, label: int | None = None,
           per_class: bool = False, class_names: list[str] | None = None) -> Samples:
    """``count`` new images (one row per class for a conditional generator: ``ceil(count / 10)`` each)."""
    labels, rows, cols = grid_labels(generator, count, label, per_class)
    count = len(labels) if labels is not None else count
    images = generate(generator, draw_latents(generator, count, np.random.default_rng(seed)), labels)
    row_labels = None
    if labels is not None and label is None:
        row_labels = list(class_names or [str(k) for k in range(NUM_CLASSES)])
    return Samples(images, rows, cols, labels, row_labels)


def interpolate(start: np.ndarray, end: np.ndarray, fraction: float, spherical: bool) -> np.ndarray:
    """A point ``fraction`` of the way from ``start`` to ``end``, row by row: along the great circle for
    Gaussian latents (a straight line would pass through improbably short vectors), straight for uniform ones."""
    if not spherical:
        return (1.0 - fraction) * start + fraction * end
    cosine = np.sum(start * end, axis=1) / (np.linalg.norm(start, axis=1) * np.linalg.norm(end, axis=1))
    angle = np.arccos(np.clip(cosine, -1.0, 1.0))[:, None]
    sine = np.maximum(np.sin(angle), 1e-7)
    return (np.sin((1.0 - fraction) * angle) * start + np.sin(fraction * angle) * end) / sine


def latent_walk(generator: keras.Model, count: int = 16, points: int = 4, frames_per_leg: int = 12, seed: int = 0,
                label: int | None = None, per_class: bool = False) -> list[Samples]:
    """Frames of a loop through ``points`` random latent points per grid cell: every cell's image morphs
    smoothly from one sample into the next and back to the first (labels stay fixed)."""
    labels, rows, cols = grid_labels(generator, count, label, per_class)
    count = len(labels) if labels is not None else count
    rng = np.random.default_rng(seed)
    stops = [draw_latents(generator, count, rng) for _ in range(points)]
    spherical = generator.name not in UNIFORM_LATENT_GENERATORS
    frames = []
    for leg in range(points):
        start, end = stops[leg], stops[(leg + 1) % points]
        for frame in range(frames_per_leg):
            latents = interpolate(start, end, frame / frames_per_leg, spherical).astype(np.float32)
            frames.append(Samples(generate(generator, latents, labels), rows, cols, labels))
    return frames
