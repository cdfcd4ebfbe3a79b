"""The GAN family of kerasgan.gans: build_gan, each family's losses and steps (conditional, AC-GAN, class-aware,
semi-supervised, WGAN-GP), the averaged weights each takes at the end of training, and BatchNorm's statistics
measured again for them.

The tests marked ``backends`` run on every Keras backend (CI also runs them under ``KERAS_BACKEND=jax`` and
``KERAS_BACKEND=torch`` without TensorFlow).
"""

import keras
import numpy as np
import pytest
from conftest import STEPS, any_changed, fit_steps, weights_of

from kerasgan.errors import UserError
from kerasgan.gans import (GAN, IMAGES, LABELLED, LABELLED_AND_UNLABELLED, ClassAwareGAN, ConditionalGAN,
                           SemiSupervisedGAN, WassersteinGAN, build_gan, family_class)
from kerasgan.latents import NORMAL, UNIFORM
from kerasgan.recipes import get_recipe
from kerasgan.run_folder import RunFolder, generator_record
from kerasgan.sampling import sample
from kerasgan.settings import RunSettings
from kerasgan.losses import class_confidence_loss
from kerasgan.nets.sgan import WeightNormDense


@pytest.mark.parametrize("architecture, family, batch_format, conditional, latents", [
    ("keras-gan", GAN, IMAGES, False, NORMAL),
    ("conditional", ConditionalGAN, LABELLED, True, NORMAL),
    ("conditional-ac", ConditionalGAN, LABELLED, True, NORMAL),
    ("dcgan-small-classes", ClassAwareGAN, LABELLED, False, NORMAL),
    ("sgan", SemiSupervisedGAN, LABELLED_AND_UNLABELLED, False, UNIFORM),
    ("wgan-gp", WassersteinGAN, IMAGES, False, NORMAL),
])
def test_each_family_says_what_it_trains_on_whether_g_takes_a_label_and_where_its_latents_come_from(
        architecture, family, batch_format, conditional, latents):
    assert family_class(architecture) is family
    assert (family.batch_format, family.conditional, family.latent_distribution) == (batch_format, conditional, latents)


def identity_generator(latent_dim: int = 4) -> keras.Model:
    """A generator whose images are its latent points (2 x 2 x 1), named like any other."""
    noise = keras.Input(shape=(latent_dim,))
    return keras.Model(noise, keras.layers.Reshape((2, 2, 1))(noise), name="generator")


def test_sampling_draws_the_latents_the_family_names_whatever_the_generator_is_called():
    uniform = sample(identity_generator(), count=200, family=SemiSupervisedGAN).images
    normal = sample(identity_generator(), count=200, family=GAN).images
    assert uniform.min() >= 0.0 and uniform.max() <= 1.0
    assert normal.min() < -1.0


def test_a_run_folder_records_the_family_and_a_file_without_one_is_judged_by_its_inputs(tmp_path):
    RunFolder(tmp_path / "run").path.mkdir()
    RunFolder(tmp_path / "run").write_settings(RunSettings(get_recipe("cgan-mnist")))
    family, data = generator_record(tmp_path / "run" / "generator.keras")
    assert family is ConditionalGAN and data.class_names[:2] == ("0", "1")
    assert generator_record(tmp_path / "elsewhere.keras", "fashion_mnist")[1].name == "fashion_mnist"
    assert generator_record(tmp_path / "elsewhere.keras", generator=identity_generator())[0] is GAN
    two_inputs = build_gan("conditional").generator
    assert generator_record(tmp_path / "elsewhere.keras", generator=two_inputs)[0] is ConditionalGAN


def test_an_unknown_architecture_is_a_one_line_user_error():
    with pytest.raises(UserError, match="unknown .*architecture 'projection' \\(choose from: keras-gan, .*conditional"):
        build_gan("projection")


@pytest.mark.slow
def test_one_dcgan_fast_path_step_gives_finite_losses_and_changes_both_networks(tiny_images):
    gan = build_gan("dcgan", seed=0, jit_compile=False)
    generator_before, discriminator_before = weights_of(gan.generator), weights_of(gan.discriminator)

    logs = gan.train_on_batch(tiny_images[:8], return_dict=True)

    assert np.isfinite(logs["d_loss"]) and np.isfinite(logs["g_loss"])
    assert any_changed(generator_before, weights_of(gan.generator))
    assert any_changed(discriminator_before, weights_of(gan.discriminator))


def test_one_conditional_step_gives_finite_losses_and_changes_both_networks(tiny_images, tiny_labels):
    gan = build_gan("conditional", seed=0)
    generator_before, discriminator_before = weights_of(gan.generator), weights_of(gan.discriminator)

    logs = gan.train_on_batch(tiny_images[:16], tiny_labels[:16], return_dict=True)

    assert isinstance(gan, ConditionalGAN)
    assert all(np.isfinite(logs[name]) for name in ("d_loss", "g_loss", "d_acc"))
    assert any_changed(generator_before, weights_of(gan.generator))
    assert any_changed(discriminator_before, weights_of(gan.discriminator))


def test_one_auxiliary_classifier_step_trains_the_class_head(tiny_images, tiny_labels):
    gan = build_gan("conditional-ac", seed=0)
    class_head = gan.discriminator.get_layer("class_logits")
    head_before, generator_before = weights_of(class_head), weights_of(gan.generator)

    logs = gan.train_on_batch(tiny_images[:16], tiny_labels[:16], return_dict=True)

    assert all(np.isfinite(logs[name]) for name in ("d_loss", "g_loss", "d_acc"))
    assert any_changed(head_before, weights_of(class_head))  # only the class loss reaches this head
    assert any_changed(generator_before, weights_of(gan.generator))


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


