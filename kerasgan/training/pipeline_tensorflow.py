"""The ``tf.data`` input pipelines of the fast loop, in an order that a resumed run can reproduce.

Every stream is a function of ``(seed, step)`` alone: pass ``p`` over ``N`` items is the permutation
``stateless_shuffle(range(N), seed=(seed, p))`` cut into ``N // batch_size`` batches (the remainder is dropped),
and a run resumed at step S skips whole passes arithmetically and then the batches already seen in the
current one, so nothing depends on how often the run was restarted.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from kerasgan.data import model_range
from kerasgan.memory import memory_size
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


IN_GRAPH_SHARE = 0.25  # uint8 images up to this share of the machine's memory are held in the graph


def image_gather(images: np.ndarray):
    """A function from a batch of indices to those images in [-1, 1].

    Float images are one constant tensor, gathered in the graph. So are uint8 images (a folder's, memory-mapped from
    the decode cache) up to ``IN_GRAPH_SHARE`` of the machine's memory, brought to [-1, 1] through a 256-entry
    table of :func:`~kerasgan.data.model_range` (the numbers numpy gives, bit for bit). Larger ones stay in their
    file: numpy reads and scales each batch, so a folder larger than memory trains."""
    if images.dtype != np.uint8:
        table = tf.constant(images)
        return lambda indices: tf.gather(table, indices)
    if images.nbytes <= IN_GRAPH_SHARE * memory_size():
        pixels, values = tf.constant(np.asarray(images)), tf.constant(model_range(np.arange(256, dtype=np.uint8)))
        return lambda indices: tf.gather(values, tf.cast(tf.gather(pixels, indices), tf.int32))

    def read(indices):
        batch = tf.numpy_function(lambda chosen: model_range(images[chosen]), [indices], tf.float32, stateful=False)
        return tf.ensure_shape(batch, (indices.shape[0], *images.shape[1:]))  # static, as tf.gather's

    return read


def resumable_dataset(images: np.ndarray, batch_size: int, seed: int, start_step: int = 0,
                      labels: np.ndarray | None = None) -> tf.data.Dataset:
    """Endless batches of ``images`` (with their ``labels`` as ``(images, labels)`` when given) from ``start_step``."""
    gather_images = image_gather(images)
    label_table = None if labels is None else tf.constant(labels.astype(np.int32))

    def gather(indices):
        return gather_images(indices) if labels is None else (gather_images(indices), tf.gather(label_table, indices))

    return batch_indices(len(images), batch_size, seed, start_step).map(gather).prefetch(tf.data.AUTOTUNE)


def semi_supervised_dataset(images: np.ndarray, labels: np.ndarray, labelled: np.ndarray, batch_size: int, seed: int,
                            start_step: int = 0) -> tf.data.Dataset:
    """Endless ``(labelled_images, labels, unlabelled_images)`` batches: the labelled images are ``images[labelled]``
    (repeated to fill a batch when there are fewer), the unlabelled ones all of ``images``."""
    pool = labelled_pool(labelled, batch_size)
    gather_labelled, labelled_labels = image_gather(images[pool]), tf.constant(labels[pool].astype(np.int32))
    gather_unlabelled = image_gather(images)
    labelled_batches = batch_indices(len(pool), batch_size, seed, start_step, stream=LABELLED_STREAM)
    unlabelled_batches = batch_indices(len(images), batch_size, seed, start_step)

    def gather(labelled_indices, unlabelled_indices):
        return (gather_labelled(labelled_indices), tf.gather(labelled_labels, labelled_indices),
                gather_unlabelled(unlabelled_indices))

    return tf.data.Dataset.zip((labelled_batches, unlabelled_batches)).map(gather).prefetch(tf.data.AUTOTUNE)
