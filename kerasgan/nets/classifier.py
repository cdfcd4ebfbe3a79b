"""The CNN digit-classifier article's network, and its three-block variant (the improved recipe and the evaluator)."""

from __future__ import annotations

import keras
from keras import layers

from kerasgan.data_spec import MNIST



def build_classifier(
    img_shape: tuple = MNIST.image_shape,
    num_classes: int = MNIST.num_classes,
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


def build_three_block_classifier(
    img_shape: tuple = MNIST.image_shape, num_classes: int = MNIST.num_classes, dropout: float = 0.5
) -> keras.Model:
    """The article's CNN with a third Conv(128)-BN-ReLU-MaxPool block: more capacity, fewer dense weights."""
    return build_classifier(img_shape, num_classes, conv_filters=(32, 64, 128), dropout=dropout,
                            name="three_block_classifier")
