"""The semi-supervised GAN's networks (Salimans et al. 2016): weight-normalised MLPs and their data-dependent init."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from kerasgan.data_spec import MNIST

SGAN_HIDDEN_UNITS = (1000, 500, 250, 250, 250)
INPUT_NOISE_STDDEV = 0.3  # on pixels in [0, 1], as in the paper
HIDDEN_NOISE_STDDEV = 0.5
SGAN_LATENT_DIM = 100


@keras.saving.register_keras_serializable(package="kerasgan")
class WeightNormDense(layers.Layer):
    """A dense layer with weight normalisation (Salimans & Kingma 2016): ``w = g * v / ||v||`` per output unit.

    ``train_scale=False`` keeps ``g`` where the data-dependent init puts it, as the paper's hidden layers do.
    """

    def __init__(self, units: int, activation=None, scale_init: float = 1.0, train_scale: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)
        self.scale_init = scale_init
        self.train_scale = train_scale

    def build(self, input_shape):
        self.direction = self.add_weight(shape=(input_shape[-1], self.units), name="direction",
                                         initializer=keras.initializers.RandomNormal(stddev=0.05))
        self.scale = self.add_weight(shape=(self.units,), name="scale",
                                     initializer=keras.initializers.Constant(self.scale_init),
                                     trainable=self.train_scale)
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")

    def call(self, inputs):
        norms = ops.sqrt(ops.sum(ops.square(self.direction), axis=0) + 1e-12)
        kernel = self.direction * (self.scale / norms)
        return self.activation(ops.matmul(inputs, kernel) + self.bias)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "scale_init": self.scale_init,
                "train_scale": self.train_scale, "activation": keras.activations.serialize(self.activation)}


def initialize_weight_norm(model: keras.Model, inputs: np.ndarray, init_scale: float = 1.0,
                           with_noise: bool = True) -> None:
    """Salimans & Kingma's data-dependent init: set each ``WeightNormDense`` so that, on ``inputs``, its
    pre-activations have mean 0 and standard deviation ``init_scale``. ``model`` must be a chain of layers.

    ``with_noise`` runs the ``GaussianNoise`` layers as in training, as the paper's code does: the scales
    then fit the noisy activations the layers see while training, so the noise keeps its regularising
    weight (a clean pass sets larger scales, and the SGAN then overfits its few labels sooner).
    """
    x = keras.ops.convert_to_tensor(inputs)
    for layer in model.layers[1:]:
        if isinstance(layer, WeightNormDense):
            direction = np.asarray(layer.direction)
            pre_activation = keras.ops.convert_to_numpy(x) @ (direction / np.linalg.norm(direction, axis=0))
            scale = init_scale / (pre_activation.std(axis=0) + 1e-8)
            layer.scale.assign(scale.astype(np.float32))
            layer.bias.assign((-pre_activation.mean(axis=0) * scale).astype(np.float32))
        noisy = with_noise and isinstance(layer, layers.GaussianNoise)
        x = layer(x, training=noisy or isinstance(layer, layers.BatchNormalization))


def build_sgan_discriminator(img_shape: tuple = MNIST.image_shape, num_classes: int = MNIST.num_classes) -> keras.Model:
    """Salimans et al.'s MNIST discriminator: Gaussian noise, five weight-normalised ReLU layers, K logits.

    The hidden layers' scales stay at their data-dependent init and only the logits' scales train, as in the
    paper's code (its ``nn.DenseLayer`` has ``train_scale=False`` but for the last layer).

    Outputs ``[logits (N, K), features (N, 250)]``; ``features`` (the last hidden layer) is what the
    generator's feature-matching loss compares. The K+1-th, "fake", logit is the constant 0.
    """
    img = keras.Input(shape=img_shape)
    x = layers.Rescaling(0.5, offset=0.5)(layers.Flatten()(img))  # [-1, 1] -> the paper's [0, 1]
    x = layers.GaussianNoise(INPUT_NOISE_STDDEV)(x)
    for index, units in enumerate(SGAN_HIDDEN_UNITS):
        x = WeightNormDense(units, activation="relu", scale_init=np.sqrt(2.0), train_scale=False)(x)
        if index == len(SGAN_HIDDEN_UNITS) - 1:
            features = x
        x = layers.GaussianNoise(HIDDEN_NOISE_STDDEV)(x)
    logits = WeightNormDense(num_classes, scale_init=1.0, name="logits")(x)
    return keras.Model(img, [logits, features], name="sgan_discriminator")


def build_sgan_generator(latent_dim: int = SGAN_LATENT_DIM, img_shape: tuple = MNIST.image_shape) -> keras.Model:
    """Salimans et al.'s MNIST generator: two softplus layers of 500 with batch norm, a weight-normalised tanh image."""
    noise = keras.Input(shape=(latent_dim,))
    x = noise
    for _ in range(2):
        x = layers.BatchNormalization()(layers.Dense(500, activation="softplus")(x))
    x = WeightNormDense(int(np.prod(img_shape)), activation="tanh")(x)
    return keras.Model(noise, layers.Reshape(img_shape)(x), name="sgan_generator")
