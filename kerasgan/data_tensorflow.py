"""The README's ``tf.data`` pipeline from arrays, for ``fit()`` on the TensorFlow backend (``kerasgan.data.make_dataset``).

It lives apart from :mod:`kerasgan.data` because it imports TensorFlow, which the data layer does not need.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def make_dataset(images: np.ndarray, batch_size: int, labels: np.ndarray | None = None, seed: int | None = 0,
                 shuffle: bool = True) -> tf.data.Dataset:
    """A plain ``tf.data`` pipeline for ``fit()``: shuffle, batch (drop_remainder), prefetch."""
    tensors = images if labels is None else (images, labels)
    dataset = tf.data.Dataset.from_tensor_slices(tensors)
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
