"""One training run of a recipe into a run folder: the code behind ``scripts/train.py``.

A run folder holds ``config.json``, ``images/step_*.png`` (sample grids), ``losses.csv`` and
``losses.png``, ``generator.keras``, ``summary.json``, ``evaluation.json`` and, on the compiled path (the
fit driver, :mod:`kerasgan.training.driver`), ``checkpoint.npz``, ``samples.gif`` and TensorBoard logs under
``logs/``; a semi-supervised run also leaves its classifier, ``classifier.keras``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from kerasgan.data import load_data
from kerasgan.errors import UserError, WorkerLost
from kerasgan.nets import SEMI_SUPERVISED, UNCONDITIONAL, get_architecture
from kerasgan.plotting import plot_losses, write_history_csv
from kerasgan.recipes import Recipe
from kerasgan.training.checkpoint import CHECKPOINT_INTERVAL_STEPS, CHECKPOINT_NAME, CONFIG_NAME, checkpoint_step
from kerasgan.training.distribute import is_chief, lost_worker_errors
from kerasgan.training.parity import initialize_model, train

# What kerasgan writes in a run folder: --overwrite deletes these and refuses to touch a folder holding anything else.
RUN_FILES = ("config.json", "summary.json", "evaluation.json", "losses.csv", "losses.png", "samples.gif",
             "generator.keras", "generator_last.keras", "generator_average.keras", "classifier.keras", CHECKPOINT_NAME,
             f".{CHECKPOINT_NAME}.tmp")
RUN_FOLDERS = ("images", "logs")
# What TensorFlow's message about a lost peer says on the line worth showing (connection reset, health check).
LOST_PEER_WORDS = re.compile(r"aborted|is down|reset by peer|deadline|unhealthy", re.IGNORECASE)
FUNCTION_NODE = re.compile(r"\{\{function_node [^}]*\}\}")
# Settings a resumed run must share with the run it continues (the length may grow).
RESUME_FIXED_FIELDS = ("dataset", "architecture", "optimizer", "loop", "batch_size", "z_size", "label_smoothing",
                       "labels", "jit_compile", "generator_average", "balance_weight")


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
    strategy=None,
    deterministic: bool = False,
    eval_samples: int = 0,
) -> dict:
    """Train ``recipe`` into ``out_dir`` (already checked by :func:`prepare_run_dir`); returns the summary.

    The compiled loop (every recipe but the articles' parity ones) checkpoints every
    ``checkpoint_interval_steps`` steps; ``resume`` continues from the checkpoint in ``out_dir`` and, the
    batches and noise being functions of ``(seed, step)``, ends with the weights an uninterrupted run ends
    with. ``deterministic`` turns on TensorFlow's op determinism (for the whole process; on CPU the fast path
    is bitwise reproducible without it, on GPU it is not). With a multi-worker ``strategy`` only the chief
    writes into ``out_dir`` and scores the result, and a lost worker is a :class:`WorkerLost` error. At the end
    the result is scored (``eval_samples`` generated samples, or the classifier's test accuracy for a
    semi-supervised GAN; 0 skips it) into ``evaluation.json``.
    """
    if deterministic:
        enable_determinism()
    out_dir = read_dir = Path(out_dir)
    if not is_chief(strategy):
        out_dir, eval_samples = Path(tempfile.mkdtemp(prefix="kerasgan-worker-")), 0
    try:
        return _train_recipe(recipe, read_dir, out_dir, seed, data_dir, resume, progress, x_train, y_train,
                             checkpoint_interval_steps, strategy, deterministic, eval_samples)
    except lost_worker_errors(strategy) as error:
        raise WorkerLost(worker_lost_message(error, read_dir)) from None
    finally:
        if out_dir != read_dir:
            shutil.rmtree(out_dir, ignore_errors=True)


def worker_lost_message(error: Exception, run_dir: Path) -> str:
    """What a worker that lost a peer says: what happened, which checkpoint is kept and how to go on."""
    lines = [FUNCTION_NODE.sub("", line).strip() for line in str(getattr(error, "message", error)).splitlines()]
    reason = next((line for line in lines if LOST_PEER_WORDS.search(line)), type(error).__name__)
    checkpoint = run_dir / CHECKPOINT_NAME
    if not checkpoint.is_file():
        return (f"a worker of this multi-worker run was lost ({reason}) before the first checkpoint; start every "
                f"worker again with --overwrite {run_dir}")
    return (f"a worker of this multi-worker run was lost ({reason}); the last checkpoint (step "
            f"{checkpoint_step(checkpoint)}) is {checkpoint}; start every worker again with --resume {run_dir}")


def _train_recipe(recipe, read_dir, out_dir, seed, data_dir, resume, progress, x_train, y_train,
                  checkpoint_interval_steps, strategy, deterministic, eval_samples) -> dict:
    check_loop(recipe, resume, strategy)
    family = get_architecture(recipe.architecture).family
    if x_train is None:
        x_train, y_train = load_data(recipe.dataset, "train", data_dir=data_dir)
    config = {**dataclasses.asdict(recipe), "seed": seed, "checkpoint_interval_steps": checkpoint_interval_steps,
              "deterministic": deterministic}
    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    if recipe.loop == "parity":
        (out_dir / CONFIG_NAME).write_text(json.dumps(config, indent=2))
        generator, history, steps = _train_parity(recipe, x_train, recipe.steps_for(len(x_train)), out_dir, seed,
                                                  progress)
        classifier = last_generator = None
    else:
        from kerasgan.training.driver import fit_recipe

        fitted = fit_recipe(recipe, x_train, y_train, out_dir, seed, read_dir if resume else None, progress,
                            checkpoint_interval_steps, strategy, config)
        generator, history, steps = fitted.gan.generator, fitted.history, fitted.steps
        classifier = fitted.gan if family == SEMI_SUPERVISED else None
        last_generator = fitted.last_generator
    wall_time_s = time.perf_counter() - started
    write_history_csv(history, out_dir / "losses.csv", steps=steps)
    plot_losses(history, out_dir / "losses.png", steps=steps)
    if classifier is not None:
        classifier_model(classifier).save(out_dir / "classifier.keras")
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
        scores = score_run(generator, recipe.dataset, eval_samples, seed, classifier, data_dir)
        if last_generator is not None:
            generator, scores, summary["average_vs_last"] = keep_better_generator(
                generator, scores, last_generator, recipe.dataset, eval_samples, seed, data_dir, out_dir)
        (out_dir / "evaluation.json").write_text(json.dumps(scores, indent=2) + "\n")
        summary["evaluation"] = scores
    generator.save(out_dir / "generator.keras")
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def keep_better_generator(average: keras.Model, average_scores: dict, last: keras.Model, dataset: str,
                          eval_samples: int, seed: int, data_dir, out_dir: Path) -> tuple[keras.Model, dict, dict]:
    """Score G's last weights beside its average; returns the one with the lower FD, its scores and both FDs.

    The average is the better almost always (``generator_last.keras`` keeps the last weights beside it); where it
    is not (a run stopped before the average caught up) one line says so and ``generator_average.keras`` keeps
    the average."""
    last_scores = score_run(last, dataset, eval_samples, seed, data_dir=data_dir)
    comparison = {"average_fd": average_scores["fd"], "last_fd": last_scores["fd"]}
    if last_scores["fd"] >= average_scores["fd"]:
        last.save(out_dir / "generator_last.keras")
        return average, average_scores, {**comparison, "saved": "average"}
    average.save(out_dir / "generator_average.keras")
    print(f"the last weights score better than their average (FD {last_scores['fd']:.2f} against "
          f"{average_scores['fd']:.2f}): generator.keras holds the last weights, generator_average.keras the average")
    return last, last_scores, {**comparison, "saved": "last"}


def enable_determinism() -> None:
    """Ask the backend for deterministic kernels (for the whole process): needed on GPUs, not on CPUs."""
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    elif backend == "torch":
        import torch

        torch.use_deterministic_algorithms(True)
    elif backend == "jax":
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} --xla_gpu_deterministic_ops=true".strip()


def check_loop(recipe: Recipe, resume: bool = False, strategy=None) -> None:
    """The articles' parity loop trains unconditional GANs on one device and keeps no checkpoints."""
    if recipe.loop not in ("fast", "parity"):
        raise UserError(f"unknown loop '{recipe.loop}' (choose from: fast, parity)")
    family = get_architecture(recipe.architecture).family
    if recipe.loop != "parity":
        return
    if family != UNCONDITIONAL:
        raise UserError(f"recipe '{recipe.name}' trains a {family} GAN, which the articles' parity loop cannot train "
                        f"(use --loop fast)")
    if resume:
        raise UserError("--resume works with the fast loop only (the parity loop keeps no checkpoints)")
    if strategy is not None:
        raise UserError("--strategy works with the fast loop only (the parity loop trains on one device)")


def classifier_model(gan) -> keras.Model:
    """The semi-supervised GAN's discriminator as a classifier: images in, class logits out."""
    return keras.Model(gan.discriminator.inputs, gan.discriminator.outputs[0], name="sgan_classifier")


def score_run(generator: keras.Model, dataset: str, eval_samples: int, seed: int, classifier=None,
              data_dir=None) -> dict:
    """Score the trained generator against the real data (or a semi-supervised GAN's classifier on the real
    test split)."""
    from kerasgan.evaluation import evaluate_conditional, evaluate_generator
    from kerasgan.sampling import is_conditional

    if classifier is not None:
        from kerasgan.semi_supervised import classifier_accuracy

        x_test, y_test = load_data(dataset, "test", data_dir=data_dir)
        return {"dataset": dataset, "test_accuracy": classifier_accuracy(classifier, x_test, y_test),
                "test_size": len(x_test)}
    if is_conditional(generator):
        return evaluate_conditional(generator, dataset, n=eval_samples, seed=seed)
    return evaluate_generator(generator, dataset, n=eval_samples, seed=seed)


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
