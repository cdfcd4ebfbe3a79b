"""Where the fast path runs and in which order it sees the data: ``tf.distribute`` strategies and a resumable pipeline.

- :func:`make_strategy` names the strategy: ``default`` (one device), ``mirrored`` (every local GPU, or
  logical CPU, holds a copy; the global batch is split between them) or ``multi-worker`` (several machines,
  described by the ``TF_CONFIG`` environment variable).
- :func:`resumable_dataset` derives the order of the batches from ``(seed, step)`` alone, so a run resumed
  at step S sees exactly the batches an uninterrupted run sees from step S on.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import numpy as np

from kerasgan.errors import UserError

if TYPE_CHECKING:
    import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multi-worker")


def make_strategy(name: str = "default") -> tf.distribute.Strategy:
    """The ``tf.distribute`` strategy called ``name`` (see ``STRATEGIES``); build and compile the GAN in its scope."""
    import tensorflow as tf

    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi-worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise UserError(f"unknown strategy '{name}' (choose from: {', '.join(STRATEGIES)})")


def is_chief(strategy: tf.distribute.Strategy | None = None) -> bool:
    """Whether this process writes the run folder: always, except on the non-chief workers of a multi-worker run."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {})
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief


def check_batch_split(batch_size: int, strategy: tf.distribute.Strategy) -> None:
    """The global batch must split evenly between the replicas (each computes its share of the mean loss)."""
    replicas = strategy.num_replicas_in_sync
    if batch_size % replicas:
        raise UserError(f"batch size {batch_size} does not split evenly between {replicas} replicas "
                        f"(use a multiple of {replicas})")


def resumable_dataset(images: np.ndarray, batch_size: int, seed: int, start_step: int = 0) -> tf.data.Dataset:
    """Endless batches of ``images`` in an order fixed by ``seed``, starting at batch ``start_step``.

    Pass ``p`` over the data is the permutation ``stateless_shuffle(range(N), seed=(seed, p))`` cut into
    ``N // batch_size`` batches (the remainder is dropped); resuming skips whole passes arithmetically and
    then the batches already seen in the current one, so nothing depends on how often the run was restarted.
    """
    import tensorflow as tf

    num_images = len(images)
    steps_per_pass = num_images // batch_size
    if steps_per_pass == 0:
        raise UserError(f"batch size {batch_size} is larger than the {num_images} training images")
    first_pass, skip_steps = divmod(start_step, steps_per_pass)
    image_table = tf.constant(images)

    def batches_of_pass(pass_index):
        order = tf.random.experimental.stateless_shuffle(
            tf.range(num_images, dtype=tf.int64), seed=tf.stack([tf.constant(seed, tf.int64), pass_index]))
        return tf.data.Dataset.from_tensor_slices(tf.reshape(order[: steps_per_pass * batch_size],
                                                             (steps_per_pass, batch_size)))

    batches = tf.data.Dataset.range(first_pass, np.iinfo(np.int64).max).flat_map(batches_of_pass).skip(skip_steps)
    return batches.map(lambda indices: tf.gather(image_table, indices)).prefetch(tf.data.AUTOTUNE)
