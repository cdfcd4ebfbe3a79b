"""The conditional GAN (Mirza & Osindero 2014) on the fast path: ``ConditionalGAN(keras.Model)`` and its run.

Generator and discriminator both see the class label (see ``build_conditional_generator`` and
``build_conditional_discriminator`` in :mod:`kerasgan.models`); one compiled ``train_step`` updates both,
like :class:`kerasgan.training.compiled.GAN`, with fake labels drawn uniformly from the classes.
``train_conditional`` is what ``kerasgan.run`` calls for a recipe whose ``loop`` is ``"conditional"``.
"""

from __future__ import annotations

import math
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan.errors import TrainingFailed, UserError
from kerasgan.plotting import save_image_grid
from kerasgan.training.compiled import GAN

NUM_CLASSES = 10
LOG_INTERVAL_STEPS = 200
CONDITIONAL_ARCHITECTURES = ("conditional", "conditional-ac")


class ConditionalGAN(GAN):
    """Label-conditioned generator and discriminator trained by ``fit()`` on ``(images, labels)`` batches.

    Everything but the inputs is :class:`GAN`'s: the same compile, losses, metrics and train step; the
    discriminator outputs logits for ``[image, label]``. A discriminator that also outputs class logits
    (``build_auxiliary_classifier_discriminator``) adds the AC-GAN losses, weighted by ``classifier_weight``:
    D learns to classify real images, G to make images D classifies as the label they were asked for.
    """

    def __init__(self, discriminator: keras.Model, generator: keras.Model, latent_dim: int = 100,
                 num_classes: int = NUM_CLASSES, label_smoothing: float = 0.0, seed: int | None = None,
                 classifier_weight: float = 1.0, **kwargs):
        super().__init__(discriminator, generator, latent_dim, label_smoothing, seed, **kwargs)
        self.num_classes = num_classes
        self.classifier_weight = classifier_weight
        self.class_loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def call(self, inputs, training: bool = False):
        """Generate images from ``[noise, labels]``."""
        return self.generator(inputs, training=training)

    def sample_inputs(self, batch_size):
        """Latent vectors z ~ N(0, 1) and labels uniform over the classes, from the model's seed generator."""
        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        labels = keras.random.randint((batch_size, 1), 0, self.num_classes, seed=self.seed_generator, dtype="int32")
        return noise, labels

    def compute_losses(self, data, training: bool = True):
        """``(d_loss, g_loss, d_acc)`` of one step: D sees real pairs and generated pairs, G wants D to say real."""
        real_images, real_labels = data[:2]
        noise, fake_labels = self.sample_inputs(ops.shape(real_images)[0])
        real_labels = ops.reshape(ops.cast(real_labels, "int32"), (-1, 1))
        fake_images = self.generator([noise, fake_labels], training=training)
        real_outputs = self.discriminator([real_images, real_labels], training=training)
        fake_outputs = self.discriminator([fake_images, fake_labels], training=training)
        if not isinstance(real_outputs, (list, tuple)):
            return self.adversarial_losses(real_outputs, fake_outputs)
        (real_logits, real_class_logits), (fake_logits, fake_class_logits) = real_outputs, fake_outputs
        d_loss, g_loss, d_acc = self.adversarial_losses(real_logits, fake_logits)
        d_loss += self.classifier_weight * self.class_loss_fn(real_labels, real_class_logits)
        g_loss += self.classifier_weight * self.class_loss_fn(fake_labels, fake_class_logits)
        return d_loss, g_loss, d_acc

