"""The articles' ``train_on_batch`` loop and its models, kept line for line in spirit and made correct on Keras 3.

Each iteration: the discriminator learns one real batch (label 1) and one generated batch (label 0),
``d_loss = 0.5 * (real + fake)``; then the generator learns through the combined model with label 1.
Keras 3 reads ``trainable`` when it trains, so the discriminator is frozen only around the combined step.
"""

from __future__ import annotations

import os

import keras
import numpy as np

from kerasgan.data import model_range
from kerasgan.data_spec import MNIST
from kerasgan.nets import LATENT_DIM, UNCONDITIONAL, build_gan_pair, get_architecture
from kerasgan.plotting import sample_images
from kerasgan.recipes import make_optimizer


class frozen:
    """Context manager: ``model.trainable = False`` inside the block, restored after."""

    def __init__(self, model: keras.Model):
        self.model = model

    def __enter__(self) -> keras.Model:
        self.was_trainable = self.model.trainable
        self.model.trainable = False
        return self.model

    def __exit__(self, *exc_info) -> None:
        self.model.trainable = self.was_trainable


def build_combined(
    generator: keras.Model, discriminator: keras.Model, optimizer: str | keras.optimizers.Optimizer = "adam"
) -> keras.Model:
    """The articles' stacked model z -> G -> D, compiled to train G to make D answer "real".

    The discriminator is frozen inside it; under Keras 3 the flag is read at train time, so :func:`train`
    freezes it around each combined step and unfreezes it after.
    """
    z = keras.Input(shape=generator.input_shape[1:])
    validity = discriminator(generator(z))
    combined = keras.Model(z, validity, name="combined")
    optimizer = make_optimizer(optimizer) if isinstance(optimizer, str) else optimizer
    with frozen(discriminator):
        combined.compile(loss="binary_crossentropy", optimizer=optimizer)
    return combined


def initialize_model(
    latent_dim: int = LATENT_DIM,
    img_shape: tuple = MNIST.image_shape,
    optimizer: str = "adam",
    architecture: str = "keras-gan",
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Build and compile ``(discriminator, generator, combined)`` as the articles do.

    Binary cross-entropy everywhere, the discriminator also reports accuracy, and each compiled model
    gets its own optimizer of the named kind (``'adam'`` or ``'sgd'``). The articles' loop trains the
    unconditional architectures only.
    """
    get_architecture(architecture, UNCONDITIONAL)
    generator, discriminator = build_gan_pair(architecture, latent_dim, img_shape)
    discriminator.compile(loss="binary_crossentropy", optimizer=make_optimizer(optimizer), metrics=["accuracy"])
    combined = build_combined(generator, discriminator, make_optimizer(optimizer))
    return discriminator, generator, combined


def train(
    discriminator: keras.Model,
    generator: keras.Model,
    combined: keras.Model,
    x_train: np.ndarray,
    epochs: int = 10000,
    batch_size: int = 32,
    sample_interval: int = 200,
    sample_path: str | os.PathLike | None = "images/%d.png",
    sample_grid: tuple[int, int] = (5, 5),
    seed: int | None = 0,
    use_predict: bool = False,
    progress: bool = True,
) -> dict[str, list[float]]:
    """Train with the articles' loop and return the histories ``{'d_loss', 'd_acc', 'g_loss'}``.

    ``epochs`` counts what the articles call epochs: single iterations on one random batch each, not
    passes over the data. A grid of ``sample_grid`` images from fixed latents is saved every
    ``sample_interval`` iterations to ``sample_path % iteration`` (``None`` saves none).
    ``use_predict=True`` makes fakes with ``generator.predict`` exactly as the articles do; the default
    calls the generator directly, which computes the same images far faster.
    """
    rng = np.random.default_rng(seed)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    latent_dim = generator.input_shape[-1]
    valid = np.ones((batch_size, 1), dtype=np.float32)
    fake = np.zeros((batch_size, 1), dtype=np.float32)
    rows, cols = sample_grid
    fixed_noise = rng.normal(0.0, 1.0, (rows * cols, latent_dim)).astype(np.float32)
    history: dict[str, list[float]] = {"d_loss": [], "d_acc": [], "g_loss": []}
    progbar = keras.utils.Progbar(epochs, stateful_metrics=list(history)) if progress else None

    for epoch in range(epochs):
        imgs = model_range(x_train[rng.integers(0, len(x_train), batch_size)])
        noise = rng.normal(0.0, 1.0, (batch_size, latent_dim)).astype(np.float32)
        gen_imgs = generator.predict(noise, verbose=0) if use_predict else generator(noise, training=False)

        d_loss_real = discriminator.train_on_batch(imgs, valid)
        d_loss_fake = discriminator.train_on_batch(gen_imgs, fake)
        d_loss = 0.5 * np.add(d_loss_real, d_loss_fake)

        noise = rng.normal(0.0, 1.0, (batch_size, latent_dim)).astype(np.float32)
        with frozen(discriminator):
            g_loss = combined.train_on_batch(noise, valid)

        history["d_loss"].append(float(d_loss[0]))
        history["d_acc"].append(float(d_loss[1]))
        history["g_loss"].append(float(np.ravel(g_loss)[0]))
        if progbar is not None and ((epoch + 1) % 10 == 0 or epoch + 1 == epochs):
            progbar.update(epoch + 1, [(name, values[-1]) for name, values in history.items()])
        if sample_path is not None and (epoch % sample_interval == 0 or epoch + 1 == epochs):
            sample_images(generator, epoch, rows, cols, path=str(sample_path), noise=fixed_noise)
    return history
