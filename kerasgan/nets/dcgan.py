"""The TensorFlow DCGAN tutorial's convolutional generator and discriminator (``width`` scales every layer's
channels; the tutorial's is 64)."""

from __future__ import annotations

import random

import keras
from keras import layers

from kerasgan.data_spec import MNIST
from kerasgan.nets.mlp import LATENT_DIM, MinibatchStddev

DCGAN_WIDTH = 64
SMALL_DCGAN_WIDTH = 32


def seeded_dropout(rate: float) -> layers.Dropout:
    """``Dropout(rate)`` with its seed drawn now, from Python's ``random`` as Keras draws an unset one (so the
    seed is the same as without it). Keras' PyTorch backend ignores the layer's seed state unless a seed was
    given, and a resumed run would then draw other masks."""
    return layers.Dropout(rate, seed=random.randint(1, int(1e9)))


def build_dcgan_generator(latent_dim: int = LATENT_DIM, img_shape: tuple = MNIST.image_shape, width: int = DCGAN_WIDTH) -> keras.Model:
    """The TensorFlow DCGAN tutorial's generator: Dense to 7x7x(4*width), then transposed convolutions up to 28x28."""
    start = img_shape[0] // 4
    noise = keras.Input(shape=(latent_dim,))
    x = layers.Dense(start * start * 4 * width, use_bias=False)(noise)
    x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    x = layers.Reshape((start, start, 4 * width))(x)
    for filters, strides in ((2 * width, 1), (width, 2)):
        x = layers.Conv2DTranspose(filters, 5, strides=strides, padding="same", use_bias=False)(x)
        x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    img = layers.Conv2DTranspose(img_shape[-1], 5, strides=2, padding="same", use_bias=False, activation="tanh")(x)
    return keras.Model(noise, img, name="generator")


def build_dcgan_discriminator(img_shape: tuple = MNIST.image_shape, output_activation: str | None = "sigmoid",
                              width: int = DCGAN_WIDTH, minibatch_stddev: bool = False, dropout: float = 0.3,
                              num_classes: int = 0) -> keras.Model:
    """The TensorFlow DCGAN tutorial's discriminator: two strided 5x5 convolutions with LeakyReLU and Dropout 0.3.

    ``minibatch_stddev`` gives the second convolution the minibatch stddev as one more channel (:class:`MinibatchStddev`);
    ``dropout=0`` drops the Dropout layers; ``num_classes`` adds a class head on the same features, and D then
    outputs ``[validity, class logits]``.
    """
    img = keras.Input(shape=img_shape)
    x = img
    for filters in (width, 2 * width):
        if minibatch_stddev and filters == 2 * width:
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
