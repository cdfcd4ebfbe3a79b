"""Label-conditioned networks: the conditional DCGAN (Mirza & Osindero 2014) and the projection discriminator
with an auxiliary classifier (Miyato & Koyama 2018; Odena et al. 2017).

Every network takes ``[tensor, label (N, 1) int]``; generators make images in [-1, 1].
"""

from __future__ import annotations

import keras
from keras import layers

from kerasgan.nets.dcgan import seeded_dropout
from kerasgan.data_spec import MNIST
from kerasgan.nets.mlp import LATENT_DIM



def build_conditional_generator(latent_dim: int = LATENT_DIM, img_shape: tuple = MNIST.image_shape, num_classes: int = MNIST.num_classes,
                                embedding_dim: int = 50, filters: int = 64) -> keras.Model:
    """A conditional DCGAN generator: z concatenated with a label embedding, two upsamplings.

    Half the DCGAN tutorial's width so that it trains in minutes on a CPU.
    """
    start = img_shape[0] // 4
    noise = keras.Input(shape=(latent_dim,), name="noise")
    label = keras.Input(shape=(1,), dtype="int32", name="label")
    label_embedding = layers.Flatten()(layers.Embedding(num_classes, embedding_dim)(label))
    x = layers.Concatenate()([noise, label_embedding])
    x = layers.Dense(start * start * filters * 2, use_bias=False)(x)
    x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    x = layers.Reshape((start, start, filters * 2))(x)
    x = layers.Conv2DTranspose(filters, 5, strides=2, padding="same", use_bias=False)(x)
    x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    img = layers.Conv2DTranspose(img_shape[-1], 5, strides=2, padding="same", activation="tanh")(x)
    return keras.Model([noise, label], img, name="conditional_generator")


def strided_convolutions(x, filters: int = 64):
    """The conditional discriminators' trunk: two strided 5x5 convolutions, LeakyReLU(0.2), Dropout 0.3, flattened."""
    for channels in (filters, filters * 2):
        x = layers.Conv2D(channels, 5, strides=2, padding="same")(x)
        x = seeded_dropout(0.3)(layers.LeakyReLU(negative_slope=0.2)(x))
    return layers.Flatten()(x)


def build_conditional_discriminator(img_shape: tuple = MNIST.image_shape, num_classes: int = MNIST.num_classes,
                                    output_activation: str | None = None, filters: int = 64) -> keras.Model:
    """A conditional DCGAN discriminator: the label as an extra image channel (a learned 28x28 map), one logit."""
    height, width = img_shape[:2]
    img = keras.Input(shape=img_shape, name="image")
    label = keras.Input(shape=(1,), dtype="int32", name="label")
    label_map = layers.Reshape((height, width, 1))(layers.Embedding(num_classes, height * width)(label))
    features = strided_convolutions(layers.Concatenate()([img, label_map]), filters)
    validity = layers.Dense(1, activation=output_activation)(features)
    return keras.Model([img, label], validity, name="conditional_discriminator")


def build_auxiliary_classifier_discriminator(img_shape: tuple = MNIST.image_shape, num_classes: int = MNIST.num_classes,
                                             filters: int = 64) -> keras.Model:
    """A projection discriminator with an auxiliary classifier head: outputs ``[validity logit, class logits]``.

    The convolutions see only the image; the label enters as the inner product of its embedding with those
    features, so the class head cannot read the answer from the label input.
    """
    img = keras.Input(shape=img_shape, name="image")
    label = keras.Input(shape=(1,), dtype="int32", name="label")
    features = strided_convolutions(img, filters)
    label_embedding = layers.Flatten()(layers.Embedding(num_classes, features.shape[-1])(label))
    projection = layers.Dot(axes=1)([features, label_embedding])
    validity = layers.Add()([layers.Dense(1)(features), projection])
    class_logits = layers.Dense(num_classes, name="class_logits")(features)
    return keras.Model([img, label], [validity, class_logits], name="auxiliary_classifier_discriminator")
