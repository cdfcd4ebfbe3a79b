"""Every named setting kerasgan trains with, in ONE table: the articles' GANs, the project's default, the
semi-supervised GAN and the classifiers; and the optimizers those settings name.

``get_recipe(name)`` is the one lookup: an unknown name is a one-line user error listing the names of the kind
asked for (``Recipe`` for GANs, ``ClassifierRecipe`` for classifiers).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from kerasgan.errors import UserError

SGAN_LEARNING_RATE = 0.003


@dataclass(frozen=True)
class Recipe:
    """Everything that defines a GAN training run except where it writes and which seed it uses.

    Length is ``steps`` (single-batch iterations, what the Keras articles call epochs) or ``epochs``
    (real passes over the data, as the PyTorch article counts); exactly one of them is set. ``labels`` is
    the semi-supervised GAN's number of labelled images (balanced between the classes).
    ``generator_average`` is the momentum of an exponential moving average of the generator's weights (0: none);
    the averaged generator is the one sampled, scored and saved at the end. ``balance_weight`` is the class-aware
    GAN's weight of G's every-class-equally-often term (``None``: ``kerasgan.gans.BALANCE_WEIGHT``).
    ``diff_augment`` names DiffAugment's transforms (``kerasgan.diff_augment``; "" for none). ``image_size`` is the
    side a folder's images are resized to (``None``: the images' own size).
    """

    name: str
    description: str
    dataset: str = "mnist"
    architecture: str = "keras-gan"
    optimizer: str = "adam"
    loop: str = "fast"
    steps: int | None = None
    epochs: int | None = None
    batch_size: int = 32
    sample_interval: int = 200
    grid: tuple[int, int] = (5, 5)
    latent_dim: int = 100
    label_smoothing: float = 0.0
    labels: int | None = None
    jit_compile: bool = False
    generator_average: float = 0.0
    balance_weight: float | None = None
    diff_augment: str = ""
    image_size: int | None = None

    def steps_for(self, num_examples: int) -> int:
        """Total iterations: ``steps`` as given, or ``epochs`` full passes of ``num_examples // batch_size``."""
        if self.steps is not None:
            return self.steps
        return self.epochs * max(1, num_examples // self.batch_size)

    def replace(self, **changes) -> "Recipe":
        """A copy with some fields changed (``None`` values are ignored); setting one length clears the other."""
        changes = {key: value for key, value in changes.items() if value is not None}
        if "steps" in changes:
            changes.setdefault("epochs", None)
        elif "epochs" in changes:
            changes["steps"] = None
        return dataclasses.replace(self, **changes)


AUGMENTATIONS = ("none", "shift_rotate", "dataset_aware")  # kerasgan.classify.build_augmenter's kinds


@dataclass(frozen=True)
class ClassifierRecipe:
    """How a classifier is trained: architecture, optimiser, length, augmentation and regularisation."""

    name: str
    architecture: str = "article"
    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 1e-3
    cosine_decay: bool = False
    augment: str = "none"
    label_smoothing: float = 0.0
    validation_fraction: float = 0.2
    dropout: float = 0.5

    def replace(self, **changes) -> "ClassifierRecipe":
        """A copy with some fields changed (``None`` values are ignored)."""
        return dataclasses.replace(self, **{key: value for key, value in changes.items() if value is not None})


DEFAULT = Recipe(
    name="default",
    description="The Keras articles' MLP GAN on the compiled fast loop, D also seeing the minibatch stddev "
                "(minibatch standard deviation): Adam(5e-4, 0.5), batch 64, 26 real epochs, one-sided label "
                "smoothing, G's weights averaged (EMA 0.9995); under 10 minutes on a 2-core CPU.",
    architecture="keras-gan-mbstd",
    optimizer="adam-5e-4",
    epochs=26,
    batch_size=64,
    sample_interval=1000,
    grid=(10, 10),
    label_smoothing=0.1,
    generator_average=0.9995,
)
DCGAN_TUTORIAL = Recipe(
    name="dcgan-tutorial",
    description="The TensorFlow DCGAN tutorial's exact nets on the fast loop: Adam(2e-4, 0.5), batch 128, 3 real "
                "epochs (1,404 steps at about 0.45 CPU-s each: about 10 CPU minutes on 2 cores); digits still forming.",
    architecture="dcgan",
    epochs=3,
    batch_size=128,
    grid=(10, 10),
)
DCGAN_MNIST = DEFAULT.replace(
    name="dcgan-mnist",
    description="The DCGAN tutorial's nets sized for a CPU (half the channels, D without Dropout and fed the "
                "minibatch stddev): Adam(5e-4, 0.5), batch 64, 16 real epochs, label smoothing 0.1, G's weights averaged "
                "(EMA 0.9995); 10-14 minutes wall on a 2-core CPU (about 16 CPU minutes).",
    architecture="dcgan-small",
    epochs=16,
)
CGAN_MNIST = Recipe(
    name="cgan-mnist",
    description="A conditional DCGAN (label embedding with z, label map on the image): Adam(2e-4, 0.5), "
                "batch 64, 5 real epochs (4,685 steps at about 0.1-0.16 CPU-s each: 8-12 CPU minutes "
                "on 2 cores); one grid row per digit.",
    architecture="conditional",
    epochs=5,
    batch_size=64,
    sample_interval=1000,
    grid=(10, 10),
)

FOLDER = DCGAN_MNIST.replace(
    name="folder",
    description="A folder of the user's own images on a CPU (what `kerasgan train --data DIR` uses): 32x32 colour, "
                "the dcgan-folder nets (three upsamplings), DiffAugment (colour, translation, cutout) on real and "
                "generated images, as a small data set needs; Adam(5e-4, 0.5), batch 32, 6,000 steps, G's weights "
                "averaged (EMA 0.999); about 12 minutes on a 2-core CPU.",
    architecture="dcgan-folder",
    image_size=32,
    diff_augment="color,translation,cutout",
    generator_average=0.999,
    batch_size=32,
    steps=6000,
    grid=(8, 8),
)
WGAN_GP_FASHION = Recipe(
    name="wgan-gp-fashion",
    description="keras.io's WGAN-GP on Fashion-MNIST: its convolutional G and critic, 3 critic steps per G step, "
                "gradient penalty 10 at uniformly drawn interpolates, Adam(2e-4, 0.5, 0.9), z of 128, batch 512, "
                "20 epochs.",
    dataset="fashion_mnist",
    architecture="wgan-gp",
    optimizer="adam-wgan",
    epochs=20,
    batch_size=512,
    latent_dim=128,
    grid=(10, 10),
)

RECIPES: dict[str, Recipe | ClassifierRecipe] = {recipe.name: recipe for recipe in (
    DEFAULT,
    Recipe(
        name="keras-gan-mnist",
        description="The Keras MNIST GAN article: MLP, SGD, 10000 iterations of batch 32, a grid every 200.",
        optimizer="sgd",
        loop="parity",
        steps=10000,
    ),
    Recipe(
        name="fashion-gan",
        description="The Fashion-MNIST GAN article: MLP, Adam(2e-4, 0.5), 5000 iterations of batch 32, "
                    "a report every 1000, a 5x10 grid.",
        dataset="fashion_mnist",
        loop="parity",
        steps=5000,
        sample_interval=1000,
        grid=(5, 10),
    ),
    Recipe(
        name="gan-in-6-min",
        description="The 'GAN in 6 minutes' PyTorch article: its small MLP, Adam(2e-4, 0.5), batch 128, "
                    "100 real epochs, a 4x4 grid.",
        architecture="gan-in-6-min",
        loop="parity",
        epochs=100,
        batch_size=128,
        sample_interval=2000,
        grid=(4, 4),
    ),
    DCGAN_TUTORIAL,
    DCGAN_MNIST,
    DCGAN_MNIST.replace(
        name="dcgan-fashion",
        dataset="fashion_mnist",
        description="dcgan-mnist on Fashion-MNIST: the DCGAN tutorial's nets sized for a CPU, Adam(5e-4, 0.5), "
                    "batch 64, 16 real epochs, G's weights averaged (EMA 0.9995); 10-14 minutes wall on a 2-core CPU.",
    ),
    DCGAN_MNIST.replace(
        name="dcgan-mnist-labels",
        architecture="dcgan-small-classes",
        description="dcgan-mnist whose D also learns the real digits' labels, G rewarded for images D reads as one "
                    "clear digit, every digit equally often; G stays unconditional. 10-14 minutes wall on a 2-core "
                    "CPU.",
    ),
    DCGAN_MNIST.replace(
        name="dcgan-fashion-labels",
        architecture="dcgan-small-classes",
        dataset="fashion_mnist",
        description="dcgan-mnist-labels on Fashion-MNIST: D also learns the real clothes' labels; G stays "
                    "unconditional, its class-balance term weighted 2 (MNIST's 3). 10-14 minutes wall on a 2-core "
                    "CPU.",
        balance_weight=2.0,
    ),
    FOLDER,
    FOLDER.replace(
        name="folder-64",
        description="folder at 64x64 for a GPU: the DCGAN tutorial's full-width nets (four upsamplings), DiffAugment, "
                    "batch 64, 20,000 steps.",
        architecture="dcgan",
        image_size=64,
        batch_size=64,
        steps=20000,
    ),
    Recipe(
        name="dcgan-faces",
        description="keras.io's 'DCGAN to generate face images' (CelebA, 64x64 RGB) on a folder: its nets, "
                    "Adam(1e-4) for both, batch 32, z of 128, one pass over CelebA's 202,599 faces (6,331 steps); "
                    "a GPU job.",
        architecture="dcgan-faces",
        optimizer="adam-1e-4",
        steps=6331,
        latent_dim=128,
        image_size=64,
        grid=(8, 8),
        sample_interval=500,
    ),
    CGAN_MNIST,
    CGAN_MNIST.replace(
        name="acgan-mnist",
        architecture="conditional-ac",
        description="cgan-mnist with a projection discriminator and an auxiliary classifier (AC-GAN): the same "
                    "generator, Adam(2e-4, 0.5), batch 64, 5 real epochs; draws the asked digit far more often.",
    ),
    Recipe(
        name="sgan-mnist",
        description="Salimans et al.'s semi-supervised GAN with 100 labels: Adam(3e-3, 0.5) at a constant rate as in "
                    "their MNIST code, batch 100, 20 passes over the 60,000 unlabelled images; D's weights averaged; "
                    "XLA on.",
        architecture="sgan",
        optimizer="adam-3e-3",
        epochs=20,
        batch_size=100,
        sample_interval=1200,
        grid=(10, 10),
        labels=100,
        jit_compile=True,
    ),
    WGAN_GP_FASHION,
    WGAN_GP_FASHION.replace(
        name="wgan-gp-fashion-small",
        description="wgan-gp-fashion sized for a CPU: the same nets at a quarter of the channels, batch 64, "
                    "2 epochs (2,000 G steps), G's weights averaged (EMA 0.999); 12-15 minutes on 2 cores.",
        architecture="wgan-gp-small",
        epochs=2,
        batch_size=64,
        sample_interval=500,
        generator_average=0.999,
    ),
    ClassifierRecipe("article"),
    ClassifierRecipe(
        "improved", architecture="three-block", epochs=20, batch_size=128, learning_rate=2e-3,
        cosine_decay=True, augment="dataset_aware", label_smoothing=0.1, dropout=0.25,
    ),
    # The settings the shipped evaluators were trained with (scripts/train_evaluator.py): all 60,000 train images.
    ClassifierRecipe(
        "evaluator", architecture="three-block", epochs=10, batch_size=128, learning_rate=2e-3,
        cosine_decay=True, augment="shift_rotate", label_smoothing=0.1, dropout=0.5, validation_fraction=0.0,
    ),
)}
KIND_NAMES = {Recipe: "GAN recipe", ClassifierRecipe: "classifier recipe"}


def recipe_names(kind: type | None = None) -> list[str]:
    """The names in ``RECIPES`` of one kind (``Recipe`` or ``ClassifierRecipe``), or every name."""
    return [name for name, recipe in RECIPES.items() if kind is None or isinstance(recipe, kind)]


def get_recipe(name: str, kind: type | None = None) -> Recipe | ClassifierRecipe:
    """The recipe called ``name`` (of ``kind`` when given); an unknown name is a one-line user error."""
    allowed = recipe_names(kind)
    if name not in allowed:
        raise UserError(f"unknown {KIND_NAMES.get(kind, 'recipe')} '{name}' (choose from: {', '.join(allowed)})")
    return RECIPES[name]


def changed_settings(recipe: Recipe) -> list[str]:
    """How ``recipe`` differs from the registered recipe of its name, one phrase per setting (``80 epochs
    (recipe: 20 epochs)``), so that a run says which of its recipe's words the command line changed."""
    base = RECIPES.get(recipe.name)
    if not isinstance(base, Recipe):
        return []
    changes = [f"{field.name} {getattr(recipe, field.name)} (recipe: {getattr(base, field.name)})"
               for field in dataclasses.fields(Recipe)
               if field.name not in ("steps", "epochs", "description")
               and getattr(recipe, field.name) != getattr(base, field.name)]
    if (recipe.steps, recipe.epochs) != (base.steps, base.epochs):
        changes.insert(0, f"{_length(recipe)} (recipe: {_length(base)})")
    return changes


def _length(recipe: Recipe) -> str:
    return f"{recipe.steps:,} steps" if recipe.steps is not None else f"{recipe.epochs:,} epochs"


OPTIMIZERS = {
    "adam": "Adam(2e-4, beta_1=0.5), as the articles configure it",
    "adam-5e-4": "Adam(5e-4, beta_1=0.5): 2.5x the articles' rate, for a generator whose weights are averaged",
    "sgd": "Keras' SGD (learning rate 0.01), the Keras MNIST article's",
    "adam-3e-3": f"Adam({SGAN_LEARNING_RATE:g}, beta_1=0.5) at a constant rate, as Salimans et al.'s MNIST code "
                 "trains the SGAN",
    "adam-wgan": "Adam(2e-4, beta_1=0.5, beta_2=0.9), keras.io's WGAN-GP settings",
    "adam-1e-4": "Adam(1e-4), keras.io's face DCGAN settings",
}


def make_optimizer(name: str = "adam", total_steps: int = 1, average_weights: bool = False,
                   average_momentum: float | None = None):
    """A fresh ``keras.optimizers.Optimizer`` of the named settings (see ``OPTIMIZERS``); each model needs its own.

    ``average_weights`` keeps an exponential moving average of the weights. With ``average_momentum`` (a fixed
    momentum, the generator's average) the average warms up from the first step
    (:mod:`kerasgan.weight_average`), so a run of any length ends with a good one; without it the momentum is
    :func:`weight_average_momentum` of the run's length, already sized to the run (the SGAN's discriminator).
    Keras is imported here, not with the module, so that scripts can read the recipe table before the
    (noisy) backend import.
    """
    import keras

    from kerasgan.weight_average import AveragedAdam, AveragedSGD

    momentum = average_momentum or weight_average_momentum(total_steps)
    ema = {"use_ema": True, "ema_momentum": momentum} if average_weights else {}
    warm = average_weights and average_momentum is not None
    adam, sgd = (AveragedAdam, AveragedSGD) if warm else (keras.optimizers.Adam, keras.optimizers.SGD)
    if name == "adam":
        return adam(learning_rate=0.0002, beta_1=0.5, **ema)
    if name == "adam-5e-4":
        return adam(learning_rate=0.0005, beta_1=0.5, **ema)
    if name == "sgd":
        return sgd(**ema)
    if name == "adam-wgan":
        return adam(learning_rate=0.0002, beta_1=0.5, beta_2=0.9, **ema)
    if name == "adam-1e-4":
        return adam(learning_rate=0.0001, **ema)
    if name == "adam-3e-3":
        return adam(learning_rate=SGAN_LEARNING_RATE, beta_1=0.5, **ema)
    raise UserError(f"unknown optimizer '{name}' (choose from: {', '.join(OPTIMIZERS)})")


def weight_average_momentum(steps: int) -> float:
    """The EMA momentum that averages weights over about the last third of a run of ``steps`` steps.

    Salimans et al. test an average of the discriminator's weights, not the last ones (their MNIST code
    averages over about 10,000 of 180,000 steps); a run of a few epochs needs a shorter window.
    """
    return float(np.clip(1.0 - 3.0 / max(1, steps), 0.9, 0.9999))
