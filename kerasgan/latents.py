"""The latent points a generator is fed outside training, drawn with a seeded numpy generator: from the
distribution it was trained on (each GAN family names its own), and the class grid's rows."""

from __future__ import annotations

import numpy as np

NORMAL = "normal"  # z ~ N(0, 1): every family but the semi-supervised one
UNIFORM = "uniform"  # z ~ U(0, 1): Salimans et al.'s code, which the semi-supervised family follows


def draw_latents(distribution: str, count: int, latent_dim: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` float32 latent points of size ``latent_dim`` from ``distribution`` (``NORMAL`` or ``UNIFORM``)."""
    if distribution == UNIFORM:
        return rng.uniform(size=(count, latent_dim)).astype(np.float32)
    return rng.normal(size=(count, latent_dim)).astype(np.float32)


def class_grid_inputs(latent_dim: int, num_classes: int, cols: int = 10, seed: int = 0):
    """Inputs for a grid with one row per class: the same ``cols`` latent points in every row."""
    noise = np.random.default_rng(seed).normal(size=(cols, latent_dim)).astype(np.float32)
    labels = np.repeat(np.arange(num_classes, dtype=np.int32), cols)[:, None]
    return np.tile(noise, (num_classes, 1)), labels
