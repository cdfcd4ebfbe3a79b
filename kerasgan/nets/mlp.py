"""The articles' multilayer perceptrons: the Keras-GAN MLP, the "GAN in 6 minutes" MLP, the one-hidden-layer MLP,
and the Keras-GAN discriminator with a minibatch standard deviation feature (the default recipe's).

Discriminators end in a sigmoid as in the articles; pass ``output_activation=None`` to get logits for the
compiled fast loop.
"""

from __future__ import annotations

import math

import keras
from keras import layers, ops

from kerasgan.data_spec import MNIST

LATENT_DIM = 100


def build_generator(latent_dim: int = LATENT_DIM, img_shape: tuple = MNIST.image_shape) -> keras.Model:
    """The Keras-GAN articles' MLP generator: three LeakyReLU + BatchNorm blocks, then a tanh image."""
    noise = keras.Input(shape=(latent_dim,))
    x = noise
    for units in (256, 512, 1024):
        x = layers.Dense(units)(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        x = layers.BatchNormalization(momentum=0.8)(x)
    x = layers.Dense(math.prod(img_shape), activation="tanh")(x)
    img = layers.Reshape(img_shape)(x)
    return keras.Model(noise, img, name="generator")


@keras.saving.register_keras_serializable(package="kerasgan")
class MinibatchStddev(layers.Layer):
    """Appends one feature to every row (one channel to every feature map): the batch's standard deviation per
    feature, averaged over the features (Karras et al. 2018). A batch of near-identical fakes shows it, so D can
    punish G for collapsing."""

    def call(self, features):
        stddev = ops.mean(ops.sqrt(ops.var(features, axis=0) + 1e-8))
        return ops.concatenate([features, stddev * ops.ones_like(features[..., :1])], axis=-1)


def build_mlp_discriminator(
    hidden_units: tuple[int, ...], img_shape: tuple = MNIST.image_shape, output_activation: str | None = "sigmoid",
    minibatch_stddev_at: int | None = None,
) -> keras.Model:
    """The articles' MLP discriminator shape: Flatten, Dense + LeakyReLU(0.2) per hidden layer, one validity output.

    ``minibatch_stddev_at`` names the hidden layer (by index) whose input also gets the minibatch stddev
    (:class:`MinibatchStddev`); ``None`` keeps the articles' net.
    """
    img = keras.Input(shape=img_shape)
    x = layers.Flatten()(img)
    for index, units in enumerate(hidden_units):
        if index == minibatch_stddev_at:
            x = MinibatchStddev()(x)
        x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(units)(x))
    validity = layers.Dense(1, activation=output_activation)(x)
    return keras.Model(img, validity, name="discriminator")


def build_discriminator(img_shape: tuple = MNIST.image_shape, output_activation: str | None = "sigmoid") -> keras.Model:
    """The Keras-GAN articles' MLP discriminator: Dense 512 and 256 with LeakyReLU, one validity output."""
    return build_mlp_discriminator((512, 256), img_shape, output_activation)


def build_minibatch_stddev_discriminator(img_shape: tuple = MNIST.image_shape, output_activation: str | None = "sigmoid") -> keras.Model:
    """The Keras-GAN MLP discriminator with the minibatch stddev (:class:`MinibatchStddev`) fed to its second layer."""
    return build_mlp_discriminator((512, 256), img_shape, output_activation, minibatch_stddev_at=1)


def build_six_minute_generator(latent_dim: int = LATENT_DIM, img_shape: tuple = MNIST.image_shape) -> keras.Model:
    """The "GAN in 6 minutes" PyTorch article's generator: 100 -> 128 -> 256 (ReLU) -> 784 (tanh)."""
    noise = keras.Input(shape=(latent_dim,))
    x = layers.Dense(128, activation="relu")(noise)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dense(math.prod(img_shape), activation="tanh")(x)
    img = layers.Reshape(img_shape)(x)
    return keras.Model(noise, img, name="generator")


def build_six_minute_discriminator(img_shape: tuple = MNIST.image_shape, output_activation: str | None = "sigmoid") -> keras.Model:
    """The "GAN in 6 minutes" discriminator: 784 -> 256 -> 128 (LeakyReLU 0.2) -> 1."""
    return build_mlp_discriminator((256, 128), img_shape, output_activation)


def build_small_generator(latent_dim: int = LATENT_DIM, img_shape: tuple = MNIST.image_shape) -> keras.Model:
    """The "GANs for image classification" article's generator: one hidden layer of 128."""
    noise = keras.Input(shape=(latent_dim,))
    x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(128)(noise))
    x = layers.Dense(math.prod(img_shape), activation="tanh")(x)
    img = layers.Reshape(img_shape)(x)
    return keras.Model(noise, img, name="generator")


def build_small_discriminator(img_shape: tuple = MNIST.image_shape, output_activation: str | None = "sigmoid") -> keras.Model:
    """The "GANs for image classification" article's discriminator: one hidden layer of 128."""
    return build_mlp_discriminator((128,), img_shape, output_activation)
