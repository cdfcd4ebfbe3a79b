"""One training run of a recipe into a run folder: the code behind ``scripts/train.py``.

A run folder holds ``config.json``, ``images/step_*.png`` (sample grids), ``losses.csv`` and
``losses.png``, ``generator.keras``, ``summary.json`` and, on the fast path, ``checkpoint.npz``,
``samples.gif`` and TensorBoard logs under ``logs/``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path

import keras
import numpy as np

from kerasgan.data import load_data, make_dataset
from kerasgan.errors import UserError
from kerasgan.models import initialize_model
from kerasgan.plotting import plot_losses, write_history_csv
from kerasgan.recipes import Recipe
from kerasgan.training import train
from kerasgan.training.callbacks import GANMonitor, NonFiniteLoss, RunState
from kerasgan.training.checkpoint import CHECKPOINT_NAME, load_checkpoint
from kerasgan.training.compiled import build_gan

LOG_INTERVAL_STEPS = 200
CHECKPOINT_INTERVAL_STEPS = 1000


def prepare_run_dir(out_dir: str | Path, resume: bool = False, overwrite: bool = False) -> Path:
    """Check that ``out_dir`` may be used: an existing non-empty folder needs ``resume`` or ``overwrite``."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"--out {out_dir} exists and is not a folder")
    if resume:
        if not (out_dir / CHECKPOINT_NAME).is_file():
            raise UserError(f"cannot resume: no {CHECKPOINT_NAME} in {out_dir}")
        return out_dir
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise UserError(f"run folder {out_dir} already exists (use --resume to continue it or --overwrite)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise UserError(f"cannot write to --out {out_dir} ({error.strerror or error})") from None
    return out_dir


def next_free_run_dir(base: str | Path) -> Path:
    """``base`` if it is free, else ``base-2``, ``base-3``, ...: the default ``--out`` never clobbers a run."""
    base = Path(base)
    candidate, number = base, 1
    while candidate.exists() and any(candidate.iterdir()):
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def train_recipe(
    recipe: Recipe,
    out_dir: str | Path,
    seed: int = 0,
    data_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    x_train: np.ndarray | None = None,
) -> dict:
    """Train ``recipe`` into ``out_dir`` (already checked by :func:`prepare_run_dir`); returns the summary."""
    out_dir = Path(out_dir)
    if x_train is None:
        x_train, _ = load_data(recipe.dataset, "train", data_dir=data_dir)
    total_steps = recipe.steps_for(len(x_train))
    if not resume:
        (out_dir / "config.json").write_text(json.dumps({**dataclasses.asdict(recipe), "seed": seed}, indent=2))
    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    if recipe.loop == "parity":
        if resume:
            raise UserError("--resume works with the fast loop only (the parity loop keeps no checkpoints)")
        generator, history, steps = _train_parity(recipe, x_train, total_steps, out_dir, seed, progress)
    else:
        generator, history, steps = _train_fast(recipe, x_train, total_steps, out_dir, seed, resume, progress)
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
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


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


def _train_fast(recipe: Recipe, x_train, total_steps: int, out_dir: Path, seed: int, resume: bool, progress: bool):
    gan = build_gan(recipe.architecture, recipe.z_size, x_train.shape[1:], recipe.label_smoothing, seed=seed,
                    optimizer=recipe.optimizer)
    steps_per_epoch = min(LOG_INTERVAL_STEPS, total_steps)
    epochs = math.ceil(total_steps / steps_per_epoch)
    start_step, history = load_checkpoint(gan, out_dir / CHECKPOINT_NAME) if resume else (0, {})
    rows, cols = recipe.grid
    fixed_noise = np.random.default_rng(seed).normal(size=(rows * cols, recipe.z_size)).astype(np.float32)
    run_state = RunState(out_dir / CHECKPOINT_NAME, steps_per_epoch, history,
                         every_epochs=max(1, CHECKPOINT_INTERVAL_STEPS // steps_per_epoch))
    callbacks = [
        GANMonitor(fixed_noise, out_dir / "images", steps_per_epoch, recipe.grid,
                   every_epochs=max(1, round(recipe.sample_interval / steps_per_epoch)),
                   tensorboard_dir=out_dir / "logs" / "samples", gif_path=out_dir / "samples.gif"),
        run_state,
        keras.callbacks.TensorBoard(log_dir=str(out_dir / "logs")),
    ]
    dataset = make_dataset(x_train, recipe.batch_size, seed=seed).repeat()
    gan.fit(dataset, epochs=epochs, initial_epoch=start_step // steps_per_epoch, steps_per_epoch=steps_per_epoch,
            callbacks=callbacks, verbose=1 if progress else 0, shuffle=False)
    if run_state.failed_step is not None:
        raise NonFiniteLoss(f"training stopped: the loss became NaN or infinite at step {run_state.failed_step}; "
                            f"the last good checkpoint is kept in {out_dir / CHECKPOINT_NAME}")
    steps = history.pop("step")
    return gan.generator, history, steps
