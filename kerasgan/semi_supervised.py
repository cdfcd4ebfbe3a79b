"""GANs that help a classifier: the semi-supervised GAN of Salimans et al. (2016) and synthetic-data training.

**SGAN.** The discriminator is a K-class classifier whose K logits ``l`` also say "real or fake": with the
fake class's logit fixed at 0, ``Z(x) = sum_k exp(l_k(x))`` and ``D(x) = Z / (Z + 1)``. Its loss is the
cross-entropy on the few labelled images plus the GAN loss on unlabelled real and generated images,
``-log D(x) = -lse(l) + softplus(lse(l))`` and ``-log(1 - D(G(z))) = softplus(lse(l))``; the generator
matches the mean of an intermediate discriminator layer on real and generated batches (feature matching).
The networks are in :mod:`kerasgan.nets.sgan`, the losses in :mod:`kerasgan.losses`, the model in
:class:`kerasgan.gans.SemiSupervisedGAN`; ``train_sgan`` trains it with the one fit driver (the
``sgan-mnist`` recipe), so it checkpoints and resumes like every other GAN.

**Synthetic data.** ``train_on_synthetic`` trains the CNN article's classifier on conditional-GAN samples
(optionally with a few real labelled images) and tests it on the real test set: the Classification
Accuracy Score of Ravuri & Vinyals (2019).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from kerasgan.data import balanced_subset, model_range
from kerasgan.data_spec import MNIST
from kerasgan.errors import UserError
from kerasgan.nets import build_sgan_discriminator
from kerasgan.nets.sgan import initialize_weight_norm
from kerasgan.recipes import get_recipe, make_optimizer
from kerasgan.run_folder import generator_record
from kerasgan.training.checkpoint import load_keras_model

REAL_ONLY_TRAIN_SIZE = 30000  # a real-only run repeats its images to this size: the steps of 30k synthetic


def classifier_accuracy(classify, images: np.ndarray, labels: np.ndarray, batch_size: int = 1000) -> float:
    """The share of images whose arg-max logit is the label; ``classify`` maps a batch of images to logits."""
    predicted = np.concatenate([np.argmax(keras.ops.convert_to_numpy(classify(images[start: start + batch_size])),
                                          axis=-1) for start in range(0, len(images), batch_size)])
    return float(np.mean(predicted == np.asarray(labels)))


def train_sgan(x_train: np.ndarray, y_train: np.ndarray, n_labels: int, epochs: float, x_test: np.ndarray,
               y_test: np.ndarray, seed: int = 0, supervised_only: bool = False, batch_size: int | None = None,
               verbose: int = 0, out_dir: str | Path | None = None) -> dict:
    """Train the SGAN (or, with ``supervised_only``, its discriminator on the labelled images alone).

    ``n_labels`` balanced labelled images are drawn with ``seed``; the unlabelled set is all of ``x_train``.
    ``epochs`` counts passes over the unlabelled set (``len(x_train) // batch_size`` steps each); the
    supervised-only baseline takes the same number of steps. The SGAN's run folder (grids, checkpoints,
    TensorBoard logs) is ``out_dir``, a temporary folder when not given. Returns test accuracy, timings and
    the subset.
    """
    from kerasgan.run_folder import RunFolder
    from kerasgan.settings import RunSettings
    from kerasgan.training.driver import fit_recipe

    recipe = get_recipe("sgan-mnist").replace(labels=n_labels, batch_size=batch_size)
    steps = max(1, int(round(epochs * (len(x_train) // recipe.batch_size))))
    recipe = recipe.replace(steps=steps)
    subset = balanced_subset(y_train, n_labels, seed)
    keras.utils.set_random_seed(seed)
    started_s, started_cpu_s = time.perf_counter(), time.process_time()
    if supervised_only:
        classifier = train_supervised_baseline(x_train, y_train, subset, recipe, seed, verbose)
        history = {}
    else:
        with tempfile.TemporaryDirectory(prefix="kerasgan-sgan-") as temporary:
            fitted = fit_recipe(RunSettings(recipe, seed=seed, progress=bool(verbose)), x_train, y_train,
                                RunFolder(out_dir or temporary))
        classifier = fitted.gan
        history = {name: float(values[-1]) for name, values in fitted.history.items()}
    train_wall_s, train_cpu_s = time.perf_counter() - started_s, time.process_time() - started_cpu_s
    return {
        "method": "supervised" if supervised_only else "sgan", "n_labels": int(len(subset)), "seed": seed,
        "epochs": epochs, "steps": recipe.steps, "batch_size": recipe.batch_size,
        "test_accuracy": classifier_accuracy(lambda images: classifier(images, training=False), x_test, y_test),
        "train_wall_s": round(train_wall_s, 1), "train_cpu_s": round(train_cpu_s, 1),
        "final_logs": history, "label_subset": subset.tolist() if len(subset) < len(x_train) else "all",
    }


def train_supervised_baseline(x_train: np.ndarray, y_train: np.ndarray, subset: np.ndarray, recipe, seed: int,
                              verbose: int = 0) -> keras.Model:
    """The SGAN's discriminator trained as a plain classifier on the labelled images only, for as many steps."""
    from kerasgan.training.driver import input_pipeline
    from kerasgan.training.numpy_pipeline import labelled_pool

    discriminator = build_sgan_discriminator(x_train.shape[1:])
    initialize_weight_norm(discriminator, model_range(x_train[subset[:500]]))
    classifier = keras.Model(discriminator.input, discriminator.output[0])
    classifier.compile(optimizer=make_optimizer(recipe.optimizer, recipe.steps),
                       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=True)
    pool = labelled_pool(subset, recipe.batch_size)
    labelled = input_pipeline().resumable_dataset(x_train[pool], recipe.batch_size, seed, labels=y_train[pool])
    classifier.fit(labelled, epochs=1, steps_per_epoch=recipe.steps, verbose=verbose, shuffle=False)
    return classifier


