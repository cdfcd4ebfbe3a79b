"""The TensorFlow DCGAN tutorial's convolutional generator and discriminator, for square images of any size that
halves to 4-7 pixels (``width`` scales every layer's channels; the tutorial's is 64)."""

from __future__ import annotations

import random

import keras
from keras import layers

from kerasgan.data_spec import MNIST
from kerasgan.errors import UserError
from kerasgan.nets.mlp import LATENT_DIM, MinibatchStddev

DCGAN_WIDTH = 64
SMALL_DCGAN_WIDTH = 32
FOLDER_GENERATOR_WIDTH = 48
FACE_LATENT_DIM = 128  # keras.io's face DCGAN


def seeded_dropout(rate: float) -> layers.Dropout:
    """``Dropout(rate)`` with its seed drawn now, from Python's ``random`` as Keras draws an unset one (so the
    seed is the same as without it). Keras' PyTorch backend ignores the layer's seed state unless a seed was
    given, and a resumed run would then draw other masks."""
    return layers.Dropout(rate, seed=random.randint(1, int(1e9)))


def upsamplings(size: int) -> tuple[int, int]:
    """``(start, n)``: G starts at ``start x start`` and doubles ``n`` times to ``size`` (halved while even and
    the half is at least 4: 28 -> 7 and 2, 32 -> 4 and 3, 64 -> 4 and 4). D halves the same ``n`` times."""
    start, n = size, 0
    while start % 2 == 0 and start // 2 >= 4:
        start, n = start // 2, n + 1
    if n == 0:
        raise UserError(f"the DCGAN nets cannot build {size}x{size} images (the size must be even and at least 8, "
                        "for example 28, 32 or 64)")
    return start, n


def build_dcgan_generator(latent_dim: int = LATENT_DIM, img_shape: tuple = MNIST.image_shape, width: int = DCGAN_WIDTH,
                          kernel_size: int = 5, lead_in: bool = True) -> keras.Model:
    """The TensorFlow DCGAN tutorial's generator for any size: Dense to start x start x (2^n * width), one
    stride-1 transposed convolution, then n stride-2 ones (channels halving) up to the image (28x28: 7x7 and
    n = 2, the tutorial's exact net). Without the ``lead_in`` convolution the Dense layer gives 2^(n-1) * width
    channels and the stride-2 ones start at once."""
    start, n = upsamplings(img_shape[0])
    channels = 2 ** (n if lead_in else n - 1) * width
    noise = keras.Input(shape=(latent_dim,))
    x = layers.Dense(start * start * channels, use_bias=False)(noise)
    x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    x = layers.Reshape((start, start, channels))(x)
    lead = [(2 ** (n - 1) * width, 1)] if lead_in else []
    for filters, strides in lead + [(2 ** k * width, 2) for k in range(n - 2, -1, -1)]:
        x = layers.Conv2DTranspose(filters, kernel_size, strides=strides, padding="same", use_bias=False)(x)
        x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    img = layers.Conv2DTranspose(img_shape[-1], kernel_size, strides=2, padding="same", use_bias=False,
                                 activation="tanh")(x)
    return keras.Model(noise, img, name="generator")


def build_dcgan_discriminator(img_shape: tuple = MNIST.image_shape, output_activation: str | None = "sigmoid",
                              width: int = DCGAN_WIDTH, minibatch_stddev: bool = False, dropout: float = 0.3,
                              num_classes: int = 0) -> keras.Model:
    """The TensorFlow DCGAN tutorial's discriminator: strided 5x5 convolutions with LeakyReLU and Dropout 0.3, as
    many as G's upsamplings (two at 28x28, the tutorial's), channels doubling from ``width``.

    ``minibatch_stddev`` gives the last convolution the minibatch stddev as one more channel (:class:`MinibatchStddev`);
    ``dropout=0`` drops the Dropout layers; ``num_classes`` adds a class head on the same features, and D then
    outputs ``[validity, class logits]``.
    """
    _, n = upsamplings(img_shape[0])
    img = keras.Input(shape=img_shape)
    x = img
    for k in range(n):
        filters = 2 ** k * width
        if minibatch_stddev and k == n - 1:
            x = MinibatchStddev()(x)
        x = layers.Conv2D(filters, 5, strides=2, padding="same")(x)
        x = layers.LeakyReLU()(x)
        if dropout:
            x = seeded_dropout(dropout)(x)
    x = layers.Flatten()(x)
    validity = layers.Dense(1, activation=output_activation)(x)
    if num_classes:
        return keras.Model(img, [validity, layers.Dense(num_classes, name="class_logits")(x)], name="discriminator")
    return keras.Model(img, validity, name="discriminator")


def build_face_generator(latent_dim: int = FACE_LATENT_DIM, img_shape: tuple = (64, 64, 3)) -> keras.Model:
    """keras.io's "DCGAN to generate face images" generator: Dense to (size/8)^2 x 128, three stride-2 4x4
    transposed convolutions (128, 256, 512) with LeakyReLU(0.2), a 5x5 convolution to the image. Its output is
    tanh, not keras.io's sigmoid, because kerasgan's images are in [-1, 1]."""
    if img_shape[0] % 8:
        raise UserError(f"keras.io's face DCGAN cannot build {img_shape[0]}x{img_shape[0]} images (the size must be a "
                        "multiple of 8, for example 32 or 64)")
    start = img_shape[0] // 8
    noise = keras.Input(shape=(latent_dim,))
    x = layers.Reshape((start, start, 128))(layers.Dense(start * start * 128)(noise))
    for filters in (128, 256, 512):
        x = layers.LeakyReLU(negative_slope=0.2)(layers.Conv2DTranspose(filters, 4, strides=2, padding="same")(x))
    img = layers.Conv2D(img_shape[-1], 5, padding="same", activation="tanh")(x)
    return keras.Model(noise, img, name="generator")


def build_face_discriminator(img_shape: tuple = (64, 64, 3), output_activation: str | None = "sigmoid") -> keras.Model:
    """keras.io's face DCGAN discriminator: three stride-2 4x4 convolutions (64, 128, 128) with LeakyReLU(0.2),
    Dropout 0.2 on the flattened features, one validity output."""
    img = keras.Input(shape=img_shape)
    x = img
    for filters in (64, 128, 128):
        x = layers.LeakyReLU(negative_slope=0.2)(layers.Conv2D(filters, 4, strides=2, padding="same")(x))
    x = seeded_dropout(0.2)(layers.Flatten()(x))
    return keras.Model(img, layers.Dense(1, activation=output_activation)(x), name="discriminator")
