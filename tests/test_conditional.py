"""The conditional GAN: label-conditioned builders, one compiled step, the class grid, its training run."""

import json

import numpy as np
import pytest
from conftest import any_changed, tiny_run, weights_of

from kerasgan import evaluation, plotting
from kerasgan.errors import UserError
from kerasgan.evaluation import generate_labelled
from kerasgan.gans import ConditionalGAN, build_gan
from kerasgan.nets import (build_auxiliary_classifier_discriminator, build_conditional_discriminator,
                           build_conditional_generator)
from kerasgan.recipes import get_recipe
from kerasgan.run import train_recipe
from kerasgan.run_folder import RunFolder
from kerasgan.sampling import class_grid_inputs


@pytest.fixture
def tiny_labels() -> np.ndarray:
    return np.arange(64) % 10


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


def test_one_conditional_step_gives_finite_losses_and_changes_both_networks(tiny_images, tiny_labels):
    gan = build_gan("conditional", seed=0)
    generator_before, discriminator_before = weights_of(gan.generator), weights_of(gan.discriminator)

    logs = gan.train_on_batch(tiny_images[:16], tiny_labels[:16], return_dict=True)

    assert isinstance(gan, ConditionalGAN)
    assert all(np.isfinite(logs[name]) for name in ("d_loss", "g_loss", "d_acc"))
    assert any_changed(generator_before, weights_of(gan.generator))
    assert any_changed(discriminator_before, weights_of(gan.discriminator))


def test_auxiliary_classifier_discriminator_classifies_from_the_image_alone():
    discriminator = build_auxiliary_classifier_discriminator()
    image = np.random.default_rng(0).uniform(-1, 1, size=(1, 28, 28, 1)).astype("float32")
    images, labels = np.repeat(image, 3, axis=0), np.array([[0], [1], [2]])

    validity, class_logits = (np.asarray(output) for output in discriminator([images, labels]))

    assert validity.shape == (3, 1) and class_logits.shape == (3, 10)
    np.testing.assert_allclose(class_logits[0], class_logits[1], rtol=1e-5)  # the label input cannot leak
    assert not np.allclose(validity[0], validity[1])  # but it does condition real-or-fake


def test_one_auxiliary_classifier_step_trains_the_class_head(tiny_images, tiny_labels):
    gan = build_gan("conditional-ac", seed=0)
    class_head = gan.discriminator.get_layer("class_logits")
    head_before, generator_before = weights_of(class_head), weights_of(gan.generator)

    logs = gan.train_on_batch(tiny_images[:16], tiny_labels[:16], return_dict=True)

    assert all(np.isfinite(logs[name]) for name in ("d_loss", "g_loss", "d_acc"))
    assert any_changed(head_before, weights_of(class_head))  # only the class loss reaches this head
    assert any_changed(generator_before, weights_of(gan.generator))


def test_class_grid_inputs_put_one_class_per_row_and_the_same_noise_in_every_row():
    noise, labels = class_grid_inputs(z_size=100, num_classes=10, cols=4)

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


def test_cgan_recipes_train_on_the_fast_loop_with_one_grid_row_per_class():
    recipe = get_recipe("cgan-mnist")

    assert (recipe.loop, recipe.architecture, recipe.grid) == ("fast", "conditional", (10, 10))
    assert get_recipe("acgan-mnist").replace(steps=1).architecture == "conditional-ac"
    assert build_gan("conditional").grid_row_labels(10, ["zero", "one"] + [str(k) for k in range(2, 10)])[:2] == \
        ["zero", "one"]


def test_an_unknown_architecture_is_a_one_line_user_error():
    with pytest.raises(UserError, match="unknown .*architecture 'projection' \\(choose from: keras-gan, .*conditional"):
        build_gan("projection")


@pytest.mark.slow
def test_a_conditional_run_writes_class_grids_history_and_a_checkpoint(tiny_images, tiny_labels, tmp_path):
    run_dir = RunFolder(tmp_path / "run").prepare()

    summary = train_recipe(tiny_run("cgan-mnist", steps=4, sample_interval=2, checkpoint_interval_steps=2), run_dir,
                           x_train=tiny_images, y_train=tiny_labels)

    assert summary["steps"] == 4 and set(summary["final"]) == {"d_loss", "g_loss", "d_acc"}
    assert sorted(path.name for path in (run_dir / "images").iterdir()) == [
        "step_0000000.png", "step_0000002.png", "step_0000004.png"]
    assert (run_dir / "samples.gif").is_file() and (run_dir / "checkpoint.npz").is_file()
    assert json.loads((run_dir / "config.json").read_text())["architecture"] == "conditional"


def test_evaluate_conditional_scores_how_often_the_evaluator_reads_the_requested_class(monkeypatch):
    def fake_evaluator_outputs(images, dataset):  # reads every image as class 3
        return np.zeros((len(images), 128)), np.eye(10)[np.full(len(images), 3)]

    monkeypatch.setattr(evaluation, "evaluator_outputs", fake_evaluator_outputs)
    monkeypatch.setattr(evaluation, "evaluate_images", lambda images, dataset, seed, with_floors: {"fd": 1.0})

    results = evaluation.evaluate_conditional(build_conditional_generator(), n=100)

    assert results["label_accuracy"] == pytest.approx(0.1)
    assert results["per_class_accuracy"] == [0.0, 0.0, 0.0, 1.0] + [0.0] * 6
    assert results["fd"] == 1.0
