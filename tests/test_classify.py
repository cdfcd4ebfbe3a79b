"""Classifier training on small synthetic data, the recipes, and the classify script's command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kerasgan.classify import classify, get_recipe, split_train_validation, with_augmentation

REPO_ROOT = Path(__file__).resolve().parents[1]


def synthetic_digits(n, seed=0):
    """Images whose class is which of ten horizontal bands is bright: learnable in a few steps."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    images = rng.normal(-0.8, 0.1, (n, 28, 28, 1))
    for index, label in enumerate(labels):
        images[index, 2 + 2 * label: 4 + 2 * label, 4:24, 0] = 0.9
    return np.clip(images, -1, 1).astype(np.float32), labels.astype(np.int64)


def test_the_split_holds_out_a_seeded_fifth_without_overlap():
    images = np.arange(100, dtype=np.float32).reshape(100, 1, 1, 1)
    (train_images, _), (val_images, _) = split_train_validation(images, np.arange(100), 0.2, seed=3)
    (again, _), _ = split_train_validation(images, np.arange(100), 0.2, seed=3)
    assert len(train_images) == 80 and len(val_images) == 20
    assert not set(train_images.ravel()) & set(val_images.ravel())
    np.testing.assert_array_equal(train_images, again)


def test_augmentation_wraps_the_classifier_and_moves_pixels_only_in_training():
    from kerasgan.nets import build_classifier

    classifier = build_classifier((28, 28, 1), 10)
    images, _ = synthetic_digits(8)

    trainer = with_augmentation(classifier, "mnist", "shift_rotate")

    assert with_augmentation(classifier, "mnist", "none") is classifier
    assert [layer.name for layer in trainer.layers] == ["augmenter", classifier.name]
    np.testing.assert_allclose(trainer(images, training=False), classifier(images, training=False), atol=1e-6)
    augmented = trainer.layers[0](images, training=True)
    assert np.abs(np.asarray(augmented) - images).max() > 0.5


@pytest.mark.slow
@pytest.mark.parametrize("recipe_name", ["article", "improved"])
def test_a_short_training_lowers_the_loss_and_writes_curves_csv_and_json(tmp_path, recipe_name):
    recipe = get_recipe(recipe_name).replace(epochs=3, batch_size=32)
    results = classify(synthetic_digits(400), synthetic_digits(100, seed=1), tmp_path, recipe, seed=0, verbose=0)
    history = json.loads((tmp_path / "results.json").read_text())
    assert history["test_accuracy"] == results["test_accuracy"]
    assert 0.0 <= results["test_accuracy"] <= 1.0 and np.isfinite(results["final_validation_accuracy"])
    rows = (tmp_path / "history.csv").read_text().splitlines()
    assert rows[0].split(",")[:3] == ["epoch", "accuracy", "loss"]
    losses = [float(row.split(",")[2]) for row in rows[1:]]
    assert len(losses) == 3 and losses[-1] < losses[0]
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_the_classify_script_explains_itself_with_help():
    completed = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "classify.py"), "--help"],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0
    for option in ("--dataset", "--recipe", "--method", "--epochs", "--batch-size", "--seed", "--out"):
        assert option in completed.stdout


def test_the_classify_script_rejects_an_unknown_dataset_in_one_line():
    completed = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "classify.py"), "--dataset", "mnits"],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    assert completed.stderr.strip().startswith("error:") and len(completed.stderr.strip().splitlines()) == 1
