"""Named training recipes: each article's settings, and the project's default, in one table."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from kerasgan.errors import UserError


@dataclass(frozen=True)
class Recipe:
    """Everything that defines a training run except where it writes and which seed it uses.

    Length is ``steps`` (single-batch iterations, what the Keras articles call epochs) or ``epochs``
    (real passes over the data, as the PyTorch article counts); exactly one of them is set.
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
    z_size: int = 100
    label_smoothing: float = 0.0

    def steps_for(self, num_examples: int) -> int:
        """Total iterations: ``steps`` as given, or ``epochs`` full passes of ``num_examples // batch_size``."""
        if self.steps is not None:
            return self.steps
        return self.epochs * max(1, num_examples // self.batch_size)

    def replace(self, **changes) -> "Recipe":
        """A copy with some fields changed (``None`` values are ignored); setting one length clears the other."""
        changes = {key: value for key, value in changes.items() if value is not None}
        if changes.get("loop", self.loop) != self.loop and "conditional" in (self.loop, changes["loop"]):
            raise UserError(f"recipe '{self.name}' uses the {self.loop} loop; --loop {changes['loop']} cannot train it")
        if "steps" in changes:
            changes.setdefault("epochs", None)
        elif "epochs" in changes:
            changes["steps"] = None
        return dataclasses.replace(self, **changes)


RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            name="default",
            description="The Keras articles' MLP GAN on the compiled fast path: Adam(2e-4, 0.5), batch 64, "
                        "20 real epochs, one-sided label smoothing; a few minutes on a 2-core CPU.",
            loop="fast",
            epochs=20,
            batch_size=64,
            sample_interval=1000,
            grid=(10, 10),
            label_smoothing=0.1,
        ),
        Recipe(
            name="keras-gan-mnist",
            description="The Keras MNIST GAN article: MLP, SGD, 10000 iterations of batch 32, a grid every 200.",
            optimizer="sgd",
            loop="parity",
            steps=10000,
            batch_size=32,
            sample_interval=200,
        ),
        Recipe(
            name="fashion-gan",
            description="The Fashion-MNIST GAN article: MLP, Adam(2e-4, 0.5), 5000 iterations of batch 32, "
                        "a report every 1000, a 5x10 grid.",
            dataset="fashion_mnist",
            loop="parity",
            steps=5000,
            batch_size=32,
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
    )
}


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``; an unknown name is a one-line user error."""
    if name not in RECIPES:
        raise UserError(f"unknown recipe '{name}' (choose from: {', '.join(RECIPES)})")
    return RECIPES[name]


RECIPES.update({
    recipe.name: recipe
    for recipe in (
        Recipe(
            name="dcgan-mnist",
            description="The TensorFlow DCGAN tutorial's convolutional GAN on the fast path: Adam(2e-4, 0.5), "
                        "batch 128, 3 real epochs (1,404 steps at about 0.45 CPU-s each: about 10 CPU minutes on "
                        "2 cores).",
            architecture="dcgan",
            loop="fast",
            epochs=3,
            batch_size=128,
            sample_interval=200,
            grid=(10, 10),
        ),
        Recipe(
            name="cgan-mnist",
            description="A conditional DCGAN (label embedding with z, label map on the image): Adam(2e-4, 0.5), "
                        "batch 64, 5 real epochs (4,685 steps at about 0.1-0.16 CPU-s each: 8-12 CPU minutes "
                        "on 2 cores); one grid row per digit.",
            architecture="conditional",
            loop="conditional",
            epochs=5,
            batch_size=64,
            sample_interval=1000,
            grid=(10, 10),
        ),
    )
})

RECIPES["acgan-mnist"] = RECIPES["cgan-mnist"].replace(
    name="acgan-mnist",
    architecture="conditional-ac",
    description="cgan-mnist with a projection discriminator and an auxiliary classifier (AC-GAN): the same "
                "generator, Adam(2e-4, 0.5), batch 64, 5 real epochs; draws the asked digit far more often.",
)

RECIPES["dcgan-fashion"] = RECIPES["dcgan-mnist"].replace(
    name="dcgan-fashion",
    dataset="fashion_mnist",
    description="The TensorFlow DCGAN tutorial's convolutional GAN on Fashion-MNIST: Adam(2e-4, 0.5), batch 128, "
                "3 of the tutorial's 50 epochs (about 10 CPU minutes on 2 cores): a start, not converged.",
)
