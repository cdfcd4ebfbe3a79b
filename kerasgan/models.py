"""Functional-API builders for the articles' generators, discriminators, combined models and classifiers.

Every builder uses only ``keras`` layers, so the models run on any Keras 3 backend. Discriminators end in
a sigmoid as in the articles; pass ``output_activation=None`` to get logits for the compiled fast path.
"""

from __future__ import annotations

from typing import Callable

import keras
from keras import layers

Z_SIZE = 100
IMG_SHAPE = (28, 28, 1)


def build_generator(z_size: int = Z_SIZE, img_shape: tuple = IMG_SHAPE) -> keras.Model:
    """The Keras-GAN articles' MLP generator: three LeakyReLU + BatchNorm blocks, then a tanh image."""
    noise = keras.Input(shape=(z_size,))
    x = noise
    for units in (256, 512, 1024):
        x = layers.Dense(units)(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        x = layers.BatchNormalization(momentum=0.8)(x)
    x = layers.Dense(_num_pixels(img_shape), activation="tanh")(x)
    img = layers.Reshape(img_shape)(x)
    return keras.Model(noise, img, name="generator")


def build_discriminator(img_shape: tuple = IMG_SHAPE, output_activation: str | None = "sigmoid") -> keras.Model:
    """The Keras-GAN articles' MLP discriminator: Dense 512 and 256 with LeakyReLU, one validity output."""
    img = keras.Input(shape=img_shape)
    x = layers.Flatten()(img)
    x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(512)(x))
    x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(256)(x))
    validity = layers.Dense(1, activation=output_activation)(x)
    return keras.Model(img, validity, name="discriminator")


def build_six_minute_generator(z_size: int = Z_SIZE, img_shape: tuple = IMG_SHAPE) -> keras.Model:
    """The "GAN in 6 minutes" PyTorch article's generator: 100 -> 128 -> 256 (ReLU) -> 784 (tanh)."""
    noise = keras.Input(shape=(z_size,))
    x = layers.Dense(128, activation="relu")(noise)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dense(_num_pixels(img_shape), activation="tanh")(x)
    img = layers.Reshape(img_shape)(x)
    return keras.Model(noise, img, name="generator")


def build_six_minute_discriminator(img_shape: tuple = IMG_SHAPE, output_activation: str | None = "sigmoid") -> keras.Model:
    """The "GAN in 6 minutes" discriminator: 784 -> 256 -> 128 (LeakyReLU 0.2) -> 1."""
    img = keras.Input(shape=img_shape)
    x = layers.Flatten()(img)
    x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(256)(x))
    x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(128)(x))
    validity = layers.Dense(1, activation=output_activation)(x)
    return keras.Model(img, validity, name="discriminator")


def build_small_generator(z_size: int = Z_SIZE, img_shape: tuple = IMG_SHAPE) -> keras.Model:
    """The "GANs for image classification" article's generator: one hidden layer of 128."""
    noise = keras.Input(shape=(z_size,))
    x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(128)(noise))
    x = layers.Dense(_num_pixels(img_shape), activation="tanh")(x)
    img = layers.Reshape(img_shape)(x)
    return keras.Model(noise, img, name="generator")


def build_small_discriminator(img_shape: tuple = IMG_SHAPE, output_activation: str | None = "sigmoid") -> keras.Model:
    """The "GANs for image classification" article's discriminator: one hidden layer of 128."""
    img = keras.Input(shape=img_shape)
    x = layers.Flatten()(img)
    x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(128)(x))
    validity = layers.Dense(1, activation=output_activation)(x)
    return keras.Model(img, validity, name="discriminator")


ARCHITECTURES: dict[str, tuple[Callable[..., keras.Model], Callable[..., keras.Model]]] = {
    "keras-gan": (build_generator, build_discriminator),
    "gan-in-6-min": (build_six_minute_generator, build_six_minute_discriminator),
    "gan-for-classification": (build_small_generator, build_small_discriminator),
}


def build_gan_pair(
    architecture: str = "keras-gan",
    z_size: int = Z_SIZE,
    img_shape: tuple = IMG_SHAPE,
    output_activation: str | None = "sigmoid",
) -> tuple[keras.Model, keras.Model]:
    """Return ``(generator, discriminator)`` of a named architecture (see ``ARCHITECTURES``)."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture '{architecture}' (choose from: {', '.join(ARCHITECTURES)})")
    generator_builder, discriminator_builder = ARCHITECTURES[architecture]
    generator = generator_builder(z_size=z_size, img_shape=img_shape)
    discriminator = discriminator_builder(img_shape=img_shape, output_activation=output_activation)
    return generator, discriminator


def make_optimizer(name: str = "adam") -> keras.optimizers.Optimizer:
    """A fresh optimizer as the articles configure it: ``'adam'`` is Adam(0.0002, beta_1=0.5), ``'sgd'`` Keras' SGD.

    Each model needs its own instance: Keras 3 refuses one optimizer shared by two models.
    """
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5)
    if name == "sgd":
        return keras.optimizers.SGD()
    raise ValueError(f"unknown optimizer '{name}' (choose from: adam, sgd)")


def build_combined(
    generator: keras.Model, discriminator: keras.Model, optimizer: str | keras.optimizers.Optimizer = "adam"
) -> keras.Model:
    """The articles' stacked model z -> G -> D, compiled to train G to make D answer "real".

    The discriminator is frozen inside it; under Keras 3 the flag is read at train time, so the parity
    loop (``kerasgan.training.train``) freezes it around each combined step and unfreezes it after.
    """
    z = keras.Input(shape=generator.input_shape[1:])
    validity = discriminator(generator(z))
    combined = keras.Model(z, validity, name="combined")
    optimizer = make_optimizer(optimizer) if isinstance(optimizer, str) else optimizer
    with frozen(discriminator):
        combined.compile(loss="binary_crossentropy", optimizer=optimizer)
    return combined


def initialize_model(
    z_size: int = Z_SIZE,
    img_shape: tuple = IMG_SHAPE,
    optimizer: str = "adam",
    architecture: str = "keras-gan",
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Build and compile ``(discriminator, generator, combined)`` as the articles do.

    Binary cross-entropy everywhere, the discriminator also reports accuracy, and each compiled model
    gets its own optimizer of the named kind (``'adam'`` or ``'sgd'``).
    """
    generator, discriminator = build_gan_pair(architecture, z_size, img_shape)
    discriminator.compile(loss="binary_crossentropy", optimizer=make_optimizer(optimizer), metrics=["accuracy"])
    combined = build_combined(generator, discriminator, make_optimizer(optimizer))
    return discriminator, generator, combined


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


def build_classifier(img_shape: tuple = IMG_SHAPE, num_classes: int = 10) -> keras.Model:
    """The CNN digit-classifier article: two Conv-BN-ReLU-MaxPool blocks, Dense 128, Dropout 0.5, logits."""
    img = keras.Input(shape=img_shape)
    x = img
    for filters in (32, 64):
        x = layers.Conv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu", name="features")(x)
    x = layers.Dropout(0.5)(x)
    logits = layers.Dense(num_classes, name="logits")(x)
    return keras.Model(img, logits, name="classifier")


def _num_pixels(img_shape: tuple) -> int:
    count = 1
    for dim in img_shape:
        count *= dim
    return count
