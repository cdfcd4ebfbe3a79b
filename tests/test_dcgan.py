"""The DCGAN tutorial's networks and the CPU-sized DCGAN: their layers, shapes and sizes."""

import keras
import numpy as np
import pytest

from kerasgan.errors import UserError
from kerasgan.models import ARCHITECTURES, build_dcgan_discriminator, build_dcgan_generator, build_gan_pair


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


def test_the_cpu_sized_dcgan_is_the_tutorials_at_half_the_channels_with_the_spread_and_no_dropout():
    generator, discriminator = build_gan_pair("dcgan-small", output_activation=None)

    assert [layer.filters for layer in generator.layers if hasattr(layer, "filters")] == [64, 32, 1]
    assert [layer.filters for layer in discriminator.layers if hasattr(layer, "filters")] == [32, 64]
    assert [layer.__class__.__name__ for layer in discriminator.layers[1:]] == [
        "Conv2D", "LeakyReLU", "MinibatchStddev", "Conv2D", "LeakyReLU", "Flatten", "Dense"]
    assert (generator.count_params(), discriminator.count_params()) == (909_472, 56_833)


@pytest.mark.parametrize("size, upsamplings", [(28, 2), (32, 3), (64, 4)])
def test_the_dcgan_generator_doubles_from_4_to_7_pixels_up_to_any_size_and_d_halves_as_often(size, upsamplings):
    generator, discriminator = build_gan_pair("dcgan-small", img_shape=(size, size, 3))
    strided_up = [layer for layer in generator.layers if isinstance(layer, keras.layers.Conv2DTranspose)
                  and layer.strides == (2, 2)]
    strided_down = [layer for layer in discriminator.layers if isinstance(layer, keras.layers.Conv2D)]
    assert generator.output_shape == (None, size, size, 3)
    assert len(strided_up) == len(strided_down) == upsamplings
    assert [layer.filters for layer in strided_down] == [32 * 2 ** k for k in range(upsamplings)]


def test_a_size_the_dcgan_nets_cannot_halve_to_4_pixels_is_refused_in_one_line():
    with pytest.raises(UserError, match="the DCGAN nets cannot build 6x6 images"):
        build_dcgan_generator(img_shape=(6, 6, 1))


def test_keras_ios_face_dcgan_draws_64x64_colour_images_from_z_of_128():
    generator, discriminator = build_gan_pair("dcgan-faces", latent_dim=128, img_shape=(64, 64, 3))
    assert generator.output_shape == (None, 64, 64, 3) and generator.input_shape == (None, 128)
    assert [layer.filters for layer in generator.layers if isinstance(layer, keras.layers.Conv2DTranspose)] == [
        128, 256, 512]
    assert [layer.filters for layer in discriminator.layers if isinstance(layer, keras.layers.Conv2D)] == [64, 128, 128]
