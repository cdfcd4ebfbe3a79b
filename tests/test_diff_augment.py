"""DiffAugment (kerasgan.diff_augment): each transform does what the paper's does, passes gradients, and a GAN
trained with it draws new augmentations every step from the seed state its checkpoint keeps. Marked ``backends``:
the same ``keras.ops`` code runs on TensorFlow, JAX and PyTorch."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from conftest import STEPS, any_changed, fit_steps, weights_of

from kerasgan.diff_augment import color, cutout, diff_augment, parse_policy, translation
from kerasgan.errors import UserError
from kerasgan.gans import build_gan
from kerasgan.training.checkpoint import load_checkpoint, save_checkpoint

POLICY = "color,translation,cutout"


def numbered_images(count: int = 8, size: int = 16) -> np.ndarray:
    """Images whose every pixel is different and non-zero, so a shift or a cut shows exactly."""
    return (1 + np.arange(count * size * size * 3, dtype=np.float32).reshape(count, size, size, 3)) / 1e4


def shifted(image: np.ndarray, down: int, right: int) -> np.ndarray:
    """``image`` moved ``down`` rows and ``right`` columns, zeros where nothing was."""
    out = np.zeros_like(image)
    height, width = image.shape[:2]
    out[max(0, down): height + min(0, down), max(0, right): width + min(0, right)] = \
        image[max(0, -down): height - max(0, down), max(0, -right): width - max(0, right)]
    return out


@pytest.mark.backends
def test_translation_moves_each_image_by_at_most_an_eighth_of_its_side_and_fills_with_zeros():
    images = numbered_images()
    moved = keras.ops.convert_to_numpy(translation(images, keras.random.SeedGenerator(0)))
    shifts = []
    for before, after in zip(images, moved):
        matches = [(down, right) for down in range(-2, 3) for right in range(-2, 3)
                   if np.array_equal(shifted(before, down, right), after)]
        assert len(matches) == 1, "the image is not its original shifted by up to 2 of 16 pixels"
        shifts.append(matches[0])
    assert len(set(shifts)) > 1, "every image got the same shift"


@pytest.mark.backends
def test_cutout_zeroes_one_square_of_at_most_half_the_side_in_each_image():
    images = numbered_images()
    cut = keras.ops.convert_to_numpy(cutout(images, keras.random.SeedGenerator(0)))
    for before, after in zip(images, cut):
        rows, cols = np.nonzero(np.all(after == 0, axis=-1))
        assert 0 < len(rows) <= 8 * 8
        assert len(rows) == (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1), "the zeros are no rectangle"
        kept = np.any(after != 0, axis=-1)
        np.testing.assert_array_equal(after[kept], before[kept])


@pytest.mark.backends
def test_color_changes_each_image_by_its_own_brightness_saturation_and_contrast():
    grey = np.full((4, 8, 8, 3), 0.2, np.float32)  # saturation and contrast leave a flat grey image alone
    out = keras.ops.convert_to_numpy(color(grey, keras.random.SeedGenerator(0)))
    offsets = out[:, 0, 0, 0] - 0.2
    np.testing.assert_allclose(out, np.broadcast_to(0.2 + offsets[:, None, None, None], out.shape), atol=1e-6)
    assert np.all(np.abs(offsets) <= 0.5) and len(set(np.round(offsets, 6))) == 4


@pytest.mark.backends
def test_the_augmented_images_pass_gradients_back_to_the_images():
    from kerasgan.gans import step_module

    images = keras.ops.convert_to_tensor(numbered_images(4))
    slopes = step_module().input_gradient(
        lambda x: keras.ops.sum(diff_augment(x, parse_policy(POLICY), keras.random.SeedGenerator(1)) ** 2,
                                axis=(1, 2, 3)), images)
    slopes = keras.ops.convert_to_numpy(slopes)
    assert np.all(np.isfinite(slopes))
    assert np.all(np.mean(slopes != 0, axis=(1, 2, 3)) > 0.4), "most pixels get no gradient"


def test_a_policy_names_the_papers_transforms_or_none():
    assert parse_policy("cutout, color") == ("color", "cutout")
    assert parse_policy("none") == parse_policy("") == ()
    with pytest.raises(UserError, match="unknown DiffAugment transform 'flip'"):
        parse_policy("color,flip")


@pytest.mark.backends
def test_a_gan_with_diff_augment_draws_its_augmentations_from_its_seed_every_step(tiny_images):
    plain, augmented = (build_gan("keras-gan", seed=3, steps_per_execution=1, diff_augment=policy)
                        for policy in ("", POLICY))
    before = weights_of(augmented.discriminator)
    fit_steps(plain, tiny_images)
    fit_steps(augmented, tiny_images)
    plain_draws = np.array(plain.seed_generator.state)[1]
    augmented_draws = np.array(augmented.seed_generator.state)[1]
    assert plain_draws == STEPS
    assert augmented_draws > 2 * STEPS, "the augmentations do not advance the GAN's seed"
    assert any_changed(before, weights_of(augmented.discriminator))


@pytest.mark.backends
def test_a_resumed_run_with_diff_augment_takes_the_next_step_of_the_uninterrupted_run(tiny_images, tmp_path):
    original = build_gan("keras-gan", seed=3, diff_augment=POLICY)
    for start in (0, 16):
        original.train_on_batch(tiny_images[start: start + 16])
    save_checkpoint(original, tmp_path / "checkpoint.npz", step=2, history={})
    restored = build_gan("keras-gan", seed=99, diff_augment=POLICY)
    load_checkpoint(restored, tmp_path / "checkpoint.npz")
    for gan in (original, restored):
        gan.train_on_batch(tiny_images[32:48])
    for left, right in zip(weights_of(original.discriminator), weights_of(restored.discriminator)):
        np.testing.assert_allclose(left, right, rtol=1e-6, atol=1e-7)
