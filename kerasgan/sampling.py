"""New images from a trained generator: a grid of samples, one class or one row per class, and latent walks.

What every tutorial ends with ("generate new digits"), for any generator kerasgan saves. The GAN class that
trained it (:func:`kerasgan.gans.family_class` of the run's recipe) says what it takes: ``z`` alone, or
``[z, label]`` for a conditional one, with ``z`` drawn from N(0, 1) or U(0, 1). The latent points come from a
seeded numpy generator, so the same seed gives the same images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np

from kerasgan.data_spec import MNIST
from kerasgan.errors import UserError
from kerasgan.gans import GAN, BaseGAN
from kerasgan.latents import NORMAL, draw_latents


@dataclass
class Samples:
    """Generated images in [-1, 1] with the grid they fill and, for a conditional generator, the labels asked for."""

    images: np.ndarray
    rows: int
    cols: int
    labels: np.ndarray | None = None
    row_labels: list[str] | None = None


def generator_latents(generator: keras.Model, family: type[BaseGAN], count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` latent points from the distribution ``family`` trains its generator on."""
    return draw_latents(family.latent_distribution, count, generator.inputs[0].shape[-1], rng)


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


def grid_labels(family: type[BaseGAN], class_names: tuple[str, ...] | None, count: int, label: int | None = None,
                per_class: bool = False) -> tuple[np.ndarray | None, int, int]:
    """The labels to ask a generator for and the grid shape ``(labels, rows, cols)`` of ``count`` samples.

    A conditional generator draws one row per class (of ``class_names``) unless ``label`` names one class; an
    unconditional one accepts neither option.
    """
    if not family.conditional:
        if label is not None or per_class:
            raise UserError(not_conditional_message())
        cols = math.ceil(math.sqrt(count))
        return None, math.ceil(count / cols), cols
    num_classes = len(class_names)
    if label is not None:
        if not 0 <= label < num_classes:
            raise UserError(f"--label {label} is not a class of this generator (choose from 0 to {num_classes - 1})")
        cols = math.ceil(math.sqrt(count))
        return np.full(count, label, dtype=np.int32), math.ceil(count / cols), cols
    cols = math.ceil(count / num_classes)
    return np.repeat(np.arange(num_classes, dtype=np.int32), cols), num_classes, cols


def conditional_recipes() -> list[str]:
    """The recipes whose generator takes a label (the conditional and auxiliary-classifier GANs)."""
    from kerasgan.gans import family_class
    from kerasgan.recipes import RECIPES, Recipe

    return [name for name, recipe in RECIPES.items()
            if isinstance(recipe, Recipe) and family_class(recipe.architecture).conditional]


def not_conditional_message() -> str:
    """The one line that refuses --label or --per-class for a generator that takes no label."""
    return (f"this generator has no label input: --label and --per-class need a conditional one (a run of "
            f"{', '.join(conditional_recipes())})")


def label_index(name: str, family: type[BaseGAN], class_names: tuple[str, ...] | None) -> int:
    """The class number of the class called ``name`` (a folder's subfolder name, a digit for MNIST, ...), for a
    conditional ``family``: an exact name first, else the one name equal to it ignoring case. Anything else is
    refused in one line that lists the choices."""
    if not family.conditional:
        raise UserError(not_conditional_message())
    names = list(class_names or ())
    if name in names:
        return names.index(name)
    folded = [index for index, candidate in enumerate(names) if candidate.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise UserError(f"--label {name} is not a class of this generator (choose from: {', '.join(names)})")


def sample(generator: keras.Model, count: int = 64, seed: int = 0, label: int | None = None,
           per_class: bool = False, class_names: tuple[str, ...] = MNIST.class_names,
           family: type[BaseGAN] = GAN) -> Samples:
    """``count`` new images from a generator ``family`` trained (one row per class of ``class_names`` for a
    conditional one: ``ceil(count / len(class_names))`` each)."""
    labels, rows, cols = grid_labels(family, class_names, count, label, per_class)
    count = len(labels) if labels is not None else count
    images = generate(generator, generator_latents(generator, family, count, np.random.default_rng(seed)), labels)
    row_labels = list(class_names) if labels is not None and label is None else None
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
                label: int | None = None, per_class: bool = False, class_names: tuple[str, ...] = MNIST.class_names,
                family: type[BaseGAN] = GAN) -> list[Samples]:
    """Frames of a loop through ``points`` random latent points per grid cell: every cell's image morphs
    smoothly from one sample into the next and back to the first (labels stay fixed)."""
    labels, rows, cols = grid_labels(family, class_names, count, label, per_class)
    count = len(labels) if labels is not None else count
    rng = np.random.default_rng(seed)
    stops = [generator_latents(generator, family, count, rng) for _ in range(points)]
    spherical = family.latent_distribution == NORMAL
    frames = []
    for leg in range(points):
        start, end = stops[leg], stops[(leg + 1) % points]
        for frame in range(frames_per_leg):
            latents = interpolate(start, end, frame / frames_per_leg, spherical).astype(np.float32)
            frames.append(Samples(generate(generator, latents, labels), rows, cols, labels))
    return frames
