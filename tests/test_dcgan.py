"""The DCGAN tutorial's networks: their shapes and sizes, the fast loop's step on them, and their recipes."""

import numpy as np
import pytest
from conftest import any_changed, weights_of

from kerasgan.models import ARCHITECTURES, build_dcgan_discriminator, build_dcgan_generator, build_gan_pair
from kerasgan.recipes import get_recipe
from kerasgan.training.compiled import build_gan


def test_dcgan_generator_has_the_tutorials_layers_and_makes_28x28_images_in_tanh_range():
    generator = build_dcgan_generator()

    images = np.asarray(generator(np.random.default_rng(0).normal(size=(4, 100)).astype("float32")))

    assert images.shape == (4, 28, 28, 1)
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert generator.count_params() == 2_330_944  # the TensorFlow DCGAN tutorial's summary
    assert [layer.strides for layer in generator.layers if hasattr(layer, "strides")] == [(1, 1), (2, 2), (2, 2)]


def test_dcgan_discriminator_has_the_tutorials_size_and_outputs_logits_when_asked():
    discriminator = build_dcgan_discriminator(output_activation=None)

    assert discriminator.output_shape == (None, 1)
    assert discriminator.count_params() == 212_865  # the TensorFlow DCGAN tutorial's summary
    logits = np.asarray(discriminator(np.ones((2, 28, 28, 1), "float32") * 5.0))
    assert discriminator.layers[-1].activation.__name__ == "linear" and logits.shape == (2, 1)


def test_dcgan_is_registered_as_an_architecture():
    generator, discriminator = build_gan_pair("dcgan", output_activation=None)

    assert "dcgan" in ARCHITECTURES
    assert generator.output_shape == (None, 28, 28, 1) and discriminator.output_shape == (None, 1)


@pytest.mark.slow
def test_one_dcgan_fast_path_step_gives_finite_losses_and_changes_both_networks(tiny_images):
    gan = build_gan("dcgan", seed=0, jit_compile=False)
    generator_before, discriminator_before = weights_of(gan.generator), weights_of(gan.discriminator)

    logs = gan.train_on_batch(tiny_images[:8], return_dict=True)

    assert np.isfinite(logs["d_loss"]) and np.isfinite(logs["g_loss"])
    assert any_changed(generator_before, weights_of(gan.generator))
    assert any_changed(discriminator_before, weights_of(gan.discriminator))


def test_the_cpu_sized_dcgan_is_the_tutorials_at_half_the_channels_with_the_spread_and_no_dropout():
    generator, discriminator = build_gan_pair("dcgan-small", output_activation=None)

    assert [layer.filters for layer in generator.layers if hasattr(layer, "filters")] == [64, 32, 1]
    assert [layer.filters for layer in discriminator.layers if hasattr(layer, "filters")] == [32, 64]
    assert [layer.__class__.__name__ for layer in discriminator.layers[1:]] == [
        "Conv2D", "LeakyReLU", "MinibatchStddev", "Conv2D", "LeakyReLU", "Flatten", "Dense"]
    assert (generator.count_params(), discriminator.count_params()) == (909_472, 56_833)


@pytest.mark.parametrize("name, dataset", [("dcgan-mnist", "mnist"), ("dcgan-fashion", "fashion_mnist")])
def test_dcgan_recipes_train_the_cpu_sized_dcgan_with_an_averaged_generator(name, dataset):
    recipe = get_recipe(name)

    assert (recipe.architecture, recipe.loop, recipe.dataset, recipe.optimizer) == (
        "dcgan-small", "fast", dataset, "adam-5e-4")
    assert (recipe.epochs, recipe.batch_size, recipe.generator_average) == (16, 64, 0.9995)
    assert "minutes wall on a 2-core CPU" in recipe.description


def test_the_tutorials_exact_dcgan_stays_a_recipe_with_its_settings():
    recipe = get_recipe("dcgan-tutorial")

    assert (recipe.architecture, recipe.optimizer, recipe.epochs, recipe.batch_size) == ("dcgan", "adam", 3, 128)
    assert recipe.generator_average == 0.0
