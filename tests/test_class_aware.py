"""The class-aware GAN: an unconditional generator whose discriminator also learns the real images' labels;
the class-confidence loss and the discriminator's class head."""


import keras
import numpy as np
import pytest

from kerasgan.losses import class_confidence_loss
from kerasgan.nets import build_gan_pair


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
