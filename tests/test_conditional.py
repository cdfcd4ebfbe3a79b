"""The conditional GAN: label-conditioned builders, the class grid, and the label accuracy of its samples."""


import numpy as np
import pytest

from kerasgan import evaluation, plotting
from kerasgan.evaluation import generate_labelled
from kerasgan.nets import (build_auxiliary_classifier_discriminator, build_conditional_discriminator,
                           build_conditional_generator)
from kerasgan.latents import class_grid_inputs


def test_conditional_generator_makes_a_different_image_for_each_label_from_the_same_noise():
    generator = build_conditional_generator()
    noise = np.tile(np.random.default_rng(0).normal(size=(1, 100)).astype("float32"), (10, 1))

    images = np.asarray(generator([noise, np.arange(10)[:, None]], training=False))

    assert images.shape == (10, 28, 28, 1)
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert not np.allclose(images[0], images[1])


def test_conditional_discriminator_gives_one_logit_per_image_label_pair():
    discriminator = build_conditional_discriminator()
    images = np.zeros((3, 28, 28, 1), "float32")

    logits = np.asarray(discriminator([images, np.array([[0], [1], [2]])]))

    assert logits.shape == (3, 1)
    assert not np.allclose(logits[0], logits[1])  # the label changes the answer for the same image


def test_auxiliary_classifier_discriminator_classifies_from_the_image_alone():
    discriminator = build_auxiliary_classifier_discriminator()
    image = np.random.default_rng(0).uniform(-1, 1, size=(1, 28, 28, 1)).astype("float32")
    images, labels = np.repeat(image, 3, axis=0), np.array([[0], [1], [2]])

    validity, class_logits = (np.asarray(output) for output in discriminator([images, labels]))

    assert validity.shape == (3, 1) and class_logits.shape == (3, 10)
    np.testing.assert_allclose(class_logits[0], class_logits[1], rtol=1e-5)  # the label input cannot leak
    assert not np.allclose(validity[0], validity[1])  # but it does condition real-or-fake


def test_class_grid_inputs_put_one_class_per_row_and_the_same_noise_in_every_row():
    noise, labels = class_grid_inputs(latent_dim=100, num_classes=10, cols=4)

    assert labels[:, 0].reshape(10, 4).tolist() == [[label] * 4 for label in range(10)]
    np.testing.assert_array_equal(noise[:4], noise[36:40])


def test_class_grid_is_saved_with_one_labelled_row_per_class(tmp_path, monkeypatch):
    saved = {}

    def record(images, path, rows, cols, title=None, row_labels=None):
        saved.update(shape=np.asarray(images).shape, rows=rows, cols=cols, row_labels=row_labels)
        return path

    monkeypatch.setattr(plotting, "save_image_grid", record)
    plotting.sample_class_grid(build_conditional_generator(), tmp_path / "grid.png", cols=6)

    assert saved == {"shape": (60, 28, 28, 1), "rows": 10, "cols": 6, "row_labels": [str(k) for k in range(10)]}


def test_sample_class_grid_writes_a_png(tmp_path):
    path = plotting.sample_class_grid(build_conditional_generator(), tmp_path / "grid.png", cols=3)

    assert path.is_file() and path.stat().st_size > 1000


def test_generated_labels_are_balanced_between_the_classes():
    images, labels = generate_labelled(build_conditional_generator(), n=50, seed=0)

    assert images.shape == (50, 28, 28, 1)
    assert np.bincount(labels).tolist() == [5] * 10


def test_evaluate_conditional_scores_how_often_the_evaluator_reads_the_requested_class(monkeypatch):
    def fake_evaluator_outputs(images, dataset):  # reads every image as class 3
        return np.zeros((len(images), 128)), np.eye(10)[np.full(len(images), 3)]

    monkeypatch.setattr(evaluation, "evaluator_outputs", fake_evaluator_outputs)
    monkeypatch.setattr(evaluation, "evaluate_images", lambda images, dataset, seed, with_floors: {"fd": 1.0})

    results = evaluation.evaluate_conditional(build_conditional_generator(), n=100)

    assert results["label_accuracy"] == pytest.approx(0.1)
    assert results["per_class_accuracy"] == [0.0, 0.0, 0.0, 1.0] + [0.0] * 6
    assert results["fd"] == 1.0
