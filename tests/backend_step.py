"""One training step of a GAN on the backend this process runs (``KERAS_BACKEND``), from weights, a batch and
noise stored in a file, for the cross-backend test (each backend needs its own process).

    python tests/backend_step.py init FOLDER ARCHITECTURE...   # initial weights, batch, noise
    python tests/backend_step.py step FOLDER ARCHITECTURE...   # one SGD and one Adam step from them

Dropout is switched off: its masks come from each backend's own random numbers.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import keras
import numpy as np

from kerasgan.gans import build_gan
from kerasgan.gans import LABELLED, family_class

BATCH = 16


OPTIMIZERS = ("sgd", "adam")


def build(architecture: str, optimizer: str = "adam"):
    gan = build_gan(architecture, seed=0, optimizer=optimizer)
    for layer in gan.discriminator.layers:
        if isinstance(layer, keras.layers.Dropout):
            layer.rate = 0.0
    return gan


def initial_state(gan, conditional: bool) -> dict:
    rng = np.random.default_rng(1)
    arrays = {f"weight/{index:03d}": np.asarray(weight)
              for index, weight in enumerate(gan.generator.weights + gan.discriminator.weights)}
    arrays["images"] = rng.uniform(-1, 1, (BATCH, 28, 28, 1)).astype(np.float32)
    arrays["noise"] = rng.normal(size=(BATCH, gan.latent_dim)).astype(np.float32)
    arrays["mix"] = rng.uniform(size=(BATCH, 1, 1, 1)).astype(np.float32)  # WGAN-GP's interpolation weights
    if conditional:
        arrays["labels"] = rng.integers(0, 10, BATCH).astype(np.int32)
        arrays["fake_labels"] = rng.integers(0, 10, (BATCH, 1)).astype(np.int32)
    return arrays


def one_step(gan, arrays: dict, conditional: bool) -> dict:
    """Load the stored weights, make the GAN draw the stored noise (and interpolation weights), take one ``fit()``
    step; the new weights."""
    weights = gan.generator.weights + gan.discriminator.weights
    for index, weight in enumerate(weights):
        weight.assign(arrays[f"weight/{index:03d}"])
    noise = arrays["noise"]
    gan.sample_noise = lambda batch_size: keras.ops.convert_to_tensor(noise)
    gan.sample_inputs = lambda batch_size: (keras.ops.convert_to_tensor(noise),
                                            keras.ops.convert_to_tensor(arrays["fake_labels"]))
    gan.interpolation_weights = lambda batch_size: keras.ops.convert_to_tensor(arrays["mix"])
    batch = (arrays["images"], arrays["labels"]) if conditional else (arrays["images"],)
    logs = gan.fit((batch for _ in itertools.count()), epochs=1, steps_per_epoch=1, verbose=0, shuffle=False).history
    result = {f"weight/{index:03d}": np.asarray(weight) for index, weight in enumerate(weights)}
    result.update({f"log/{name}": np.asarray(values[-1]) for name, values in logs.items()})
    return result


def main(mode: str, folder: str, *architectures: str) -> None:
    for architecture in architectures:
        conditional = family_class(architecture).batch_format == LABELLED
        if mode == "init":
            keras.utils.set_random_seed(0)  # the same initial weights in every run: the test is reproducible
            np.savez(Path(folder) / f"initial-{architecture}.npz", **initial_state(build(architecture), conditional))
            continue
        with np.load(Path(folder) / f"initial-{architecture}.npz") as stored:
            arrays = dict(stored)
        for optimizer in OPTIMIZERS:
            np.savez(Path(folder) / f"{keras.config.backend()}-{architecture}-{optimizer}.npz",
                     **one_step(build(architecture, optimizer), arrays, conditional))


if __name__ == "__main__":
    main(*sys.argv[1:])
