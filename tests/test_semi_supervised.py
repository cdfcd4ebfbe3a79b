"""The semi-supervised GAN (Salimans et al. 2016): K-class discriminator, its losses; label subsets."""

import numpy as np
import pytest

from kerasgan.data import balanced_subset
from kerasgan.losses import feature_matching_loss, unsupervised_loss
from kerasgan.nets.sgan import WeightNormDense, build_sgan_discriminator, build_sgan_generator, initialize_weight_norm
from kerasgan.semi_supervised import train_on_synthetic

REAL_LOGITS = np.array([[2.0, -1.0, 0.5], [-3.0, -2.0, -4.0]], dtype="float32")
FAKE_LOGITS = np.array([[0.1, 0.2, -0.3], [-5.0, 1.0, 0.0]], dtype="float32")


def test_sgan_discriminator_outputs_k_class_logits_and_the_last_hidden_features():
    discriminator = build_sgan_discriminator(num_classes=10)

    logits, features = discriminator(np.zeros((4, 28, 28, 1), "float32"), training=False)

    assert tuple(logits.shape) == (4, 10)
    assert tuple(features.shape) == (4, 250)
    assert [layer.units for layer in discriminator.layers if isinstance(layer, WeightNormDense)] == \
        [1000, 500, 250, 250, 250, 10]


def test_sgan_generator_makes_images_in_tanh_range():
    images = np.asarray(build_sgan_generator()(np.random.default_rng(0).uniform(size=(3, 100)).astype("float32")))

    assert images.shape == (3, 28, 28, 1) and images.min() >= -1.0 and images.max() <= 1.0


def test_unsupervised_loss_matches_a_numpy_reference():
    z_real = np.exp(REAL_LOGITS.astype(np.float64)).sum(axis=1)
    z_fake = np.exp(FAKE_LOGITS.astype(np.float64)).sum(axis=1)
    d_real, d_fake = z_real / (z_real + 1), z_fake / (z_fake + 1)
    expected = -0.5 * np.mean(np.log(d_real)) - 0.5 * np.mean(np.log(1 - d_fake))

    assert float(unsupervised_loss(REAL_LOGITS, FAKE_LOGITS)) == pytest.approx(expected, rel=1e-5)


def test_unsupervised_loss_stays_finite_for_huge_logits():
    confident_real = np.array([[500.0, -500.0]], dtype="float32")
    confident_fake = np.array([[-500.0, -500.0]], dtype="float32")

    assert float(unsupervised_loss(confident_real, confident_fake)) == pytest.approx(0.0, abs=1e-6)
    # -0.5 log D(real) = 0.5 (500 - log 2); -0.5 log(1 - D(fake)) = 0.5 * 500
    expected = 0.5 * (500.0 - np.log(2.0)) + 0.5 * 500.0
    assert float(unsupervised_loss(confident_fake, confident_real)) == pytest.approx(expected, rel=1e-5)


def test_feature_matching_loss_is_the_mean_squared_gap_between_feature_means():
    real = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
    fake = np.array([[0.0, 0.0], [0.0, 2.0]], dtype="float32")

    assert float(feature_matching_loss(real, fake)) == pytest.approx(((2 - 0) ** 2 + (3 - 1) ** 2) / 2)


def test_weight_norm_dense_kernel_columns_have_the_scale_as_their_norm():
    layer = WeightNormDense(3, scale_init=2.0)
    inputs = np.eye(5, dtype="float32")

    kernel = np.asarray(layer(inputs))  # identity inputs read the effective kernel off (bias is zero)

    np.testing.assert_allclose(np.linalg.norm(kernel, axis=0), [2.0, 2.0, 2.0], rtol=1e-5)


def test_data_dependent_init_gives_logits_of_mean_0_and_std_1_on_the_init_batch(tiny_images):
    discriminator = build_sgan_discriminator()

    initialize_weight_norm(discriminator, tiny_images, with_noise=False)

    logits = np.asarray(discriminator(tiny_images, training=False)[0])
    np.testing.assert_allclose(logits.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(logits.std(axis=0), 1.0, rtol=1e-3)


def test_init_with_the_training_noise_sets_smaller_scales_than_a_clean_init(tiny_images):
    clean, noisy = build_sgan_discriminator(), build_sgan_discriminator()
    noisy.set_weights(clean.get_weights())

    initialize_weight_norm(clean, tiny_images, with_noise=False)
    initialize_weight_norm(noisy, tiny_images)

    first_scale = lambda model: np.asarray(next(layer for layer in model.layers  # noqa: E731
                                                if isinstance(layer, WeightNormDense)).scale)
    assert first_scale(noisy).mean() < 0.9 * first_scale(clean).mean()  # input noise 0.3 adds variance


def test_balanced_subset_takes_n_over_k_of_each_class_and_is_fixed_by_the_seed():
    labels = np.repeat(np.arange(10), 50)

    subset = balanced_subset(labels, 100, seed=3)

    assert np.bincount(labels[subset]).tolist() == [10] * 10
    np.testing.assert_array_equal(subset, balanced_subset(labels, 100, seed=3))
    assert not np.array_equal(subset, balanced_subset(labels, 100, seed=4))
    assert len(balanced_subset(labels, 500)) == 500


@pytest.mark.slow
def test_train_on_synthetic_trains_on_generated_plus_real_images_and_tests_on_real(tiny_images):
    from kerasgan.nets import build_conditional_generator

    real = (tiny_images[:20], np.arange(20) % 10)
    results = train_on_synthetic(build_conditional_generator(), tiny_images[20:], np.arange(44) % 10,
                                 n_synthetic=30, real=real, epochs=1, batch_size=16, augment="shift_rotate")

    assert results["train_size"] == 50 and results["n_real"] == 20 and results["augment"] == "shift_rotate"
    assert 0.0 <= results["test_accuracy"] <= 1.0


@pytest.mark.parametrize("args, message", [
    (["--method", "synthetic"], "error: --method synthetic needs --generator G.keras, --labels N, or both"),
    (["--method", "sgan", "--labels", "105"], "error: --labels 105 cannot be split evenly between the 10 classes (use a multiple of 10)"),
    (["--method", "supervised", "--augment", "shift_rotate"], "error: --augment applies to the cnn and synthetic methods, not supervised"),
])
def test_classify_script_reports_bad_gan_arguments_in_one_line(args, message):
    from conftest import run_script

    finished = run_script("classify.py", *args)

    assert finished.returncode == 2
    assert finished.stderr.strip() == message
