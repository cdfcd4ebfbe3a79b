"""The fast loop's input streams without ``tf.data``, for the JAX and PyTorch backends: Python generators of
numpy batches, in an order a resumed run reproduces.

As in :mod:`kerasgan.training.pipeline_tensorflow`, every stream is a function of ``(seed, step)`` alone: pass ``p`` over
``N`` items is the permutation drawn by ``numpy.random.default_rng((seed, p))``, cut into ``N // batch_size``
batches, and a run resumed at step S starts at the batch step S would have used. (The permutations differ
from the TensorFlow pipeline's, so a run does not repeat its batches on another backend.)
"""

from __future__ import annotations

import itertools
import math
from typing import Iterator

import numpy as np

from kerasgan.data import model_range
from kerasgan.errors import UserError

LABELLED_STREAM = 2**40  # offsets the pass index of the labelled stream so that it never repeats the unlabelled one


def passes_and_skip(num_items: int, batch_size: int, start_step: int) -> tuple[int, int, int]:
    """``(steps_per_pass, first_pass, batches_to_skip)`` for a stream that starts at ``start_step``."""
    steps_per_pass = num_items // batch_size
    if steps_per_pass == 0:
        raise UserError(f"batch size {batch_size} is larger than the {num_items} training images")
    first_pass, skip_steps = divmod(start_step, steps_per_pass)
    return steps_per_pass, first_pass, skip_steps


def labelled_pool(labelled: np.ndarray, batch_size: int) -> np.ndarray:
    """The labelled indices repeated until they fill at least one batch (there may be fewer labels than a batch)."""
    return np.tile(np.asarray(labelled), math.ceil(batch_size / len(labelled)))


def batch_indices(num_items: int, batch_size: int, seed: int, start_step: int = 0,
                  stream: int = 0) -> Iterator[np.ndarray]:
    """Endless batches of indices into ``num_items`` items, in the order fixed by ``(seed, stream)``."""
    steps_per_pass, first_pass, skip_steps = passes_and_skip(num_items, batch_size, start_step)
    for pass_index in itertools.count(first_pass):
        order = np.random.default_rng((seed, pass_index + stream)).permutation(num_items)
        for batch in order[: steps_per_pass * batch_size].reshape(steps_per_pass, batch_size)[skip_steps:]:
            yield batch
        skip_steps = 0


def resumable_dataset(images: np.ndarray, batch_size: int, seed: int, start_step: int = 0,
                      labels: np.ndarray | None = None) -> Iterator:
    """Endless ``(images,)`` batches (``(images, labels)`` with ``labels``) from ``start_step``, in [-1, 1]
    (:func:`~kerasgan.data.model_range`); Keras takes a generator's batches as tuples."""
    for indices in batch_indices(len(images), batch_size, seed, start_step):
        batch = model_range(images[indices])
        yield (batch,) if labels is None else (batch, labels[indices].astype(np.int32))


def semi_supervised_dataset(images: np.ndarray, labels: np.ndarray, labelled: np.ndarray, batch_size: int, seed: int,
                            start_step: int = 0) -> Iterator:
    """Endless ``(labelled_images, labels, unlabelled_images)`` batches, as the ``tf.data`` version draws them."""
    pool = labelled_pool(labelled, batch_size)
    labelled_batches = batch_indices(len(pool), batch_size, seed, start_step, stream=LABELLED_STREAM)
    unlabelled_batches = batch_indices(len(images), batch_size, seed, start_step)
    for labelled_indices, unlabelled_indices in zip(labelled_batches, unlabelled_batches):
        chosen = pool[labelled_indices]
        yield model_range(images[chosen]), labels[chosen].astype(np.int32), model_range(images[unlabelled_indices])


def process_slice(stream: Iterator[tuple], share: tuple[int, int]) -> Iterator[tuple]:
    """Process ``index`` of ``count``'s slice of every array of every batch: the processes of a multi-process run
    each feed their slice, and JAX puts the slices together again into the global batch, in process order."""
    index, count = share
    for batch in stream:
        yield tuple(np.split(part, count)[index] for part in batch)
