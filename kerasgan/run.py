"""One training run of a recipe into a run folder (:mod:`kerasgan.run_folder`): the code behind ``kerasgan train``."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time

import keras
import numpy as np

from kerasgan.data import load_data
from kerasgan.errors import UserError, WorkerLost
from kerasgan.feature_models import has_evaluator, own_data, train_evaluator_command
from kerasgan.gans import GAN, family_class
from kerasgan.plotting import plot_losses, write_history_csv
from kerasgan.recipes import Recipe
from kerasgan.run_folder import RunFolder
from kerasgan.settings import RunSettings
from kerasgan.training.distribute import (is_chief, is_lost_peer, lost_worker_errors, worker_lost_message,
                                          worker_name)
from kerasgan.training.parity import initialize_model, train
from kerasgan.training.stopping import training_begins


def train_recipe(settings: RunSettings, folder: RunFolder, x_train: np.ndarray | None = None,
                 y_train: np.ndarray | None = None, strategy=None, resume: bool = False) -> dict:
    """Train ``settings.recipe`` into ``folder`` (made ready by :meth:`RunFolder.prepare`); returns the summary.

    The fast loop (every recipe but the articles' parity ones) checkpoints every
    ``settings.checkpoint_interval_steps`` steps; ``resume`` continues from the folder's checkpoint and, the
    batches and noise being functions of ``(seed, step)``, ends with the weights an uninterrupted run ends with.
    ``settings.deterministic`` turns on the backend's deterministic kernels (for the whole process; on CPU the
    fast loop is bitwise reproducible without it, on GPU it is not). With a multi-worker ``strategy`` only the
    chief writes into ``folder`` and scores the result, and a lost worker is a :class:`WorkerLost` error. At the
    end the result is scored into ``evaluation.json`` (``settings.eval_samples`` generated samples, or the
    classifier's test accuracy for a semi-supervised GAN; 0 skips it).
    """
    if settings.deterministic:
        enable_determinism()
    written = folder
    if not is_chief(strategy):  # a worker writes into a folder of its own, thrown away at the end
        written, settings = RunFolder(tempfile.mkdtemp(prefix="kerasgan-worker-")), settings.replace(eval_samples=0)
    try:
        return train_into(settings, folder, written, x_train, y_train, strategy, resume)
    except lost_worker_errors(strategy) as error:
        if not is_lost_peer(error, strategy):
            raise
        raise WorkerLost(worker_lost_message(error, folder.path, worker_name(strategy))) from None
    finally:
        if written != folder:
            shutil.rmtree(written.path, ignore_errors=True)


def train_into(settings: RunSettings, folder: RunFolder, written: RunFolder, x_train, y_train, strategy,
               resume: bool) -> dict:
    """:func:`train_recipe`'s work: train (resuming from ``folder``), then write curves, generator, scores and
    summary into ``written`` (``folder`` itself on the chief)."""
    recipe, seed = settings.recipe, settings.seed
    check_loop(recipe, resume, strategy)
    if x_train is None:
        x_train, y_train = load_data(recipe.dataset, "train", data_dir=settings.data_dir)
    keras.utils.set_random_seed(seed)
    started = time.perf_counter()
    if recipe.loop == "parity":
        written.write_settings(settings)
        training_begins(checkpoints=False)
        generator, history, steps = _train_parity(recipe, x_train, recipe.steps_for(len(x_train)), written, seed,
                                                  settings.progress)
        classifier = last_generator = None
    else:
        from kerasgan.training.driver import fit_recipe

        fitted = fit_recipe(settings, x_train, y_train, written, folder if resume else None, strategy, folder.path)
        generator, history, steps = fitted.gan.generator, fitted.history, fitted.steps
        classifier = fitted.gan if fitted.gan.trains_classifier else None
        last_generator = fitted.last_generator
    wall_time_s = time.perf_counter() - started
    write_history_csv(history, written / "losses.csv", steps=steps)
    plot_losses(history, written / "losses.png", steps=steps)
    if classifier is not None:
        classifier_model(classifier).save(written / "classifier.keras")
    summary = {
        "recipe": recipe.name,
        "dataset": settings.data.name if settings.data is not None else recipe.dataset,
        "loop": recipe.loop,
        "steps": int(steps[-1]) if steps else 0,
        "batch_size": recipe.batch_size,
        "seed": seed,
        "train_wall_time_s": round(wall_time_s, 1),
        "final": {name: values[-1] for name, values in history.items() if values},
    }
    if settings.eval_samples and own_data(settings) and not has_evaluator(settings):
        print(f"not scored: no evaluator for these images yet; run `{train_evaluator_command(settings)}`, then "
              f"`kerasgan evaluate {folder}`")
    elif settings.eval_samples:
        scores = score_run(generator, settings, classifier)
        if last_generator is not None:
            generator, scores, summary["average_vs_last"] = keep_better_generator(
                generator, scores, last_generator, settings, written)
        (written / "evaluation.json").write_text(json.dumps(scores, indent=2) + "\n")
        summary["evaluation"] = scores
    generator.save(written / "generator.keras")
    (written / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def keep_better_generator(average: keras.Model, average_scores: dict, last: keras.Model, settings: RunSettings,
                          folder: RunFolder) -> tuple[keras.Model, dict, dict]:
    """Score G's last weights beside its average; returns the one with the lower FD, its scores and both FDs.

    The average is the better almost always (``generator_last.keras`` keeps the last weights beside it); where it
    is not (a run stopped before the average caught up) one line says so and ``generator_average.keras`` keeps
    the average."""
    last_scores = score_run(last, settings)
    comparison = {"average_fd": average_scores["fd"], "last_fd": last_scores["fd"]}
    if last_scores["fd"] >= average_scores["fd"]:
        last.save(folder / "generator_last.keras")
        return average, average_scores, {**comparison, "saved": "average"}
    average.save(folder / "generator_average.keras")
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
    family = family_class(recipe.architecture)
    if recipe.loop != "parity":
        return
    if family is not GAN:
        raise UserError(f"recipe '{recipe.name}' trains a {family.__name__}, which the articles' parity loop cannot train "
                        f"(use --loop fast)")
    if resume:
        raise UserError("--resume works with the fast loop only (the parity loop keeps no checkpoints)")
    if strategy is not None:
        raise UserError("--strategy works with the fast loop only (the parity loop trains on one device)")


def classifier_model(gan) -> keras.Model:
    """The semi-supervised GAN's discriminator as a classifier: images in, class logits out."""
    return keras.Model(gan.discriminator.inputs, gan.discriminator.outputs[0], name="sgan_classifier")


def score_run(generator: keras.Model, settings: RunSettings, classifier=None) -> dict:
    """Score the trained generator against the real data (``settings.eval_samples`` samples; a folder's through
    the evaluator ``kerasgan train-evaluator`` trained on it), or a semi-supervised GAN's classifier on the real
    test split."""
    from kerasgan.evaluation import evaluate_conditional, evaluate_generator

    if own_data(settings):
        from kerasgan.feature_models import score_folder_run

        return score_folder_run(generator, settings, n=settings.eval_samples, seed=settings.seed)
    if classifier is not None:
        from kerasgan.semi_supervised import classifier_accuracy

        x_test, y_test = load_data(settings.recipe.dataset, "test", data_dir=settings.data_dir)
        return {"dataset": settings.recipe.dataset, "test_accuracy": classifier_accuracy(classifier, x_test, y_test),
                "test_size": len(x_test)}
    family = family_class(settings.recipe.architecture)
    if family.conditional:
        return evaluate_conditional(generator, settings.recipe.dataset, n=settings.eval_samples, seed=settings.seed)
    return evaluate_generator(generator, settings.recipe.dataset, n=settings.eval_samples, seed=settings.seed,
                              family=family)


def _train_parity(recipe: Recipe, x_train, total_steps: int, folder: RunFolder, seed: int, progress: bool):
    """The articles' ``train_on_batch`` loop on ``recipe``, its grids in ``folder/images``."""
    discriminator, generator, combined = initialize_model(
        recipe.latent_dim, x_train.shape[1:], recipe.optimizer, recipe.architecture
    )
    history = train(
        discriminator, generator, combined, x_train,
        epochs=total_steps,
        batch_size=recipe.batch_size,
        sample_interval=recipe.sample_interval,
        sample_path=str(folder / "images" / "step_%07d.png"),
        sample_grid=recipe.grid,
        seed=seed,
        progress=progress,
    )
    return generator, history, list(range(1, total_steps + 1))
