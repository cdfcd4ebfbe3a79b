"""The builders match the articles' architectures, parameter for parameter."""

import keras
import numpy as np
import pytest

from kerasgan.errors import UserError
from kerasgan.models import (
    ARCHITECTURES, MinibatchStddev, build_classifier, build_combined, build_discriminator, build_gan_pair, build_generator,
    initialize_model,
)
from kerasgan.nets import GAN_FAMILIES, UNCONDITIONAL, architecture_names, get_architecture

# (generator, discriminator) parameter counts printed by the articles' (and the TF DCGAN tutorial's) model.summary().
ARTICLE_PARAMETER_COUNTS = {
    "dcgan": (2_330_944, 212_865),
    "keras-gan": (1_493_520, 533_505),
    "gan-in-6-min": (247_440, 233_985),
    "gan-for-classification": (114_064, 100_609),
}


@pytest.mark.parametrize("architecture", ARTICLE_PARAMETER_COUNTS)
def test_parameter_counts_equal_the_articles_models(architecture):
    generator, discriminator = build_gan_pair(architecture)
    assert (generator.count_params(), discriminator.count_params()) == ARTICLE_PARAMETER_COUNTS[architecture]


def test_wgan_gp_networks_have_the_keras_io_examples_parameter_counts():
    generator, critic = build_gan_pair("wgan-gp", latent_dim=128)
    assert (generator.count_params(), critic.count_params()) == (910_660, 4_305_409)
    assert generator.output_shape == (None, 28, 28, 1) and critic.output_shape == (None, 1)


def test_the_cpu_sized_wgan_gp_nets_are_keras_ios_at_a_quarter_of_the_channels():
    generator, critic = build_gan_pair("wgan-gp-small", latent_dim=128)
    assert [layer.filters for layer in critic.layers if hasattr(layer, "filters")] == [16, 32, 64, 128]
    assert (generator.count_params(), critic.count_params()) == (158_548, 269_953)
    assert generator.output_shape == (None, 28, 28, 1)


def test_minibatch_stddev_appends_the_batchs_mean_spread_to_every_row():
    features = np.array([[0.0, 0.0], [2.0, 4.0]], dtype="float32")  # per-feature std 1 and 2: mean 1.5
    out = np.asarray(MinibatchStddev()(features))
    np.testing.assert_allclose(out, [[0.0, 0.0, 1.5], [2.0, 4.0, 1.5]], atol=1e-6)
    identical = np.asarray(MinibatchStddev()(np.ones((4, 3), dtype="float32")))
    np.testing.assert_allclose(identical[:, -1], 1e-4, rtol=1e-3)


def test_minibatch_stddev_appends_one_channel_of_the_spread_to_feature_maps():
    maps = np.stack([np.zeros((3, 3, 2)), np.full((3, 3, 2), 2.0)]).astype("float32")  # every std is 1
    out = np.asarray(MinibatchStddev()(maps))
    assert out.shape == (2, 3, 3, 3)
    np.testing.assert_allclose(out[..., :2], maps)
    np.testing.assert_allclose(out[..., 2], 1.0, atol=1e-6)


def test_the_default_discriminator_is_the_articles_plus_one_spread_input_to_its_second_layer():
    generator, discriminator = build_gan_pair("keras-gan-mbstd")
    assert discriminator.count_params() == ARTICLE_PARAMETER_COUNTS["keras-gan"][1] + 256
    assert generator.count_params() == ARTICLE_PARAMETER_COUNTS["keras-gan"][0]


def test_keras_gan_generator_has_the_articles_non_trainable_batchnorm_statistics():
    generator = build_generator()
    non_trainable = sum(int(np.prod(weight.shape)) for weight in generator.non_trainable_weights)
    assert non_trainable == 2 * (256 + 512 + 1024)


@pytest.mark.parametrize("architecture", architecture_names(UNCONDITIONAL))
def test_generator_makes_tanh_images_and_discriminator_gives_one_probability_each(architecture):
    shape = (32, 32, 3) if architecture == "dcgan-faces" else (28, 28, 1)  # keras.io's faces: a multiple of 8
    generator, discriminator = build_gan_pair(architecture, img_shape=shape)
    images = np.asarray(generator(np.random.normal(size=(3, 100)).astype("float32")))
    assert images.shape == (3, *shape)
    assert images.min() >= -1.0 and images.max() <= 1.0
    validity = np.asarray(discriminator(images))
    assert validity.shape == (3, 1)
    assert np.all((validity > 0) & (validity < 1))


def test_discriminator_for_logits_has_no_sigmoid():
    discriminator = build_discriminator(output_activation=None)
    assert discriminator.layers[-1].activation is keras.activations.linear


def test_initialize_model_compiles_each_model_with_its_own_optimizer():
    discriminator, generator, combined = initialize_model(optimizer="sgd")
    assert isinstance(discriminator.optimizer, keras.optimizers.SGD)
    assert discriminator.optimizer is not combined.optimizer
    assert combined.input_shape == (None, 100) and combined.output_shape == (None, 1)
    assert discriminator.trainable, "the discriminator must stay trainable outside the combined step"


def test_build_combined_accepts_an_optimizer_name():
    generator, discriminator = build_gan_pair()
    combined = build_combined(generator, discriminator, "sgd")
    assert isinstance(combined.optimizer, keras.optimizers.SGD)


def test_classifier_is_the_cnn_articles_network():
    classifier = build_classifier()
    assert classifier.count_params() == 422_026
    assert classifier.output_shape == (None, 10)


def test_one_registry_holds_every_gan_family_and_the_classifiers():
    families = {spec.family for spec in ARCHITECTURES.values()}
    assert families == {*GAN_FAMILIES, "classifier"}
    assert architecture_names("classifier") == ["article", "three-block"]
    assert get_architecture("sgan").family == "semi-supervised"


def test_an_unknown_architecture_is_a_one_line_user_error_listing_the_family():
    with pytest.raises(UserError, match=r"unknown classifier architecture 'dcgan' \(choose from: article, three-block\)"):
        get_architecture("dcgan", "classifier")