def train_on_synthetic(generator: keras.Model, x_test: np.ndarray, y_test: np.ndarray, n_synthetic: int = 60000,
                       real: tuple[np.ndarray, np.ndarray] | None = None, epochs: int = 5, batch_size: int = 64,
                       seed: int = 0, verbose: int = 0, augment: str = "none") -> dict:
    """Train the CNN article's classifier on conditional-GAN samples (plus ``real`` labelled images, if given)
    and test it on real images: the Classification Accuracy Score when ``real`` is ``None``.

    ``augment`` names :func:`kerasgan.classify.build_augmenter`'s label-preserving shifts and turns, applied to
    every training batch (``"none"``: the images as generated).

    With ``n_synthetic = 0`` it trains on ``real`` alone, repeated to ``REAL_ONLY_TRAIN_SIZE`` images, so
    it takes as many steps as a run on 30,000 synthetic images.
    """
    from kerasgan.classify import with_augmentation
    from kerasgan.evaluation import generate_labelled
    from kerasgan.nets import build_classifier

    keras.utils.set_random_seed(seed)
    started_s, started_cpu_s = time.perf_counter(), time.process_time()
    images, labels = (generate_labelled(generator, n_synthetic, seed) if n_synthetic
                      else (np.zeros((0, *x_test.shape[1:]), np.float32), np.zeros((0,), np.int64)))
    if real is not None:
        repeats = 1 if n_synthetic else max(1, REAL_ONLY_TRAIN_SIZE // len(real[0]))
        images = np.concatenate([images, np.tile(real[0], (repeats, 1, 1, 1))])
        labels = np.concatenate([labels, np.tile(real[1], repeats)])
    classifier = build_classifier(x_test.shape[1:], MNIST.num_classes)
    trainer = with_augmentation(classifier, "mnist", augment)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    trainer.fit(images, labels, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=verbose)
    return {
        "method": "synthetic", "n_synthetic": n_synthetic, "n_real": 0 if real is None else int(len(real[0])),
        "train_size": int(len(images)), "epochs": epochs, "augment": augment, "seed": seed,
        "test_accuracy": classifier_accuracy(lambda batch: classifier(batch, training=False), x_test, y_test),
        "train_wall_s": round(time.perf_counter() - started_s, 1),
        "train_cpu_s": round(time.process_time() - started_cpu_s, 1),
    }


GAN_METHODS = ("sgan", "supervised", "synthetic")


def run_gan_classification(method: str = "sgan", labels: int | None = None, epochs: float | None = None,
                           seed: int = 0, generator_path: str | None = None, n_synthetic: int = 30000,
                           dataset: str = "mnist", verbose: int = 0, augment: str = "none") -> dict:
    """What ``scripts/classify.py`` runs: load the data, train one ``GAN_METHODS`` method, test on real images.

    ``sgan``/``supervised``: ``labels`` balanced labelled images (default 100), ``epochs`` passes over the
    unlabelled set (default 3). ``synthetic``: the CNN article's classifier for ``epochs`` (default 3) on
    ``n_synthetic`` samples of the conditional generator at ``generator_path`` plus ``labels`` real images,
    augmented as ``augment`` names.
    """
    from kerasgan.data import load_data

    if method not in GAN_METHODS:
        raise UserError(f"unknown method '{method}' (choose from: {', '.join(GAN_METHODS)})")
    x_train, y_train = load_data(dataset, "train")
    x_test, y_test = load_data(dataset, "test")
    if method in ("sgan", "supervised"):
        return train_sgan(x_train, y_train, labels or 100, epochs or 3.0, x_test, y_test, seed,
                          supervised_only=method == "supervised", verbose=verbose)
    if generator_path is None and not labels:
        raise UserError("the synthetic method needs a generator, some real labels, or both")
    real = None
    if labels:
        subset = balanced_subset(y_train, labels, seed)
        real = (x_train[subset], y_train[subset])
    generator = load_keras_model(generator_path) if generator_path else None
    if generator is not None and not generator_record(generator_path, generator=generator)[0].conditional:
        raise UserError(f"{generator_path} is not a conditional generator (it takes no label): the synthetic "
                        f"method needs one that draws the digit it is asked for, e.g. runs/acgan-mnist/generator.keras")
    results = train_on_synthetic(generator, x_test, y_test, n_synthetic if generator else 0, real,
                                 epochs=int(epochs or 3), seed=seed, verbose=verbose, augment=augment)
    return {**results, "generator": str(generator_path) if generator_path else None}
