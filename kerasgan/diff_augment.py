"""Differentiable augmentation (DiffAugment; Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN
Training"): the same random colour, translation and cutout applied to the real and the generated images before D
sees them, so that D cannot memorise a small data set and G still gets gradients through the augmentation.

Written in ``keras.ops`` only, so one code path serves TensorFlow, JAX and PyTorch. The random numbers come from
the GAN's own ``SeedGenerator``, whose state is in every checkpoint: a resumed run draws the same augmentations.
Images are ``(N, H, W, C)`` in [-1, 1]; the transforms follow the paper's code (brightness +-0.5, saturation
x[0, 2], contrast x[0.5, 1.5], translation up to 1/8 of the side with zero padding, a cutout square of half the
side).
"""

from __future__ import annotations

from keras import ops, random

POLICIES = ("color", "translation", "cutout")
TRANSLATION_RATIO = 0.125
CUTOUT_RATIO = 0.5


def parse_policy(text: str) -> tuple[str, ...]:
    """The transforms named in ``text`` ("color,translation,cutout"; "" or "none" for none), in the paper's order."""
    names = tuple(name.strip() for name in text.split(",") if name.strip() and name.strip() != "none")
    unknown = [name for name in names if name not in POLICIES]
    if unknown:
        from kerasgan.errors import UserError

        raise UserError(f"unknown DiffAugment transform '{unknown[0]}' (choose from: {', '.join(POLICIES)}, or none)")
    return tuple(name for name in POLICIES if name in names)


def diff_augment(images, policy: tuple[str, ...], seed):
    """``images`` with each transform of ``policy`` applied, drawn per image from ``seed`` (a SeedGenerator)."""
    for name in policy:
        images = TRANSFORMS[name](images, seed)
    return images


def color(images, seed):
    """Random brightness, saturation and contrast, one draw of each per image."""
    images = ops.convert_to_tensor(images)
    batch = ops.shape(images)[0]
    images = images + random.uniform((batch, 1, 1, 1), -0.5, 0.5, seed=seed)
    mean = ops.mean(images, axis=3, keepdims=True)
    images = (images - mean) * random.uniform((batch, 1, 1, 1), 0.0, 2.0, seed=seed) + mean
    mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
    return (images - mean) * random.uniform((batch, 1, 1, 1), 0.5, 1.5, seed=seed) + mean


def translation(images, seed, ratio: float = TRANSLATION_RATIO):
    """Shift each image by up to ``ratio`` of its height and width, filling with zeros: the shift is a product
    with 0/1 shift matrices, which every backend differentiates the same way."""
    images = ops.convert_to_tensor(images)
    batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
    rows = shift_matrices(batch, height, int(height * ratio + 0.5), seed, images.dtype)
    cols = shift_matrices(batch, width, int(width * ratio + 0.5), seed, images.dtype)
    images = ops.einsum("nij,njwc->niwc", rows, images)
    return ops.einsum("nij,nhjc->nhic", cols, images)


def shift_matrices(batch, size: int, largest: int, seed, dtype):
    """``(batch, size, size)`` matrices ``M[i, j] = 1 if j == i + shift``, a shift in [-largest, largest] each."""
    shift = random.randint((batch, 1, 1), -largest, largest + 1, seed=seed)
    index = ops.arange(size, dtype="int32")
    return ops.cast(ops.equal(index[None, None, :], index[None, :, None] + shift), dtype)


def cutout(images, seed, ratio: float = CUTOUT_RATIO):
    """Zero one square of ``ratio`` times the side per image, centred anywhere (cut off at the borders)."""
    images = ops.convert_to_tensor(images)
    batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
    side_h, side_w = int(height * ratio + 0.5), int(width * ratio + 0.5)
    top = random.randint((batch, 1, 1, 1), 0, height + (1 - side_h % 2), seed=seed) - side_h // 2
    left = random.randint((batch, 1, 1, 1), 0, width + (1 - side_w % 2), seed=seed) - side_w // 2
    rows = ops.arange(height, dtype="int32")[None, :, None, None]
    cols = ops.arange(width, dtype="int32")[None, None, :, None]
    inside = (rows >= top) & (rows < top + side_h) & (cols >= left) & (cols < left + side_w)
    return images * ops.cast(ops.logical_not(inside), images.dtype)


TRANSFORMS = {"color": color, "translation": translation, "cutout": cutout}
