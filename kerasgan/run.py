"""One training run of a recipe into a run folder: the code behind ``scripts/train.py``.

A run folder holds ``config.json``, ``images/step_*.png`` (sample grids), ``losses.csv`` and
``losses.png``, ``generator.keras``, ``summary.json`` and, on the fast path, ``checkpoint.npz``,
``samples.gif`` and TensorBoard logs under ``logs/``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from kerasgan.data import load_data
from kerasgan.errors import UserError
from kerasgan.models import initialize_model
from kerasgan.plotting import plot_losses, write_history_csv
from kerasgan.recipes import Recipe
from kerasgan.training import train
from kerasgan.training.callbacks import GANMonitor, NonFiniteLoss, RunState
from kerasgan.training.checkpoint import CHECKPOINT_NAME, checkpoint_step, load_checkpoint
from kerasgan.training.compiled import build_gan
from kerasgan.training.distribute import check_batch_split, is_chief, resumable_dataset

LOG_INTERVAL_STEPS = 200
# The fast-path setting from scripts/benchmark.py on a 2-core CPU (docs/benchmark.md): 25 steps per execution
# always helps; XLA helps MLPs at batch 32 only and slows batch 128+ and the convolutional GANs.
JIT_COMPILE = False
STEPS_PER_EXECUTION = 25
CHECKPOINT_INTERVAL_STEPS = 1000
CONFIG_NAME = "config.json"
# What kerasgan writes in a run folder: --overwrite deletes these and refuses to touch a folder holding anything else.
RUN_FILES = ("config.json", "summary.json", "evaluation.json", "losses.csv", "losses.png", "samples.gif",
             "generator.keras", CHECKPOINT_NAME, f".{CHECKPOINT_NAME}.tmp")
RUN_FOLDERS = ("images", "logs")
# Settings a resumed run must share with the run it continues (the length may grow).
RESUME_FIXED_FIELDS = ("dataset", "architecture", "optimizer", "loop", "batch_size", "z_size", "label_smoothing")


def prepare_run_dir(out_dir: str | Path, resume: bool = False, overwrite: bool = False) -> Path:
    """Check that ``out_dir`` may be used: an existing non-empty folder needs ``resume`` or ``overwrite``.

    ``overwrite`` deletes only what kerasgan writes in a run folder (``RUN_FILES``, ``images/``, ``logs/``)
    and refuses, deleting nothing, when the folder holds anything else.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"--out {out_dir} exists and is not a folder")
    if resume:
        if not (out_dir / CHECKPOINT_NAME).is_file():
            raise UserError(f"cannot resume: no {CHECKPOINT_NAME} in {out_dir}")
        return out_dir
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not overwrite:
            raise UserError(f"run folder {out_dir} already exists (use --resume to continue it or --overwrite)")
        _clear_run_dir(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise UserError(f"cannot write to --out {out_dir} ({error.strerror or error})") from None
    return out_dir


def _clear_run_dir(out_dir: Path) -> None:
    unknown = sorted(path.name for path in out_dir.iterdir() if path.name not in RUN_FILES + RUN_FOLDERS
                     or (path.name in RUN_FOLDERS) != path.is_dir())
    if unknown:
        raise UserError(f"--overwrite refused: {out_dir} holds files kerasgan did not write ({', '.join(unknown[:3])}"
                        f"{', ...' if len(unknown) > 3 else ''}); move them or choose another --out")
    for path in out_dir.iterdir():
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def next_free_run_dir(base: str | Path) -> Path:
    """``base`` if it is free, else ``base-2``, ``base-3``, ...: the default ``--out`` never clobbers a run."""
    base = Path(base)
    candidate, number = base, 1
    while candidate.exists() and any(candidate.iterdir()):
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def load_run_config(out_dir: str | Path) -> dict:
    """A run folder's ``config.json``: ``{"recipe": Recipe, "seed", "checkpoint_interval_steps", "deterministic"}``."""
    path = Path(out_dir) / CONFIG_NAME
    try:
        config = json.loads(path.read_text())
        seed = int(config.pop("seed"))
        checkpoint_interval_steps = int(config.pop("checkpoint_interval_steps", CHECKPOINT_INTERVAL_STEPS))
        deterministic = bool(config.pop("deterministic", False))
        recipe = Recipe(**{**config, "grid": tuple(config["grid"])})
    except FileNotFoundError:
        raise UserError(f"cannot resume: no {CONFIG_NAME} in {out_dir}") from None
    except (ValueError, TypeError, KeyError, OSError) as error:
        raise UserError(f"cannot resume: {path} is corrupt ({error.__class__.__name__}: {error})") from None
    return {"recipe": recipe, "seed": seed, "checkpoint_interval_steps": checkpoint_interval_steps,
            "deterministic": deterministic}


def check_resume_matches(saved: Recipe, requested: Recipe, out_dir: str | Path) -> None:
    """A resumed run must keep the settings that shape its models and batches; only its length may change."""
    for field in ("name",) + RESUME_FIXED_FIELDS:
        if getattr(saved, field) != getattr(requested, field):
            raise UserError(f"cannot resume {out_dir}: it was trained with {'recipe' if field == 'name' else field} "
                            f"{getattr(saved, field)!r}, "
                            f"not {getattr(requested, field)!r}")


def train_recipe(
    recipe: Recipe,
    out_dir: str | Path,
    seed: int = 0,
    data_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    x_train: np.ndarray | None = None,
    y_train: np.ndarray | None = None,
    checkpoint_interval_steps: int = CHECKPOINT_INTERVAL_STEPS,
    strategy: tf.distribute.Strategy | None = None,
    deterministic: bool = False,
    eval_samples: int = 0,
) -> dict:
    """Train ``recipe`` into ``out_dir`` (already checked by :func:`prepare_run_dir`); returns the summary.

    The fast loop checkpoints every ``checkpoint_interval_steps`` steps; ``resume`` continues from the
    checkpoint in ``out_dir`` and, the batches and noise being functions of ``(seed, step)``, ends with the
    weights an uninterrupted run ends with. ``deterministic`` turns on TensorFlow's op determinism (for the
    whole process; on CPU the fast path is bitwise reproducible without it, on GPU it is not). With a
    multi-worker ``strategy`` only the chief writes into ``out_dir``. At the end the generator is scored
    with ``eval_samples`` samples (``kerasgan.evaluation``; 0 skips it) into ``evaluation.json``.
    """
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    out_dir = read_dir = Path(out_dir)
    if not is_chief(strategy):
        out_dir = Path(tempfile.mkdtemp(prefix="kerasgan-worker-"))
    try:
        return _train_recipe(recipe, read_dir, out_dir, seed, data_dir, resume, progress, x_train, y_train,
                             checkpoint_interval_steps, strategy, deterministic, eval_samples)
    finally:
        if out_dir != read_dir:
            shutil.rmtree(out_dir, ignore_errors=True)


def _train_recipe(recipe, read_dir, out_dir, seed, data_dir, resume, progress, x_train, y_train,
                  checkpoint_interval_steps, strategy, deterministic, eval_samples) -> dict:
    if x_train is None:
        x_train, y_train = load_data(recipe.dataset, "train", data_dir=data_dir)
    total_steps = recipe.steps_for(len(x_train))
    config = {**dataclasses.asdict(recipe), "seed": seed, "checkpoint_interval_steps": checkpoint_interval_steps,
              "deterministic": deterministic}
    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    if resume and recipe.loop != "fast":
        raise UserError(f"--resume works with the fast loop only (the {recipe.loop} loop keeps no checkpoints)")
    if recipe.loop == "parity":
        (out_dir / CONFIG_NAME).write_text(json.dumps(config, indent=2))
        generator, history, steps = _train_parity(recipe, x_train, total_steps, out_dir, seed, progress)
    elif recipe.loop == "conditional":
        from kerasgan.conditional import train_conditional

        if y_train is None:
            raise UserError(f"recipe '{recipe.name}' trains a conditional GAN and needs the labels (y_train)")
        (out_dir / CONFIG_NAME).write_text(json.dumps(config, indent=2))
        generator, history, steps = train_conditional(recipe, x_train, y_train, out_dir, seed, progress,
                                                      jit_compile=JIT_COMPILE)
    else:
        generator, history, steps = _train_fast(recipe, x_train, total_steps, read_dir, out_dir, seed, resume,
                                                progress, checkpoint_interval_steps, strategy, config)
    wall_time_s = time.perf_counter() - started
    write_history_csv(history, out_dir / "losses.csv", steps=steps)
    plot_losses(history, out_dir / "losses.png", steps=steps)
    generator.save(out_dir / "generator.keras")
    summary = {
        "recipe": recipe.name,
        "dataset": recipe.dataset,
        "loop": recipe.loop,
        "steps": int(steps[-1]) if steps else 0,
        "batch_size": recipe.batch_size,
        "seed": seed,
        "train_wall_time_s": round(wall_time_s, 1),
        "final": {name: values[-1] for name, values in history.items() if values},
    }
    if eval_samples:
        summary["evaluation"] = evaluate_run(generator, recipe.dataset, out_dir, eval_samples, seed)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def evaluate_run(generator: keras.Model, dataset: str, out_dir: Path, eval_samples: int, seed: int) -> dict:
    """Score the trained generator against the real data, write ``evaluation.json``, return the results."""
    from kerasgan.conditional import evaluate_conditional
    from kerasgan.evaluation import evaluate_generator

    is_conditional = len(generator.inputs) == 2
    results = (evaluate_conditional if is_conditional else evaluate_generator)(generator, dataset, n=eval_samples,
                                                                              seed=seed)
    (out_dir / "evaluation.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


def _train_parity(recipe: Recipe, x_train, total_steps: int, out_dir: Path, seed: int, progress: bool):
    discriminator, generator, combined = initialize_model(
        recipe.z_size, x_train.shape[1:], recipe.optimizer, recipe.architecture
    )
    history = train(
        discriminator, generator, combined, x_train,
        epochs=total_steps,
        batch_size=recipe.batch_size,
        sample_interval=recipe.sample_interval,
        sample_path=str(out_dir / "images" / "step_%07d.png"),
        sample_grid=recipe.grid,
        seed=seed,
        progress=progress,
    )
    return generator, history, list(range(1, total_steps + 1))


def _train_fast(recipe: Recipe, x_train, total_steps: int, read_dir: Path, out_dir: Path, seed: int, resume: bool,
                progress: bool, checkpoint_interval_steps: int, strategy, config: dict):
    strategy = strategy or tf.distribute.get_strategy()
    check_batch_split(recipe.batch_size, strategy)
    start_step = checkpoint_step(read_dir / CHECKPOINT_NAME) if resume else 0
    # A keras "epoch" is a chunk of steps that divides both the log and the checkpoint interval; the run
    # trains whole chunks, so its length is rounded up to one (3 DCGAN epochs of 468 steps become 1,600).
    steps_per_epoch = min(math.gcd(LOG_INTERVAL_STEPS, checkpoint_interval_steps), total_steps)
    if start_step:
        steps_per_epoch = math.gcd(steps_per_epoch, start_step)
    epochs = math.ceil(total_steps / steps_per_epoch)
    gan = build_gan(recipe.architecture, recipe.z_size, x_train.shape[1:], recipe.label_smoothing, seed=seed,
                    optimizer=recipe.optimizer, strategy=strategy, jit_compile=JIT_COMPILE,
                    steps_per_execution=math.gcd(STEPS_PER_EXECUTION, steps_per_epoch))
    history = load_checkpoint(gan, read_dir / CHECKPOINT_NAME)[1] if resume else {}
    if start_step >= total_steps:
        raise UserError(f"the run in {read_dir} already reached step {start_step} of {total_steps}; "
                        f"pass a larger --steps or --epochs to train further")
    (out_dir / CONFIG_NAME).write_text(json.dumps(config, indent=2))
    rows, cols = recipe.grid
    fixed_noise = np.random.default_rng(seed).normal(size=(rows * cols, recipe.z_size)).astype(np.float32)
    run_state = RunState(out_dir / CHECKPOINT_NAME, steps_per_epoch, history,
                         every_epochs=max(1, checkpoint_interval_steps // steps_per_epoch))
    callbacks = [
        GANMonitor(fixed_noise, out_dir / "images", steps_per_epoch, recipe.grid,
                   every_epochs=max(1, round(recipe.sample_interval / steps_per_epoch)),
                   tensorboard_dir=out_dir / "logs" / "samples", gif_path=out_dir / "samples.gif"),
        run_state,
        keras.callbacks.TensorBoard(log_dir=str(out_dir / "logs")),
    ]
    dataset = resumable_dataset(x_train, recipe.batch_size, seed=seed, start_step=start_step)
    gan.fit(dataset, epochs=epochs, initial_epoch=start_step // steps_per_epoch, steps_per_epoch=steps_per_epoch,
            callbacks=callbacks, verbose=1 if progress else 0, shuffle=False)
    if run_state.failed_step is not None:
        kept = (f"the last good checkpoint (step {run_state.saved_step or start_step}) is kept in "
                f"{out_dir / CHECKPOINT_NAME}" if (out_dir / CHECKPOINT_NAME).is_file() else "no checkpoint was saved")
        raise NonFiniteLoss(f"training stopped: the loss became NaN or infinite at {run_state.failed_steps()}; "
                            f"{kept}")
    steps = [int(step) for step in history.pop("step")]
    return gan.generator, history, steps
