"""The evaluation metrics on synthetic features with known answers, input checks, and the shipped evaluator."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kerasgan import evaluation
from kerasgan.evaluation import (
    class_coverage,
    classifier_score,
    frechet_distance,
    frechet_distance_from_stats,
    kernel_distance,
    precision_recall,
    validate_images,
)


def gaussian_features(n=2000, dim=8, mean=0.0, scale=1.0, seed=0):
    return np.random.default_rng(seed).normal(mean, scale, (n, dim))


def one_hot_probabilities(labels, num_classes=10, confidence=0.99):
    rest = (1.0 - confidence) / (num_classes - 1)
    probabilities = np.full((len(labels), num_classes), rest)
    probabilities[np.arange(len(labels)), labels] = confidence
    return probabilities


def test_frechet_distance_of_a_set_with_itself_is_zero():
    features = gaussian_features()
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_of_two_gaussians_matches_the_closed_form():
    mu_a, mu_b = np.array([0.0, 1.0, 2.0]), np.array([1.0, -1.0, 2.0])
    var_a, var_b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    expected = np.sum((mu_a - mu_b) ** 2) + np.sum(var_a + var_b - 2 * np.sqrt(var_a * var_b))
    assert frechet_distance_from_stats(mu_a, np.diag(var_a), mu_b, np.diag(var_b)) == pytest.approx(expected)
    rng = np.random.default_rng(0)
    samples_a = rng.normal(mu_a, np.sqrt(var_a), (200_000, 3))
    samples_b = rng.normal(mu_b, np.sqrt(var_b), (200_000, 3))
    assert frechet_distance(samples_a, samples_b) == pytest.approx(expected, rel=0.02)


def test_kernel_distance_of_a_set_with_itself_is_near_zero_and_grows_with_a_shift():
    features = gaussian_features()
    same, _ = kernel_distance(features, features, num_subsets=20, subset_size=500)
    shifted, _ = kernel_distance(features, features + 1.0, num_subsets=20, subset_size=500)
    assert abs(same) < 0.01
    assert shifted > 100 * max(abs(same), 1e-4)


def test_classifier_score_is_ten_for_confident_balanced_classes_and_one_for_a_single_class():
    balanced = one_hot_probabilities(np.arange(1000) % 10, confidence=1.0)
    single = one_hot_probabilities(np.zeros(1000, dtype=int), confidence=1.0)
    assert classifier_score(balanced)[0] == pytest.approx(10.0, rel=1e-3)
    assert classifier_score(single)[0] == pytest.approx(1.0, rel=1e-3)


def test_a_single_class_set_covers_exactly_one_class():
    shares, covered = class_coverage(one_hot_probabilities(np.full(500, 7)))
    assert covered == 1
    assert shares[7] == 1.0


def test_a_class_below_one_percent_is_not_covered():
    labels = np.concatenate([np.full(995, 3), np.full(5, 4)])
    shares, covered = class_coverage(one_hot_probabilities(labels))
    assert shares[4] == pytest.approx(0.005)
    assert covered == 1


def test_precision_and_recall_of_identical_sets_are_one():
    features = gaussian_features(n=500)
    assert precision_recall(features, features) == (1.0, 1.0)


def test_precision_and_recall_of_far_apart_sets_are_zero():
    features = gaussian_features(n=500)
    assert precision_recall(features, features + 100.0) == (0.0, 0.0)


def test_recall_drops_when_the_fakes_cover_half_of_the_real_set():
    real = np.concatenate([gaussian_features(n=500, seed=1), gaussian_features(n=500, mean=50.0, seed=2)])
    fake = gaussian_features(n=500, seed=3)
    precision, recall = precision_recall(real, fake)
    assert precision > 0.8
    assert 0.35 < recall < 0.55


@pytest.mark.parametrize("images, message", [
    (np.zeros((10, 28, 28, 1), dtype=np.uint8), "must be floats"),
    (np.zeros((10, 28, 28), dtype=np.float32), "shape"),
    (np.zeros((10, 32, 32, 1), dtype=np.float32), "shape"),
    (np.full((10, 28, 28, 1), 255.0, dtype=np.float32), r"\[-1, 1\]"),
    (np.full((10, 28, 28, 1), np.nan, dtype=np.float32), "NaN"),
    (np.zeros((2, 28, 28, 1), dtype=np.float32), "at least"),
])
def test_bad_images_raise_a_one_line_value_error(images, message):
    with pytest.raises(ValueError, match=message) as error:
        validate_images(images)
    assert "\n" not in str(error.value)


def test_evaluate_images_rejects_bad_images_before_loading_anything():
    with pytest.raises(ValueError, match="must be floats"):
        evaluation.evaluate_images(np.zeros((10, 28, 28, 1), dtype=np.uint8))


@pytest.mark.backends
@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist"])
def test_the_shipped_evaluator_matches_its_checksum_and_gives_features_and_probabilities(dataset):
    assert evaluation.file_sha256(evaluation.evaluator_path(dataset)) == evaluation.EVALUATOR_SHA256[dataset]
    evaluator = evaluation.load_evaluator(dataset)
    images = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype(np.float32)
    features, probabilities = (keras.ops.convert_to_numpy(output) for output in evaluator(images, training=False))
    assert features.shape == (4, 128)
    assert probabilities.shape == (4, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_a_tampered_evaluator_file_is_refused(tmp_path, monkeypatch):
    tampered = tmp_path / "evaluator_mnist.weights.h5"
    tampered.write_bytes(evaluation.evaluator_path("mnist").read_bytes() + b"\0")
    monkeypatch.setattr(evaluation, "ASSETS_DIR", tmp_path)
    monkeypatch.setattr(evaluation, "_evaluators", {})
    with pytest.raises(evaluation.ChecksumError, match="SHA-256"):
        evaluation.load_evaluator("mnist")


def test_format_table_puts_the_floors_beside_the_generator():
    results = {"dataset": "mnist", "n": 100, "fd": 12.5, "kid": 0.0042, "classes_covered": 9,
               "floors": {"fd": 0.8, "kid": 0.0001, "classes_covered": 10}}
    table = evaluation.format_table(results)
    assert "real vs real" in table
    fd_row = next(line for line in table.splitlines() if line.startswith("FD"))
    assert "12.5000" in fd_row and "0.8000" in fd_row
    assert "4.200" in table


@pytest.mark.slow
def test_the_mnist_evaluator_scores_at_least_99_percent_on_the_real_test_set(shared_datasets):
    from kerasgan.data import load_data

    images, labels = load_data("mnist", "test")
    _, probabilities = evaluation.evaluator_outputs(images, "mnist")
    assert np.mean(np.argmax(probabilities, axis=1) == labels) >= 0.99


@pytest.mark.slow
def test_real_test_images_score_near_the_floor_and_a_collapsed_set_does_not(shared_datasets):
    from kerasgan.data import load_data

    images, _ = load_data("mnist", "test")
    real = evaluation.evaluate_images(images[:1000], "mnist", reference_n=1000, with_floors=False)
    collapsed = evaluation.evaluate_images(np.repeat(images[:1], 1000, axis=0), "mnist", reference_n=1000,
                                           with_floors=False)
    assert real["classes_covered"] == 10 and collapsed["classes_covered"] == 1
    assert real["classifier_score"] > 9.0 and collapsed["classifier_score"] < 1.1
    assert collapsed["fd"] > 10 * real["fd"]
    assert real["precision"] > 0.6 and collapsed["recall"] < 0.01


def test_a_built_in_reference_is_computed_once_and_then_read_from_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("KERASGAN_CACHE", str(tmp_path))
    monkeypatch.setattr(evaluation, "_references", {})
    loads = []

    def load_data(dataset, split):
        loads.append(split)
        return np.random.default_rng(len(split)).uniform(-1, 1, (40, 28, 28, 1)).astype(np.float32), None

    def evaluator_outputs(images, dataset):
        features = images.reshape(len(images), -1)[:, :16].astype(np.float64)
        return features, np.full((len(images), 10), 0.1)

    monkeypatch.setattr(evaluation, "load_data", load_data)
    monkeypatch.setattr(evaluation, "evaluator_outputs", evaluator_outputs)
    floors = evaluation.reference_floors("mnist", n=30)
    features = evaluation.real_reference_features("mnist", n=30)
    assert loads == ["train", "test"] and features.shape == (30, 16) and floors["n"] == 30

    monkeypatch.setattr(evaluation, "_references", {})  # a new process
    assert evaluation.reference_floors("mnist", n=30) == floors
    np.testing.assert_array_equal(evaluation.real_reference_features("mnist", n=30), features)
    assert loads == ["train", "test"]  # nothing computed again
    sha = evaluation.EVALUATOR_SHA256["mnist"][:12]
    assert [path.name for path in (tmp_path / "reference").iterdir()] == [f"mnist-evaluator-{sha}-30-0.npz"]
