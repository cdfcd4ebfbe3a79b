"""The TensorFlow DCGAN tutorial's convolutional generator and discriminator."""

from __future__ import annotations

import random

import keras
from keras import layers

from kerasgan.nets.mlp import IMG_SHAPE, Z_SIZE


def seeded_dropout(rate: float) -> layers.Dropout:
    """``Dropout(rate)`` with its seed drawn now, from Python's ``random`` as Keras draws an unset one (so the
    seed is the same as without it). Keras' PyTorch backend ignores the layer's seed state unless a seed was
    given, and a resumed run would then draw other masks."""
    return layers.Dropout(rate, seed=random.randint(1, int(1e9)))


def build_dcgan_generator(z_size: int = Z_SIZE, img_shape: tuple = IMG_SHAPE) -> keras.Model:
    """The TensorFlow DCGAN tutorial's generator: Dense to 7x7x256, then transposed convolutions up to 28x28."""
    start = img_shape[0] // 4
    noise = keras.Input(shape=(z_size,))
    x = layers.Dense(start * start * 256, use_bias=False)(noise)
    x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    x = layers.Reshape((start, start, 256))(x)
    for filters, strides in ((128, 1), (64, 2)):
        x = layers.Conv2DTranspose(filters, 5, strides=strides, padding="same", use_bias=False)(x)
        x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    img = layers.Conv2DTranspose(img_shape[-1], 5, strides=2, padding="same", use_bias=False, activation="tanh")(x)
    return keras.Model(noise, img, name="generator")


def build_dcgan_discriminator(img_shape: tuple = IMG_SHAPE, output_activation: str | None = "sigmoid") -> keras.Model:
    """The TensorFlow DCGAN tutorial's discriminator: two strided 5x5 convolutions with LeakyReLU and Dropout 0.3."""
    img = keras.Input(shape=img_shape)
    x = img
    for filters in (64, 128):
        x = layers.Conv2D(filters, 5, strides=2, padding="same")(x)
        x = seeded_dropout(0.3)(layers.LeakyReLU()(x))
    x = layers.Flatten()(x)
    validity = layers.Dense(1, activation=output_activation)(x)
    return keras.Model(img, validity, name="discriminator")