def build_conditional_gan(z_size: int = 100, img_shape: tuple = (28, 28, 1), num_classes: int = NUM_CLASSES,
                          label_smoothing: float = 0.0, seed: int | None = None, optimizer: str = "adam",
                          jit_compile: bool = False, architecture: str = "conditional") -> ConditionalGAN:
    """A compiled ``ConditionalGAN`` with the articles' optimizer settings (Adam(2e-4, 0.5) for ``'adam'``).

    ``architecture`` is ``'conditional'`` (the label as an image channel of D) or ``'conditional-ac'`` (a
    projection discriminator with an auxiliary classifier, which draws far more recognisable classes).
    """
    from kerasgan.models import (build_auxiliary_classifier_discriminator, build_conditional_discriminator,
                                 build_conditional_generator, make_optimizer)

    if architecture not in CONDITIONAL_ARCHITECTURES:
        raise UserError(f"unknown conditional architecture '{architecture}' "
                        f"(choose from: {', '.join(CONDITIONAL_ARCHITECTURES)})")
    generator = build_conditional_generator(z_size, img_shape, num_classes)
    if architecture == "conditional-ac":
        discriminator = build_auxiliary_classifier_discriminator(img_shape, num_classes)
    else:
        discriminator = build_conditional_discriminator(img_shape, num_classes, output_activation=None)
    gan = ConditionalGAN(discriminator, generator, z_size, num_classes, label_smoothing, seed=seed)
    gan.compile(d_optimizer=make_optimizer(optimizer), g_optimizer=make_optimizer(optimizer), jit_compile=jit_compile)
    gan.build_optimizers()
    return gan


def class_grid_inputs(z_size: int, num_classes: int = NUM_CLASSES, cols: int = 10, seed: int = 0):
    """Inputs for a grid with one row per class: the same ``cols`` latent points in every row."""
    noise = np.random.default_rng(seed).normal(size=(cols, z_size)).astype(np.float32)
    labels = np.repeat(np.arange(num_classes, dtype=np.int32), cols)[:, None]
    return np.tile(noise, (num_classes, 1)), labels


def sample_class_grid(generator: keras.Model, path: str | Path, cols: int = 10, seed: int = 0,
                      class_names: list[str] | None = None, title: str | None = None) -> Path:
    """Save a grid of generated images, row ``k`` showing class ``k`` (row labels are the class names)."""
    num_classes = len(class_names) if class_names else NUM_CLASSES
    noise, labels = class_grid_inputs(generator.input_shape[0][-1], num_classes, cols, seed)
    images = np.asarray(generator([noise, labels], training=False))
    row_labels = class_names or [str(label) for label in range(num_classes)]
    return save_image_grid(images, path, num_classes, cols, title=title, row_labels=row_labels)


