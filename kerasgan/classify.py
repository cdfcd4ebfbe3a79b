"""Digit and fashion classifiers: the CNN classifier article's recipe, an improved one, and the evaluator net.

``run_classification`` is what ``scripts/classify.py`` calls: it loads a dataset, holds out a seeded 20 %
of the train split for validation, trains, scores the real test split and writes curves, CSV and JSON.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from pathlib import Path

import keras
import numpy as np
from keras import layers

from kerasgan.data import DATASETS, load_data
from kerasgan.data_spec import BUILT_IN
from kerasgan.errors import UserError
from kerasgan.nets import build_named_classifier
from kerasgan.plotting import pyplot, write_history_csv
from kerasgan.recipes import AUGMENTATIONS, ClassifierRecipe, get_recipe

BACKGROUND = -1.0  # the value of an empty pixel in [-1, 1] images; augmentation fills with it


def build_augmenter(dataset: str = "mnist", kind: str = "shift_rotate") -> keras.Sequential:
    """Label-preserving augmentation, active only in training.

    ``shift_rotate``: shifts of up to 10 % and turns of up to 11 degrees, plus mirroring for clothes.
    ``dataset_aware``: the same for digits; clothes come centred and upright, so only mirroring and 5 % shifts.
    """
    if kind not in AUGMENTATIONS[1:]:
        raise UserError(f"unknown augmentation '{kind}' (choose from: {', '.join(AUGMENTATIONS[1:])})")
    fill = {"fill_mode": "constant", "fill_value": BACKGROUND}
    if dataset == "fashion_mnist" and kind == "dataset_aware":
        return keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomTranslation(0.05, 0.05, **fill)],
                                name="augmenter")
    steps = [layers.RandomTranslation(0.1, 0.1, **fill), layers.RandomRotation(0.03, **fill)]
    if dataset == "fashion_mnist":
        steps.insert(0, layers.RandomFlip("horizontal"))
    return keras.Sequential(steps, name="augmenter")


def with_augmentation(classifier: keras.Model, dataset: str = "mnist", kind: str = "none") -> keras.Model:
    """``classifier`` behind :func:`build_augmenter`'s layers (what ``fit()`` trains); itself for ``"none"``."""
    if kind == "none":
        return classifier
    return keras.Sequential([keras.Input(classifier.input_shape[1:]), build_augmenter(dataset, kind), classifier])


def split_train_validation(
    images: np.ndarray, labels: np.ndarray, validation_fraction: float = 0.2, seed: int = 0
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """A seeded shuffle of the train split into ``(train, validation)``; a fraction of 0 keeps everything."""
    order = np.random.default_rng(seed).permutation(len(images))
    num_validation = int(round(len(images) * validation_fraction))
    val_index, train_index = order[:num_validation], order[num_validation:]
    return (images[train_index], labels[train_index]), (images[val_index], labels[val_index])


class EpochTimer(keras.callbacks.Callback):
    """Records the wall time of every epoch in seconds (``epoch_s`` in the history)."""

    def on_train_begin(self, logs=None):
        self.epoch_s = []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_s.append(time.perf_counter() - self.started)


def compile_for_recipe(model: keras.Model, recipe: ClassifierRecipe, steps_per_epoch: int) -> None:
    """Adam on cross-entropy from logits, with the recipe's cosine decay and label smoothing."""
    learning_rate = recipe.learning_rate
    if recipe.cosine_decay:
        learning_rate = keras.optimizers.schedules.CosineDecay(recipe.learning_rate, recipe.epochs * steps_per_epoch)
    if recipe.label_smoothing:
        loss = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=recipe.label_smoothing)
        metric = keras.metrics.CategoricalAccuracy(name="accuracy")
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        metric = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=[metric])


