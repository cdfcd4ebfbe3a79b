"""The recipe table of kerasgan.recipes: each recipe's settings, get_recipe, the settings a run changed, and the
optimizers make_optimizer makes (the articles' Adam, the SGAN's constant rate and averaged D, G's warm average)."""

import keras
import pytest

from kerasgan.errors import UserError
from kerasgan.gans import build_gan
from kerasgan.recipes import get_recipe, make_optimizer, weight_average_momentum
from kerasgan.weight_average import AveragedAdam


def test_recipe_overrides_change_only_what_was_asked():
    recipe = get_recipe("article").replace(epochs=3)
    assert (recipe.epochs, recipe.batch_size, recipe.learning_rate) == (3, 64, 1e-3)
    with pytest.raises(UserError, match="unknown recipe 'best'"):
        get_recipe("best")


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


def test_cgan_recipes_train_on_the_fast_loop_with_one_grid_row_per_class():
    recipe = get_recipe("cgan-mnist")

    assert (recipe.loop, recipe.architecture, recipe.grid) == ("fast", "conditional", (10, 10))
    assert get_recipe("acgan-mnist").replace(steps=1).architecture == "conditional-ac"
    assert build_gan("conditional").grid_row_labels(10, ["zero", "one"] + [str(k) for k in range(2, 10)])[:2] == \
        ["zero", "one"]


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


def test_a_run_names_the_settings_its_command_line_changed_from_the_recipe():
    from kerasgan.recipes import changed_settings, get_recipe

    assert changed_settings(get_recipe("sgan-mnist").replace(epochs=80)) == ["80 epochs (recipe: 20 epochs)"]
    assert changed_settings(get_recipe("default").replace(dataset="fashion_mnist", steps=40)) == [
        "40 steps (recipe: 26 epochs)", "dataset fashion_mnist (recipe: mnist)"]
    assert changed_settings(get_recipe("dcgan-mnist").replace(epochs=16)) == []


def test_adam_is_configured_as_in_the_articles():
    optimizer = make_optimizer("adam")
    assert float(optimizer.learning_rate) == pytest.approx(0.0002)
    assert optimizer.beta_1 == pytest.approx(0.5)


def test_the_sgan_recipe_keeps_adam_at_the_papers_constant_3e_3_to_the_end_of_the_run():
    optimizer = make_optimizer(get_recipe("sgan-mnist").optimizer, total_steps=12000, average_weights=True)
    optimizer.iterations.assign(11999)

    assert float(optimizer.learning_rate) == pytest.approx(0.003)
    assert optimizer.beta_1 == 0.5 and optimizer.ema_momentum == pytest.approx(weight_average_momentum(12000))


def test_discriminator_weights_are_averaged_over_the_last_third_of_the_run():
    assert weight_average_momentum(3000) == pytest.approx(0.999)
    assert weight_average_momentum(10) == 0.9 and weight_average_momentum(10**7) == 0.9999


def test_only_the_generators_fixed_momentum_average_warms_up():
    assert isinstance(make_optimizer("adam-5e-4", average_weights=True, average_momentum=0.9995), AveragedAdam)
    for plain in (make_optimizer("adam-3e-3", total_steps=12000, average_weights=True), make_optimizer("adam")):
        assert isinstance(plain, keras.optimizers.Adam) and not isinstance(plain, AveragedAdam)


def test_the_folder_recipes_train_colour_squares_with_diff_augment_on_the_dcgan_nets():
    folder, gpu, faces = (get_recipe(name) for name in ("folder", "folder-64", "dcgan-faces"))
    assert (folder.architecture, folder.image_size, folder.diff_augment) == ("dcgan-folder", 32,
                                                                            "color,translation,cutout")
    assert (gpu.architecture, gpu.image_size, gpu.diff_augment) == ("dcgan", 64, folder.diff_augment)
    assert (faces.architecture, faces.image_size, faces.latent_dim, faces.batch_size) == ("dcgan-faces", 64, 128, 32)
    assert float(make_optimizer(faces.optimizer).learning_rate) == pytest.approx(1e-4)