def sgan_batch(images: np.ndarray) -> tuple:
    """One SGAN batch from the first 32 images: 16 labelled (labels 0-9 in turn) and 16 unlabelled."""
    return images[:16], np.arange(16) % 10, images[16:32]


@pytest.mark.slow
def test_one_sgan_step_gives_finite_losses_and_changes_both_networks(tiny_images):
    gan = build_gan("sgan", seed=0, optimizer="adam-3e-3", total_steps=10)
    generator_before, discriminator_before = weights_of(gan.generator), weights_of(gan.discriminator)

    logs = gan.train_on_batch(sgan_batch(tiny_images), return_dict=True)

    assert all(np.isfinite(logs[name]) for name in ("d_loss", "sup_loss", "unsup_loss", "g_loss"))
    assert any_changed(generator_before, weights_of(gan.generator))
    assert any_changed(discriminator_before, weights_of(gan.discriminator))
    assert tuple(gan(tiny_images[:2]).shape) == (2, 10)


def scales_of(discriminator) -> list[np.ndarray]:
    return [np.asarray(layer.scale) for layer in discriminator.layers if isinstance(layer, WeightNormDense)]


@pytest.mark.slow
def test_an_sgan_step_keeps_the_hidden_scales_from_the_init_and_trains_the_logit_scales(tiny_images):
    gan = build_gan("sgan", seed=0, optimizer="adam-3e-3", total_steps=10)
    gan.initialize(tiny_images)
    before = scales_of(gan.discriminator)

    gan.train_on_batch(sgan_batch(tiny_images))

    after = scales_of(gan.discriminator)
    assert len(after) == 6 and all(np.array_equal(old, new) for old, new in zip(before[:-1], after[:-1]))
    assert not np.allclose(before[-1], after[-1])


def test_finalizing_the_average_moves_d_to_a_blend_of_its_past_weights(tiny_images):
    gan = build_gan("sgan", seed=0, optimizer="adam-3e-3", total_steps=6)
    before = weights_of(gan.discriminator)
    for _ in range(3):
        gan.train_on_batch(sgan_batch(tiny_images))
    last = weights_of(gan.discriminator)

    gan.d_optimizer.finalize_variable_values(gan.discriminator.trainable_variables)

    averaged = weights_of(gan.discriminator)
    assert gan.d_optimizer.use_ema
    changed = [i for i, (old, new) in enumerate(zip(before, last)) if not np.array_equal(old, new)]
    assert changed and all(not np.allclose(averaged[i], last[i]) for i in changed)


def test_wgan_gp_updates_the_critic_three_times_per_generator_update_and_penalises_its_slope(tiny_images):
    gan = build_gan("wgan-gp", seed=0, steps_per_execution=1)
    critic_before, generator_before = weights_of(gan.discriminator), weights_of(gan.generator)
    history = fit_steps(gan, tiny_images)
    assert int(gan.d_optimizer.iterations) == 3 * STEPS and int(gan.g_optimizer.iterations) == STEPS
    assert any_changed(critic_before, weights_of(gan.discriminator))
    assert any_changed(generator_before, weights_of(gan.generator))
    assert all(np.isfinite(values[-1]) for values in history.values()) and history["gp"][-1] > 0


@pytest.mark.backends
def test_wgan_gp_draws_its_interpolation_weights_uniformly_between_real_and_fake():
    weights = keras.ops.convert_to_numpy(build_gan("wgan-gp", seed=0).interpolation_weights(20_000))
    assert weights.shape == (20_000, 1, 1, 1)
    assert weights.min() >= 0.0 and weights.max() <= 1.0
    assert abs(weights.mean() - 0.5) < 0.01 and abs(weights.var() - 1 / 12) < 0.003


@pytest.mark.backends
def test_the_averaged_generator_is_the_moving_average_of_its_weights_over_the_steps(tiny_images):
    gan = build_gan(seed=3, generator_average=0.9, steps_per_execution=1)
    trainable = gan.generator.trainable_variables
    averages = None  # the first step copies the weights: the random initial ones never enter the average
    for step in range(STEPS):
        fit_steps(gan, tiny_images, steps=1)
        weights = [keras.ops.convert_to_numpy(weight) for weight in trainable]
        momentum = min(0.9, (1 + step) / (10 + step))  # warm-up: 2/11, 3/12, ... up to 0.9
        averages = weights if averages is None else [momentum * average + (1 - momentum) * weight
                                                     for average, weight in zip(averages, weights)]
    last = [keras.ops.convert_to_numpy(weight) for weight in trainable]
    gan.finish_training()
    for weight, average, final in zip(trainable, averages, last):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(weight), average, atol=1e-6)
        assert not np.allclose(average, final, atol=1e-6)


def test_batch_statistics_are_measured_as_the_equal_mean_over_the_batches():
    from kerasgan.gans import measure_batch_statistics

    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.BatchNormalization(momentum=0.99)(inputs))
    batches = iter(np.float32([[[0, 1], [2, 3]], [[4, 5], [6, 7]], [[8, 9], [10, 13]]]))
    measure_batch_statistics(model, lambda: next(batches), batches=3)
    norm = model.layers[-1]
    np.testing.assert_allclose(norm.moving_mean.numpy(), [(1 + 5 + 9) / 3, (2 + 6 + 11) / 3], rtol=1e-6)
    np.testing.assert_allclose(norm.moving_variance.numpy(), [1.0, (1 + 1 + 4) / 3], rtol=1e-6)
    assert norm.momentum == 0.99
