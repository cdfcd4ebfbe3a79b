"""The class-aware GAN: an unconditional generator whose discriminator also learns the real images' labels."""

import json

import keras
import numpy as np
import pytest
from conftest import any_changed, tiny_run, weights_of

from kerasgan.errors import UserError
from kerasgan.gans import ClassAwareGAN, build_gan
from kerasgan.losses import class_confidence_loss
from kerasgan.nets import build_gan_pair
from kerasgan.recipes import get_recipe
from kerasgan.run import train_recipe
from kerasgan.run_folder import RunFolder


def confidence(probabilities, confidence_weight: float = 1.0, balance_weight: float = 1.0) -> float:
    logits = np.log(np.asarray(probabilities, dtype="float32"))
    return float(class_confidence_loss(keras.ops.convert_to_tensor(logits), confidence_weight, balance_weight))


def test_the_class_confidence_loss_is_lowest_for_clear_images_of_every_class_equally_often():
    clear_and_balanced = np.full((10, 10), 1e-9) + np.eye(10)
    undecided = np.full((10, 10), 0.1)
    clear_but_one_class = np.full((10, 10), 1e-9) + np.eye(10)[[3] * 10]

    assert confidence(clear_and_balanced) == pytest.approx(-np.log(10), abs=1e-4)
    assert confidence(undecided) == pytest.approx(0.0, abs=1e-5)
    assert confidence(clear_but_one_class) == pytest.approx(0.0, abs=1e-4)


def test_the_confidence_weight_scales_each_images_entropy_and_the_balance_weight_the_batchs():
    undecided = np.full((10, 10), 0.1)
    clear_and_balanced = np.full((10, 10), 1e-9) + np.eye(10)

    assert confidence(undecided, confidence_weight=3.0, balance_weight=0.0) == pytest.approx(3 * np.log(10), abs=1e-4)
    assert confidence(undecided, confidence_weight=3.0, balance_weight=2.0) == pytest.approx(np.log(10), abs=1e-4)
    assert confidence(clear_and_balanced, confidence_weight=3.0, balance_weight=2.0) == pytest.approx(
        -2 * np.log(10), abs=1e-4)


def test_the_class_aware_discriminator_is_the_cpu_sized_dcgans_with_a_ten_class_head():
    generator, discriminator = build_gan_pair("dcgan-small-classes", output_activation=None)
    _, plain_discriminator = build_gan_pair("dcgan-small", output_activation=None)

    validity, class_logits = discriminator(np.zeros((2, 28, 28, 1), "float32"))

    assert generator.input_shape == (None, 100)  # G draws no label
    assert validity.shape == (2, 1) and class_logits.shape == (2, 10)
    assert discriminator.count_params() == plain_discriminator.count_params() + 7 * 7 * 64 * 10 + 10
    assert discriminator.get_layer("class_logits").activation.__name__ == "linear"


def test_one_class_aware_step_trains_the_class_head_and_both_networks(tiny_images):
    gan = build_gan("dcgan-small-classes", seed=0)
    class_head = gan.discriminator.get_layer("class_logits")
    head_before, generator_before = weights_of(class_head), weights_of(gan.generator)

    logs = gan.train_on_batch(tiny_images[:16], np.arange(16) % 10, return_dict=True)

    assert isinstance(gan, ClassAwareGAN)
    assert all(np.isfinite(logs[name]) for name in ("d_loss", "g_loss", "d_acc"))
    assert any_changed(head_before, weights_of(class_head))
    assert any_changed(generator_before, weights_of(gan.generator))


