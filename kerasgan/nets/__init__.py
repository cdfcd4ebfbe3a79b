"""Every network kerasgan trains, in ``keras.layers`` and ``keras.ops`` only, and ONE registry of them.

``ARCHITECTURES`` maps a name to an :class:`Architecture`: its family (which GAN model trains it, or
``classifier``) and its builders. Modules: ``mlp`` (the articles' MLPs), ``dcgan`` (the TensorFlow tutorial's
convolutional nets), ``conditional`` (label-conditioned and auxiliary-classifier nets), ``sgan`` (Salimans et
al.'s semi-supervised nets), ``wgan`` (keras.io's WGAN-GP nets), ``classifier`` (the CNN article's classifier).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import partial
from typing import Callable

import keras

from kerasgan.errors import UserError
from kerasgan.nets.classifier import build_classifier, build_three_block_classifier
from kerasgan.data_spec import MNIST
from kerasgan.nets.conditional import (build_auxiliary_classifier_discriminator,
                                       build_conditional_discriminator, build_conditional_generator)
from kerasgan.nets.dcgan import (FOLDER_GENERATOR_WIDTH, SMALL_DCGAN_WIDTH, build_dcgan_discriminator, build_dcgan_generator,
                                 build_face_discriminator, build_face_generator)
from kerasgan.nets.mlp import (LATENT_DIM, MinibatchStddev, build_discriminator, build_generator,
                               build_minibatch_stddev_discriminator, build_mlp_discriminator,
                               build_six_minute_discriminator, build_six_minute_generator, build_small_discriminator,
                               build_small_generator)
from kerasgan.nets.sgan import build_sgan_discriminator, build_sgan_generator
from kerasgan.nets.wgan import SMALL_WGAN_WIDTH, build_wgan_critic, build_wgan_generator

UNCONDITIONAL = "unconditional"
CONDITIONAL = "conditional"
AUXILIARY_CLASSIFIER = "auxiliary-classifier"
CLASS_AWARE = "class-aware"
SEMI_SUPERVISED = "semi-supervised"
WASSERSTEIN = "wasserstein"
CLASSIFIER = "classifier"
GAN_FAMILIES = (UNCONDITIONAL, CONDITIONAL, AUXILIARY_CLASSIFIER, CLASS_AWARE, SEMI_SUPERVISED, WASSERSTEIN)
CLASS_FAMILIES = (CONDITIONAL, AUXILIARY_CLASSIFIER, CLASS_AWARE, SEMI_SUPERVISED)  # nets with a class dimension
ONE_LOGIT_FAMILIES = (UNCONDITIONAL, CONDITIONAL, CLASS_AWARE)  # D whose validity activation can be chosen


@dataclass(frozen=True)
class Architecture:
    """A named network design: which family trains it and the builders of its networks."""

    family: str
    description: str
    generator: Callable[..., keras.Model] | None = None
    discriminator: Callable[..., keras.Model] | None = None
    classifier: Callable[..., keras.Model] | None = None


ARCHITECTURES: dict[str, Architecture] = {
    "keras-gan": Architecture(UNCONDITIONAL, "the Keras-GAN articles' MLP with BatchNorm",
                              build_generator, build_discriminator),
    "keras-gan-mbstd": Architecture(UNCONDITIONAL, "the Keras-GAN MLP; D also sees the minibatch stddev (mbstd: the "
                                    "features' standard deviation over the batch)", build_generator, build_minibatch_stddev_discriminator),
    "gan-in-6-min": Architecture(UNCONDITIONAL, "the 'GAN in 6 minutes' article's small MLP",
                                 build_six_minute_generator, build_six_minute_discriminator),
    "gan-for-classification": Architecture(UNCONDITIONAL, "the 'GANs for classification' article's one-layer MLP",
                                           build_small_generator, build_small_discriminator),
    "dcgan": Architecture(UNCONDITIONAL, "the TensorFlow DCGAN tutorial's convolutional nets",
                          build_dcgan_generator, build_dcgan_discriminator),
    "dcgan-small": Architecture(UNCONDITIONAL, f"the DCGAN tutorial's nets at width {SMALL_DCGAN_WIDTH} (half the "
                                "channels), D without Dropout and fed the minibatch stddev before its second convolution",
                                partial(build_dcgan_generator, width=SMALL_DCGAN_WIDTH),
                                partial(build_dcgan_discriminator, width=SMALL_DCGAN_WIDTH, minibatch_stddev=True, dropout=0.0)),
    "dcgan-folder": Architecture(UNCONDITIONAL, f"dcgan-small made cheaper for colour folders on a CPU: G at width "
                                 f"{FOLDER_GENERATOR_WIDTH} with 4x4 kernels (no checkerboard: the kernel is a multiple "
                                 "of the stride) and no stride-1 lead-in", partial(
                                     build_dcgan_generator, width=FOLDER_GENERATOR_WIDTH, kernel_size=4, lead_in=False),
                                 partial(build_dcgan_discriminator, width=SMALL_DCGAN_WIDTH, minibatch_stddev=True,
                                         dropout=0.0)),
    "dcgan-faces": Architecture(UNCONDITIONAL, "keras.io's 'DCGAN to generate face images': three 4x4 transposed "
                                "convolutions (128-256-512) in G, three 4x4 convolutions (64-128-128) in D",
                                build_face_generator, build_face_discriminator),
    "dcgan-small-classes": Architecture(CLASS_AWARE, "dcgan-small with a class head on D: an unconditional G; D also "
                                        "learns the real images' labels",
                                        partial(build_dcgan_generator, width=SMALL_DCGAN_WIDTH),
                                        partial(build_dcgan_discriminator, width=SMALL_DCGAN_WIDTH, minibatch_stddev=True,
                                                dropout=0.0, num_classes=MNIST.num_classes)),
    "conditional": Architecture(CONDITIONAL, "a conditional DCGAN: the label embedded with z and as an image channel",
                                build_conditional_generator, build_conditional_discriminator),
    "conditional-ac": Architecture(AUXILIARY_CLASSIFIER, "the conditional generator with a projection discriminator "
                                   "and an auxiliary classifier", build_conditional_generator,
                                   build_auxiliary_classifier_discriminator),
    "sgan": Architecture(SEMI_SUPERVISED, "Salimans et al.'s weight-normalised MLPs; D has K class logits",
                         build_sgan_generator, build_sgan_discriminator),
    "wgan-gp": Architecture(WASSERSTEIN, "keras.io's WGAN-GP: an upsampling convolutional G, a 5x5 convolutional "
                            "critic without BatchNorm", build_wgan_generator, build_wgan_critic),
    "wgan-gp-small": Architecture(WASSERSTEIN, f"keras.io's WGAN-GP nets at width {SMALL_WGAN_WIDTH} (a quarter of "
                                  "keras.io's channels), sized for a CPU",
                                  partial(build_wgan_generator, width=SMALL_WGAN_WIDTH),
                                  partial(build_wgan_critic, width=SMALL_WGAN_WIDTH)),
    "article": Architecture(CLASSIFIER, "the CNN classifier article's two conv blocks", classifier=build_classifier),
    "three-block": Architecture(CLASSIFIER, "the article's CNN with a third conv block",
                                classifier=build_three_block_classifier),
}


def architecture_names(*families: str) -> list[str]:
    """The registered names of the given families (every name when none is given)."""
    return [name for name, spec in ARCHITECTURES.items() if not families or spec.family in families]


def get_architecture(name: str, *families: str) -> Architecture:
    """The architecture called ``name``; an unknown name (or one of another family) is a one-line user error."""
    allowed = architecture_names(*families)
    if name not in allowed:
        kind = f"{' or '.join(families)} architecture" if families else "architecture"
        raise UserError(f"unknown {kind} '{name}' (choose from: {', '.join(allowed)})")
    return ARCHITECTURES[name]


def build_gan_pair(
    architecture: str = "keras-gan",
    latent_dim: int = LATENT_DIM,
    img_shape: tuple = MNIST.image_shape,
    output_activation: str | None = "sigmoid",
    num_classes: int = MNIST.num_classes,
) -> tuple[keras.Model, keras.Model]:
    """Return ``(generator, discriminator)`` of a named GAN architecture for images of ``img_shape``.

    ``output_activation`` applies where D has one validity output (``None`` gives logits, as the fast loop wants);
    ``num_classes`` reaches the networks that take a label or name a class.
    """
    spec = get_architecture(architecture, *GAN_FAMILIES)
    classes = num_classes if spec.family in CLASS_FAMILIES else 0
    generator = spec.generator(latent_dim=latent_dim, img_shape=img_shape, **class_count(spec.generator, classes))
    options = {"output_activation": output_activation} if spec.family in ONE_LOGIT_FAMILIES else {}
    return generator, spec.discriminator(img_shape=img_shape, **options, **class_count(spec.discriminator, classes))


def class_count(builder: Callable[..., keras.Model], num_classes: int) -> dict:
    """``{"num_classes": num_classes}`` for a builder of a class-aware network that takes it, else nothing."""
    return {"num_classes": num_classes} if num_classes and "num_classes" in inspect.signature(builder).parameters else {}


def build_named_classifier(name: str = "article", img_shape: tuple = MNIST.image_shape, dropout: float = 0.5) -> keras.Model:
    """A fresh classifier of a registered classifier architecture."""
    return get_architecture(name, CLASSIFIER).classifier(img_shape=img_shape, dropout=dropout)


__all__ = [
    "ARCHITECTURES", "Architecture", "GAN_FAMILIES", "LATENT_DIM", "architecture_names", "build_gan_pair",
    "build_named_classifier", "get_architecture", "build_generator", "build_discriminator", "build_mlp_discriminator",
    "build_minibatch_stddev_discriminator", "MinibatchStddev",
    "build_six_minute_generator", "build_six_minute_discriminator", "build_small_generator",
    "build_small_discriminator", "build_dcgan_generator", "build_dcgan_discriminator", "build_face_generator",
    "build_face_discriminator", "build_conditional_generator",
    "build_conditional_discriminator", "build_auxiliary_classifier_discriminator", "build_sgan_generator",
    "build_sgan_discriminator", "build_wgan_generator", "build_wgan_critic", "build_classifier",
    "build_three_block_classifier",
]
