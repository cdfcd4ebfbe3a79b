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


def build_mlp_discriminator(
    hidden_units: tuple[int, ...], img_shape: tuple = IMG_SHAPE, output_activation: str | None = "sigmoid"
) -> keras.Model:
    """The articles' MLP discriminator shape: Flatten, Dense + LeakyReLU(0.2) per hidden layer, one validity output."""
    img = keras.Input(shape=img_shape)
    x = layers.Flatten()(img)
    for units in hidden_units:
        x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(units)(x))
    validity = layers.Dense(1, activation=output_activation)(x)
    return keras.Model(img, validity, name="discriminator")


def build_discriminator(img_shape: tuple = IMG_SHAPE, output_activation: str | None = "sigmoid") -> keras.Model:
    """The Keras-GAN articles' MLP discriminator: Dense 512 and 256 with LeakyReLU, one validity output."""
    return build_mlp_discriminator((512, 256), img_shape, output_activation)


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
    return build_mlp_discriminator((256, 128), img_shape, output_activation)


def build_small_generator(z_size: int = Z_SIZE, img_shape: tuple = IMG_SHAPE) -> keras.Model:
    """The "GANs for image classification" article's generator: one hidden layer of 128."""
    noise = keras.Input(shape=(z_size,))
    x = layers.LeakyReLU(negative_slope=0.2)(layers.Dense(128)(noise))
    x = layers.Dense(_num_pixels(img_shape), activation="tanh")(x)
    img = layers.Reshape(img_shape)(x)
    return keras.Model(noise, img, name="generator")


def build_small_discriminator(img_shape: tuple = IMG_SHAPE, output_activation: str | None = "sigmoid") -> keras.Model:
    """The "GANs for image classification" article's discriminator: one hidden layer of 128."""
    return build_mlp_discriminator((128,), img_shape, output_activation)


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
        x = layers.Dropout(0.3)(layers.LeakyReLU()(x))
    x = layers.Flatten()(x)
    validity = layers.Dense(1, activation=output_activation)(x)
    return keras.Model(img, validity, name="discriminator")


ARCHITECTURES: dict[str, tuple[Callable[..., keras.Model], Callable[..., keras.Model]]] = {
    "keras-gan": (build_generator, build_discriminator),
    "gan-in-6-min": (build_six_minute_generator, build_six_minute_discriminator),
    "gan-for-classification": (build_small_generator, build_small_discriminator),
    "dcgan": (build_dcgan_generator, build_dcgan_discriminator),
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


def build_classifier(
    img_shape: tuple = IMG_SHAPE,
    num_classes: int = 10,
    conv_filters: tuple[int, ...] = (32, 64),
    dropout: float = 0.5,
    name: str = "classifier",
) -> keras.Model:
    """The CNN digit-classifier article: two Conv-BN-ReLU-MaxPool blocks, Dense 128, Dropout 0.5, logits.

    ``conv_filters`` adds blocks (the improved recipe and the evaluator use 32, 64, 128).
    """
    img = keras.Input(shape=img_shape)
    x = img
    for filters in conv_filters:
        x = layers.Conv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu", name="features")(x)
    x = layers.Dropout(dropout)(x)
    logits = layers.Dense(num_classes, name="logits")(x)
    return keras.Model(img, logits, name=name)


def _num_pixels(img_shape: tuple) -> int:
    count = 1
    for dim in img_shape:
        count *= dim
    return count


def build_conditional_generator(z_size: int = Z_SIZE, img_shape: tuple = IMG_SHAPE, num_classes: int = 10,
                                embedding_dim: int = 50, filters: int = 64) -> keras.Model:
    """A conditional DCGAN generator (Mirza & Osindero 2014): z concatenated with a label embedding, two upsamplings.

    Inputs ``[noise (N, z_size), label (N, 1) int]``; output images in [-1, 1]. Half the DCGAN tutorial's
    width so that it trains in minutes on a CPU.
    """
    start = img_shape[0] // 4
    noise = keras.Input(shape=(z_size,), name="noise")
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


def build_conditional_discriminator(img_shape: tuple = IMG_SHAPE, num_classes: int = 10,
                                    output_activation: str | None = None, filters: int = 64) -> keras.Model:
    """A conditional DCGAN discriminator: the label as an extra image channel, two strided convolutions, one logit.

    Inputs ``[image, label (N, 1) int]``; the label's embedding is a learned 28x28 map stacked on the image.
    """
    height, width = img_shape[:2]
    img = keras.Input(shape=img_shape, name="image")
    label = keras.Input(shape=(1,), dtype="int32", name="label")
    label_map = layers.Reshape((height, width, 1))(layers.Embedding(num_classes, height * width)(label))
    x = layers.Concatenate()([img, label_map])
    for channels in (filters, filters * 2):
        x = layers.Conv2D(channels, 5, strides=2, padding="same")(x)
        x = layers.Dropout(0.3)(layers.LeakyReLU(negative_slope=0.2)(x))
    x = layers.Flatten()(x)
    validity = layers.Dense(1, activation=output_activation)(x)
    return keras.Model([img, label], validity, name="conditional_discriminator")


def build_auxiliary_classifier_discriminator(img_shape: tuple = IMG_SHAPE, num_classes: int = 10,
                                             filters: int = 64) -> keras.Model:
    """A projection discriminator (Miyato & Koyama 2018) with an auxiliary classifier head (Odena et al. 2017).

    Inputs ``[image, label (N, 1) int]``, outputs ``[validity logit, class logits]``. The convolutions see only
    the image; the label enters as the inner product of its embedding with those features, so the class head
    cannot read the answer from the label input.
    """
    img = keras.Input(shape=img_shape, name="image")
    label = keras.Input(shape=(1,), dtype="int32", name="label")
    x = img
    for channels in (filters, filters * 2):
        x = layers.Conv2D(channels, 5, strides=2, padding="same")(x)
        x = layers.Dropout(0.3)(layers.LeakyReLU(negative_slope=0.2)(x))
    features = layers.Flatten()(x)
    label_embedding = layers.Flatten()(layers.Embedding(num_classes, features.shape[-1])(label))
    projection = layers.Dot(axes=1)([features, label_embedding])
    validity = layers.Add()([layers.Dense(1)(features), projection])
    class_logits = layers.Dense(num_classes, name="class_logits")(features)
    return keras.Model([img, label], [validity, class_logits], name="auxiliary_classifier_discriminator")