def test_the_class_weights_set_the_generators_class_loss_and_leave_the_discriminators_alone(tiny_images):
    gan = build_gan("dcgan-small-classes", seed=0)
    noise = np.random.default_rng(0).normal(size=(16, 100)).astype("float32")
    gan.sample_noise = lambda batch_size: noise
    batch = (tiny_images[:16], np.arange(16) % 10)
    _, fake_class_logits = gan.discriminator(gan.generator(noise, training=False), training=False)

    gan.confidence_weight, gan.balance_weight = 0.0, 0.0
    unweighted = gan.compute_losses(batch, training=False)
    gan.confidence_weight, gan.balance_weight = 3.0, 2.0
    weighted = gan.compute_losses(batch, training=False)

    assert float(weighted["d_loss"]) == pytest.approx(float(unweighted["d_loss"]), abs=1e-6)
    assert float(weighted["g_loss"] - unweighted["g_loss"]) == pytest.approx(
        float(class_confidence_loss(fake_class_logits, 3.0, 2.0)), abs=1e-5)
    assert float(class_confidence_loss(fake_class_logits, 3.0, 2.0)) != pytest.approx(
        float(class_confidence_loss(fake_class_logits, 3.0, 3.0)), abs=1e-4)


@pytest.mark.slow
def test_the_discriminator_learns_to_name_the_class_of_real_images():
    rng = np.random.default_rng(0)
    labels = np.arange(320) % 2
    images = np.where(labels[:, None, None, None] == 1, 0.8, -0.8) + rng.normal(0, 0.3, (320, 28, 28, 1))
    images = np.clip(images, -1, 1).astype("float32")
    gan = build_gan("dcgan-small-classes", seed=0, optimizer="adam-5e-4")

    def class_accuracy() -> float:
        _, class_logits = gan.discriminator(images, training=False)
        return float(np.mean(np.argmax(np.asarray(class_logits), axis=1) == labels))

    before = class_accuracy()
    gan.fit(images, labels, batch_size=32, epochs=2, verbose=0, shuffle=False)

    assert class_accuracy() == 1.0 and before < 0.9


def test_the_labelled_dcgan_recipes_are_dcgan_mnist_with_the_class_aware_nets():
    for name, dataset in (("dcgan-mnist-labels", "mnist"), ("dcgan-fashion-labels", "fashion_mnist")):
        recipe = get_recipe(name)
        plain = get_recipe("dcgan-mnist")

        assert (recipe.architecture, recipe.dataset) == ("dcgan-small-classes", dataset)
        assert (recipe.optimizer, recipe.epochs, recipe.batch_size, recipe.generator_average,
                recipe.label_smoothing) == (plain.optimizer, plain.epochs, plain.batch_size,
                                            plain.generator_average, plain.label_smoothing)


def test_fashion_mnist_weights_the_class_balance_term_2_and_mnist_keeps_the_default_3():
    fashion, mnist = get_recipe("dcgan-fashion-labels"), get_recipe("dcgan-mnist-labels")

    assert build_gan(fashion.architecture, balance_weight=fashion.balance_weight).balance_weight == 2.0
    assert build_gan(mnist.architecture, balance_weight=mnist.balance_weight).balance_weight == 3.0
    assert build_gan(mnist.architecture).confidence_weight == 3.0


def test_a_class_aware_run_writes_grids_and_a_checkpoint_and_needs_the_labels(tiny_images, tmp_path):
    settings = tiny_run("dcgan-mnist-labels", steps=4, sample_interval=2, checkpoint_interval_steps=2)
    run_dir = RunFolder(tmp_path / "run").prepare()

    summary = train_recipe(settings, run_dir, x_train=tiny_images, y_train=np.arange(len(tiny_images)) % 10)

    assert summary["steps"] == 4 and set(summary["final"]) == {"d_loss", "g_loss", "d_acc"}
    assert (run_dir / "checkpoint.npz").is_file() and (run_dir / "images" / "step_0000004.png").is_file()
    assert json.loads((run_dir / "config.json").read_text())["architecture"] == "dcgan-small-classes"
    with pytest.raises(UserError, match="needs the labels"):
        train_recipe(settings, RunFolder(tmp_path / "unlabelled").prepare(), x_train=tiny_images, y_train=None)
