"""The one fit driver: trains any compiled GAN recipe (unconditional, conditional, AC-GAN, semi-supervised).

Whatever the family, a run gets the same powers: a checkpoint every ``checkpoint_interval_steps`` steps,
resume after ``kill -9`` to the bit (the batches, labels included, and the noise are functions of
``(seed, step)``), the NaN guard, sample grids as PNG, TensorBoard images and GIF, loss scalars in
TensorBoard, progress in steps and real epochs, and a ``tf.distribute`` strategy.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from kerasgan.data import balanced_subset, describe_arrays
from kerasgan.data_spec import DataSpec
from kerasgan.errors import UserError
from kerasgan.gans import IMAGES, LABELLED, LABELLED_AND_UNLABELLED, BaseGAN, build_gan
from kerasgan.recipes import Recipe
from kerasgan.training.callbacks import (GANMonitor, NonFiniteLoss, RunState, StepClock, TrainingProgress,
                                        tensorboard_callbacks)
from kerasgan.run_folder import RunFolder
from kerasgan.settings import RunSettings
from kerasgan.training.checkpoint import CHECKPOINT_INTERVAL_STEPS, checkpoint_step, load_checkpoint
from kerasgan.training.distribute import (check_batch_split, is_multi_worker, keep_local_copy, peer_watch,
                                          process_share)
from kerasgan.training.stopping import armed, stopped_at

LOG_INTERVAL_STEPS = 200
# The fast-loop setting from benchmarks/gan_speed.py on a 2-core CPU (docs/benchmark.md): 25 steps per execution
# always helps; XLA helps MLPs at batch 32 only and slows batch 128+ and the convolutional GANs, so a recipe
# turns it on (``jit_compile``) only where it measured faster.
STEPS_PER_EXECUTION = 25


@dataclass
class FitResult:
    """What a fit leaves behind: the trained GAN, the logged values per chunk and the step at each chunk's end,
    and, where G takes the average of its weights at the end, a copy of G with its last weights."""

    gan: BaseGAN
    history: dict[str, list[float]]
    steps: list[int]
    last_generator: keras.Model | None = None


def input_pipeline():
    """The module of resumable input streams for the active backend: ``tf.data`` on TensorFlow, numpy elsewhere."""
    if keras.config.backend() == "tensorflow":
        return importlib.import_module("kerasgan.training.pipeline_tensorflow")
    return importlib.import_module("kerasgan.training.numpy_pipeline")


def training_stream(batch_format: str, recipe: Recipe, x_train: np.ndarray, y_train: np.ndarray | None, seed: int,
                    start_step: int, num_classes: int = 10, share: tuple[int, int] = (0, 1)):
    """The resumable batches of a GAN's ``batch_format``: images; ``(images, labels)``; or the SGAN's triple (its
    labelled images balanced over ``num_classes``).

    On TensorFlow they come from a ``tf.data`` pipeline, on the other backends from numpy generators, of which a
    process of a multi-process run takes its ``share`` (see :func:`~kerasgan.training.distribute.process_share`)."""
    streams = input_pipeline()
    if batch_format != IMAGES and y_train is None:
        raise UserError(f"recipe '{recipe.name}' trains on {batch_format} batches and needs the labels (y_train)")
    if batch_format == LABELLED_AND_UNLABELLED:
        subset = balanced_subset(y_train, recipe.labels or len(y_train), seed, num_classes)
        stream = streams.semi_supervised_dataset(x_train, y_train, subset, recipe.batch_size, seed, start_step)
    else:
        labels = y_train if batch_format == LABELLED else None
        stream = streams.resumable_dataset(x_train, recipe.batch_size, seed=seed, start_step=start_step, labels=labels)
    return stream if share == (0, 1) else streams.process_slice(stream, share)


def fit_recipe(settings: RunSettings, x_train: np.ndarray, y_train: np.ndarray | None, folder: RunFolder,
               resume_from: RunFolder | None = None, strategy=None, run_dir: Path | None = None) -> FitResult:
    """Train ``settings.recipe``'s GAN on ``x_train`` (and ``y_train``), writing grids, logs, checkpoints and, once
    the settings and the checkpoint have been checked (a refused run leaves the folder as it was), ``config.json``
    into ``folder``.

    ``resume_from`` is a run folder whose checkpoint the run continues (usually ``folder`` itself). ``run_dir`` is
    the folder that messages name (the chief's, where another process writes into a folder of its own). The run trains
    exactly the recipe's steps (:func:`segments`). After the last step and the last checkpoint,
    ``gan.finish_training()`` makes the networks final.
    """
    if settings.data is None:
        settings = settings.replace(data=describe_arrays(settings.recipe.dataset, x_train))
    recipe, seed, checkpoint_interval_steps = settings.recipe, settings.seed, settings.checkpoint_interval_steps
    total_steps = recipe.steps_for(len(x_train))
    if strategy is not None:
        check_batch_split(recipe.batch_size, strategy)
    checkpoint_path = resume_from.checkpoint if resume_from is not None else None
    start_step = checkpoint_step(checkpoint_path) if checkpoint_path else 0
    chunk = chunk_steps(total_steps, checkpoint_interval_steps)
    parts = segments(start_step, total_steps, chunk)
    gan = build_gan(recipe.architecture, recipe.latent_dim, settings.data, recipe.label_smoothing, seed=seed,
                    optimizer=recipe.optimizer, strategy=strategy, jit_compile=recipe.jit_compile,
                    steps_per_execution=steps_per_execution(parts[0].chunk if parts else chunk, strategy),
                    total_steps=total_steps, generator_average=recipe.generator_average,
                    balance_weight=recipe.balance_weight, diff_augment=recipe.diff_augment)
    if checkpoint_path:
        history = load_checkpoint(gan, checkpoint_path)[1]
        if start_step >= total_steps:
            raise UserError(f"the run in {resume_from} already reached step {start_step} of {total_steps}; "
                            f"pass a larger --steps or --epochs to train further")
    else:
        history = {}
        gan.initialize(x_train, seed)
    folder.write_settings(settings)
    clock = StepClock(chunk, total_steps, start_step)
    run_state = RunState(folder.checkpoint, clock, history,
                         every_chunks=max(1, checkpoint_interval_steps // chunk))
    callbacks = [*sample_callbacks(gan, recipe, settings.data, folder.path, clock, seed), run_state,
                 *tensorboard_callbacks(folder / "logs", clock)]
    if settings.progress:
        callbacks.append(TrainingProgress(clock, len(x_train) // recipe.batch_size))
    run_dir = run_dir or (resume_from or folder).path
    with armed(), peer_watch(strategy, run_dir):
        for part in parts:
            set_steps_per_execution(gan, steps_per_execution(part.chunk, strategy))
            dataset = training_stream(gan.batch_format, recipe, x_train, y_train, seed, part.start_step,
                                      settings.data.num_classes, process_share(strategy))
            gan.fit(dataset, epochs=part.end_chunk, initial_epoch=part.first_chunk, steps_per_epoch=part.chunk,
                    callbacks=callbacks, verbose=0, shuffle=False)
            if run_state.failed_step is not None or gan.stop_training:
                break
        if run_state.stopped_step is not None and run_state.stopped_step < total_steps:
            raise stopped_at(run_state.stopped_step, run_dir)
    if run_state.failed_step is not None:
        kept = (f"the last good checkpoint (step {run_state.saved_step or start_step}) is kept in "
                f"{folder.checkpoint}" if folder.checkpoint.is_file() else "no checkpoint was saved")
        raise NonFiniteLoss(f"training stopped: the loss became NaN or infinite at {run_state.failed_steps()}; "
                            f"{kept}")
    keep_local_copy(gan, strategy)
    last_generator = copy_model(gan.generator) if gan.averages_generator() else None
    gan.finish_training()
    steps = [int(step) for step in history.pop("step")]
    return FitResult(gan, history, steps, last_generator)


def copy_model(model: keras.Model) -> keras.Model:
    """A new model of the same architecture holding a copy of ``model``'s weights (BatchNorm statistics too)."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


@dataclass(frozen=True)
class Segment:
    """One ``fit()`` call: chunks ``first_chunk`` up to ``end_chunk`` (Keras' epochs) of ``chunk`` steps each, from
    ``start_step`` (numbered as :class:`~kerasgan.training.callbacks.StepClock` numbers the run's chunks)."""

    start_step: int
    chunk: int
    first_chunk: int
    end_chunk: int


def segments(start_step: int, total_steps: int, chunk: int) -> list[Segment]:
    """The ``fit()`` calls that train steps ``start_step`` to ``total_steps`` exactly, in chunks of ``chunk``.

    Keras' ``fit()`` runs whole epochs of one length, so a run whose length is not a whole number of chunks
    ends with a shorter call (``--steps 1500`` in chunks of 200: 7 chunks, then 100 steps), and a run resumed
    off the chunk grid starts with one up to the grid.
    """
    parts, step = [], start_step
    if step % chunk and step < total_steps:
        end = min(total_steps, (step // chunk + 1) * chunk)
        parts.append(Segment(step, end - step, step // chunk, step // chunk + 1))
        step = end
    whole = (total_steps - step) // chunk
    if whole:
        parts.append(Segment(step, chunk, step // chunk, step // chunk + whole))
        step += whole * chunk
    if step < total_steps:
        parts.append(Segment(step, total_steps - step, step // chunk, step // chunk + 1))
    return parts


def set_steps_per_execution(gan: BaseGAN, steps: int) -> None:
    """Compile ``steps`` steps into one call from the next ``fit()`` on (the step function is traced again)."""
    if keras.config.backend() == "torch" or gan.steps_per_execution == steps:
        return
    gan.steps_per_execution = steps
    gan.train_function = None


def steps_per_execution(steps_per_epoch: int, strategy=None) -> int:
    """Steps compiled into one call: ``STEPS_PER_EXECUTION`` where it divides the chunk; one under TensorFlow's
    multi-worker strategy, whose collectives inside Keras' multi-step loop fail to run in TF 2.21."""
    if is_multi_worker(strategy) and keras.config.backend() == "tensorflow":
        return 1
    return math.gcd(STEPS_PER_EXECUTION, steps_per_epoch)


def chunk_steps(total_steps: int, checkpoint_interval_steps: int = CHECKPOINT_INTERVAL_STEPS) -> int:
    """The steps of one Keras "epoch": a chunk that divides both the log and the checkpoint interval."""
    return min(math.gcd(LOG_INTERVAL_STEPS, checkpoint_interval_steps), total_steps)


def sample_callbacks(gan: BaseGAN, recipe: Recipe, data: DataSpec, out_dir: Path, clock: StepClock, seed: int) -> list:
    """The grid of fixed generator inputs, every ``sample_interval`` steps: PNG, TensorBoard image, final GIF (a
    conditional G draws one row per class of ``data``)."""
    rows, cols = recipe.grid
    rows = data.num_classes if gan.conditional else rows
    return [GANMonitor(gan.grid_inputs(rows, cols, seed), out_dir / "images", clock, (rows, cols),
                       every_chunks=max(1, round(recipe.sample_interval / clock.chunk)),
                       tensorboard_dir=out_dir / "logs" / "samples", gif_path=out_dir / "samples.gif",
                       row_labels=gan.grid_row_labels(rows, data.class_names))]