def generate_labelled(generator: keras.Model, n: int = 10000, seed: int = 0, num_classes: int = NUM_CLASSES,
                      batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """``n`` generated images with the labels they were asked for (balanced: ``n // num_classes`` per class)."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % num_classes
    rng.shuffle(labels)
    noise = rng.normal(size=(n, generator.input_shape[0][-1])).astype(np.float32)
    images = [np.asarray(generator([noise[start: start + batch_size], labels[start: start + batch_size, None]],
                                   training=False)) for start in range(0, n, batch_size)]
    return np.concatenate(images).astype(np.float32), labels.astype(np.int64)


def evaluate_conditional(generator: keras.Model, dataset: str = "mnist", n: int = 10000, seed: int = 0,
                         with_floors: bool = True) -> dict:
    """The evaluation metrics of ``n`` balanced generated images, plus how often the shipped evaluator reads
    each image as the class it was asked for (``label_accuracy`` and ``per_class_accuracy``).

    Takes the place of ``kerasgan.evaluation.evaluate_generator`` for a generator with a label input.
    """
    from kerasgan.evaluation import evaluate_images, evaluator_outputs

    images, labels = generate_labelled(generator, n, seed)
    _, probabilities = evaluator_outputs(images, dataset)
    predicted = np.argmax(probabilities, axis=1)
    per_class = [float(np.mean(predicted[labels == label] == label)) for label in range(NUM_CLASSES)]
    results = evaluate_images(images, dataset, seed, with_floors=with_floors)
    return {**results, "label_accuracy": float(np.mean(predicted == labels)), "per_class_accuracy": per_class}


class ConditionalMonitor(keras.callbacks.Callback):
    """Records the logged losses every epoch (chunk of steps) and saves a class grid every ``every_epochs``
    (and the generator to ``generator_path``, when given, so a long run leaves a usable model as it goes)."""

    def __init__(self, image_dir: Path, steps_per_epoch: int, every_epochs: int, class_names: list[str] | None,
                 seed: int = 0, generator_path: Path | None = None):
        super().__init__()
        self.generator_path = generator_path
        self.image_dir = image_dir
        self.steps_per_epoch = steps_per_epoch
        self.every_epochs = every_epochs
        self.class_names = class_names
        self.seed = seed
        self.history: dict[str, list[float]] = {}
        self.steps: list[int] = []
        self.failed_step: int | None = None

    def sample(self, step: int) -> None:
        sample_class_grid(self.model.generator, self.image_dir / f"step_{step:07d}.png", seed=self.seed,
                          class_names=self.class_names, title=f"step {step}")
        if self.generator_path is not None and step:
            self.model.generator.save(self.generator_path)

    def on_train_begin(self, logs=None):
        self.sample(0)

    def on_epoch_end(self, epoch, logs=None):
        step = (epoch + 1) * self.steps_per_epoch
        logs = logs or {}
        for name in ("d_loss", "g_loss", "d_acc"):
            self.history.setdefault(name, []).append(float(logs.get(name, math.nan)))
        self.steps.append(step)
        if not all(math.isfinite(self.history[name][-1]) for name in ("d_loss", "g_loss")):
            self.failed_step = step
            self.model.stop_training = True
        elif (epoch + 1) % self.every_epochs == 0:
            self.sample(step)


def train_conditional(recipe, x_train: np.ndarray, y_train: np.ndarray, out_dir: str | Path, seed: int = 0,
                      progress: bool = True, jit_compile: bool = False
                      ) -> tuple[keras.Model, dict[str, list[float]], list[int]]:
    """Train ``recipe`` (``loop == "conditional"``) on labelled images; class grids go to ``out_dir/images``.

    Returns ``(generator, history, steps)`` as the other loops of ``kerasgan.run`` do: ``history`` holds the
    mean ``d_loss``, ``g_loss``, ``d_acc`` of each block of logged steps, ``steps`` the step at its end.
    """
    from kerasgan.data import CLASS_NAMES

    if len(x_train) != len(y_train):
        raise UserError(f"the conditional GAN needs one label per image: got {len(x_train)} images, "
                        f"{len(y_train)} labels")
    out_dir = Path(out_dir)
    total_steps = recipe.steps_for(len(x_train))
    keras.utils.set_random_seed(seed)
    gan = build_conditional_gan(recipe.z_size, x_train.shape[1:], NUM_CLASSES, recipe.label_smoothing, seed=seed,
                                optimizer=recipe.optimizer, jit_compile=jit_compile, architecture=recipe.architecture)
    steps_per_epoch = min(LOG_INTERVAL_STEPS, total_steps)
    epochs = math.ceil(total_steps / steps_per_epoch)
    monitor = ConditionalMonitor(out_dir / "images", steps_per_epoch,
                                 max(1, round(recipe.sample_interval / steps_per_epoch)),
                                 CLASS_NAMES.get(recipe.dataset), seed, out_dir / "generator.keras")
    dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train.astype(np.int32)))
    dataset = dataset.shuffle(len(x_train), seed=seed).repeat()
    dataset = dataset.batch(recipe.batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
    gan.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch, callbacks=[monitor],
            verbose=1 if progress else 0, shuffle=False)
    if monitor.failed_step is not None:
        raise TrainingFailed(f"training stopped: the loss became NaN or infinite by step {monitor.failed_step}")
    return gan.generator, monitor.history, monitor.steps
