"""The ``tf.data`` input pipelines of the fast loop, in an order that a resumed run can reproduce.

Every stream is a function of ``(seed, step)`` alone: pass ``p`` over ``N`` items is the permutation
``stateless_shuffle(range(N), seed=(seed, p))`` cut into ``N // batch_size`` batches (the remainder is dropped),
and a run resumed at step S skips whole passes arithmetically and then the batches already seen in the
current one, so nothing depends on how often the run was restarted.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from kerasgan.training.numpy_pipeline import LABELLED_STREAM, labelled_pool, passes_and_skip


def batch_indices(num_items: int, batch_size: int, seed: int, start_step: int = 0, stream: int = 0) -> tf.data.Dataset:
    """Endless batches of indices into ``num_items`` items, in the order fixed by ``(seed, stream)``."""
    steps_per_pass, first_pass, skip_steps = passes_and_skip(num_items, batch_size, start_step)

    def batches_of_pass(pass_index):
        order = tf.random.experimental.stateless_shuffle(
            tf.range(num_items, dtype=tf.int64), seed=tf.stack([tf.constant(seed, tf.int64), pass_index + stream]))
        return tf.data.Dataset.from_tensor_slices(tf.reshape(order[: steps_per_pass * batch_size],
                                                             (steps_per_pass, batch_size)))

    return tf.data.Dataset.range(first_pass, np.iinfo(np.int64).max).flat_map(batches_of_pass).skip(skip_steps)


def resumable_dataset(images: np.ndarray, batch_size: int, seed: int, start_step: int = 0,
                      labels: np.ndarray | None = None) -> tf.data.Dataset:
    """Endless batches of ``images`` (with their ``labels`` as ``(images, labels)`` when given) from ``start_step``."""
    tables = tf.constant(images) if labels is None else (tf.constant(images), tf.constant(labels.astype(np.int32)))
    gather = (lambda indices: tf.gather(tables, indices)) if labels is None else \
        (lambda indices: (tf.gather(tables[0], indices), tf.gather(tables[1], indices)))
    return batch_indices(len(images), batch_size, seed, start_step).map(gather).prefetch(tf.data.AUTOTUNE)


def semi_supervised_dataset(images: np.ndarray, labels: np.ndarray, labelled: np.ndarray, batch_size: int, seed: int,
                            start_step: int = 0) -> tf.data.Dataset:
    """Endless ``(labelled_images, labels, unlabelled_images)`` batches: the labelled images are ``images[labelled]``
    (repeated to fill a batch when there are fewer), the unlabelled ones all of ``images``."""
    pool = labelled_pool(labelled, batch_size)
    labelled_images, labelled_labels = tf.constant(images[pool]), tf.constant(labels[pool].astype(np.int32))
    unlabelled_images = tf.constant(images)
    labelled_batches = batch_indices(len(pool), batch_size, seed, start_step, stream=LABELLED_STREAM)
    unlabelled_batches = batch_indices(len(images), batch_size, seed, start_step)

    def gather(labelled_indices, unlabelled_indices):
        return (tf.gather(labelled_images, labelled_indices), tf.gather(labelled_labels, labelled_indices),
                tf.gather(unlabelled_images, unlabelled_indices))

    return tf.data.Dataset.zip((labelled_batches, unlabelled_batches)).map(gather).prefetch(tf.data.AUTOTUNE)
