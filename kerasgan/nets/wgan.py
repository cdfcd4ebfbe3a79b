"""keras.io's WGAN-GP networks for Fashion-MNIST: a critic on images padded to 32x32 and an upsampling
generator cropped back to 28x28 (``width`` scales every layer's channels; keras.io's is 64)."""

from __future__ import annotations

import keras
from keras import layers

from kerasgan.nets.dcgan import seeded_dropout
from kerasgan.data_spec import MNIST

WGAN_LATENT_DIM = 128
WGAN_WIDTH = 64
SMALL_WGAN_WIDTH = 16


def build_wgan_generator(latent_dim: int = WGAN_LATENT_DIM, img_shape: tuple = MNIST.image_shape,
                         width: int = WGAN_WIDTH) -> keras.Model:
    """Dense to 4x4x(4*width), three UpSampling2D + 3x3 convolution + BatchNorm blocks to 32x32, cropped to 28x28."""
    noise = keras.Input(shape=(latent_dim,))
    x = layers.Dense(4 * 4 * 4 * width, use_bias=False)(noise)
    x = layers.LeakyReLU(0.2)(layers.BatchNormalization()(x))
    x = layers.Reshape((4, 4, 4 * width))(x)
    for filters, activation in ((2 * width, layers.LeakyReLU(0.2)), (width, layers.LeakyReLU(0.2)),
                                (img_shape[-1], layers.Activation("tanh"))):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(layers.UpSampling2D()(x))
        x = activation(layers.BatchNormalization()(x))
    img = layers.Cropping2D(2)(x)
    return keras.Model(noise, img, name="generator")


def build_wgan_critic(img_shape: tuple = MNIST.image_shape, output_activation: str | None = None,
                      width: int = WGAN_WIDTH) -> keras.Model:
    """Four stride-2 5x5 convolutions with LeakyReLU(0.2) (Dropout 0.3 after the middle two), Dropout 0.2, one
    unbounded score: no sigmoid and no BatchNorm, as the gradient penalty asks."""
    img = keras.Input(shape=img_shape)
    x = layers.ZeroPadding2D(2)(img)
    for filters, dropout in ((width, False), (2 * width, True), (4 * width, True), (8 * width, False)):
        x = layers.LeakyReLU(0.2)(layers.Conv2D(filters, 5, strides=2, padding="same")(x))
        if dropout:
            x = seeded_dropout(0.3)(x)
    x = seeded_dropout(0.2)(layers.Flatten()(x))
    score = layers.Dense(1, activation=output_activation)(x)
    return keras.Model(img, score, name="critic")