def train_classifier(
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    recipe: ClassifierRecipe | str = "article",
    dataset: str = "mnist",
    seed: int = 0,
    verbose: int = 2,
) -> tuple[keras.Model, dict[str, list[float]]]:
    """Train a fresh classifier on ``(images, labels)``; returns it and its per-epoch history.

    The history holds ``loss``/``accuracy`` (and ``val_*`` when a validation set is given) and ``epoch_s``.
    """
    recipe = get_recipe(recipe, ClassifierRecipe) if isinstance(recipe, str) else recipe
    keras.utils.set_random_seed(seed)
    data = BUILT_IN[dataset]
    classifier = build_named_classifier(recipe.architecture, data.image_shape, recipe.dropout)
    trainer = with_augmentation(classifier, dataset, recipe.augment)
    steps_per_epoch = -(-len(train[0]) // recipe.batch_size)
    compile_for_recipe(trainer, recipe, steps_per_epoch)
    encode = (lambda labels: keras.utils.to_categorical(labels, data.num_classes)) if recipe.label_smoothing \
        else (lambda labels: labels)
    validation_data = None if validation is None or len(validation[0]) == 0 \
        else (validation[0], encode(validation[1]))
    timer = EpochTimer()
    fitted = trainer.fit(
        train[0], encode(train[1]), batch_size=recipe.batch_size, epochs=recipe.epochs,
        validation_data=validation_data, callbacks=[timer], verbose=verbose,
    )
    history = {name: [float(value) for value in values] for name, values in fitted.history.items()
               if name != "learning_rate"}
    history["epoch_s"] = timer.epoch_s
    return classifier, history


def predict_labels(classifier: keras.Model, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """The arg-max class of every image, batched."""
    logits = classifier.predict(images, batch_size=batch_size, verbose=0)
    return np.argmax(logits, axis=-1)


def accuracy(classifier: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of images whose arg-max class equals the label."""
    return float(np.mean(predict_labels(classifier, images) == np.asarray(labels)))


def plot_training_curves(history: dict[str, list[float]], path: str | os.PathLike, title: str = "") -> Path:
    """Two panels, loss and accuracy per epoch, train against validation; saved as PNG."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    plt = pyplot()
    figure, axes = plt.subplots(1, 2, figsize=(10, 4))
    for axis, metric in zip(axes, ("loss", "accuracy")):
        for name, label in ((metric, "train"), (f"val_{metric}", "validation")):
            if history.get(name):
                epochs = np.arange(1, len(history[name]) + 1)
                axis.plot(epochs, history[name], marker="o", markersize=3, label=label)
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.grid(alpha=0.3)
        axis.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def classify(
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    out_dir: str | os.PathLike,
    recipe: ClassifierRecipe | str = "article",
    dataset: str = "mnist",
    seed: int = 0,
    verbose: int = 2,
) -> dict:
    """Split, train, test and write ``curves.png``, ``history.csv``, ``results.json`` under ``out_dir``."""
    recipe = get_recipe(recipe, ClassifierRecipe) if isinstance(recipe, str) else recipe
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fit_split, validation = split_train_validation(*train, recipe.validation_fraction, seed)
    started = time.perf_counter()
    classifier, history = train_classifier(fit_split, validation, recipe, dataset, seed, verbose)
    train_s = time.perf_counter() - started
    results = {
        "dataset": dataset, "method": "cnn", "recipe": asdict(recipe), "seed": seed,
        "train_size": len(fit_split[0]), "validation_size": len(validation[0]), "test_size": len(test[0]),
        "test_accuracy": accuracy(classifier, *test), "train_s": train_s,
        "final_validation_accuracy": history["val_accuracy"][-1] if history.get("val_accuracy") else None,
    }
    plot_training_curves(history, out_dir / "curves.png", f"{dataset}, {recipe.name} recipe")
    write_history_csv(history, out_dir / "history.csv", index_name="epoch")
    (out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    classifier.save_weights(out_dir / "classifier.weights.h5")
    return results


def run_classification(
    dataset: str = "mnist",
    recipe: str = "article",
    out_dir: str | os.PathLike = "runs/classify",
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    verbose: int = 2,
    augment: str | None = None,
) -> dict:
    """Load ``dataset`` and run :func:`classify` on it with the named recipe (what the script calls);
    ``epochs``, ``batch_size`` and ``augment`` override the recipe's when given."""
    if dataset not in DATASETS:
        raise UserError(f"unknown dataset '{dataset}' (choose from: {', '.join(DATASETS)})")
    chosen = get_recipe(recipe, ClassifierRecipe).replace(epochs=epochs, batch_size=batch_size, augment=augment)
    train, test = load_data(dataset, "train"), load_data(dataset, "test")
    return classify(train, test, out_dir, chosen, dataset, seed, verbose)
