"""The GAN model family: one base (noise, both optimizers, metrics) and one subclass per kind of GAN.

Every family says only what is special about it: how it draws its generator's inputs, how it computes its
losses (with the backend-agnostic maths of :mod:`kerasgan.losses`), and what its sample grid shows. The
train step itself is backend code, in ``kerasgan.training.step_<backend>`` (chosen by
``keras.config.backend()``): it differentiates the losses, applies both optimizers and updates the metrics.

- :class:`GAN`: the keras.io convention (``GAN(discriminator, generator, latent_dim)``), one simultaneous update
  of D and G from one generator pass, non-saturating losses from logits (the TensorFlow DCGAN tutorial's step);
- :class:`LabelledGAN`: the base of the two below, trained on ``(images, labels)``: D also learns the real labels;
- :class:`ConditionalGAN`: both networks see the class label (Mirza & Osindero 2014); with an auxiliary
  classifier discriminator it adds the AC-GAN class losses (Odena et al. 2017);
- :class:`ClassAwareGAN`: an unconditional G whose D also learns the real images' labels; G is rewarded for
  images D reads as one clear class, every class equally often (a supervised cousin of CatGAN, Springenberg 2016);
- :class:`SemiSupervisedGAN`: a K-class discriminator and a feature-matching generator updated one after
  the other (Salimans et al. 2016);
- :class:`WassersteinGAN`: WGAN-GP (Gulrajani et al. 2017) as keras.io's third GAN example trains it: several
  critic updates per generator update and a gradient penalty.
"""

from __future__ import annotations

import contextlib
import importlib

import keras
import numpy as np
from keras import ops

from kerasgan.errors import UserError
from kerasgan.fit_checks import (check_discriminator_output, check_images, ends_in_sigmoid, first_batch,
                                 generator_range)
from kerasgan.losses import (accuracy, adversarial_losses, class_confidence_loss, class_crossentropy,
                             feature_matching_loss, gradient_penalty, supervised_loss, unsupervised_loss,
                             wasserstein_losses)
from kerasgan.data import model_range
from kerasgan.data_spec import MNIST, DataSpec
from kerasgan.diff_augment import diff_augment, parse_policy
from kerasgan.latents import NORMAL, UNIFORM, class_grid_inputs, draw_latents
from kerasgan.nets import (AUXILIARY_CLASSIFIER, CLASS_AWARE, CONDITIONAL, GAN_FAMILIES, LATENT_DIM, SEMI_SUPERVISED,
                           UNCONDITIONAL, WASSERSTEIN, build_gan_pair, get_architecture)
from kerasgan.nets.sgan import initialize_weight_norm
from kerasgan.recipes import make_optimizer

IMAGES = "images"  # batch formats: images alone
LABELLED = "labelled"  # (images, labels)
LABELLED_AND_UNLABELLED = "labelled and unlabelled"  # (labelled_images, labels, unlabelled_images)
INIT_BATCH_SIZE = 500  # images for the SGAN's data-dependent initialisation
STATISTICS_BATCHES = 10  # batches of INIT_BATCH_SIZE that measure BatchNorm's statistics for averaged weights
CONFIDENCE_WEIGHT = 3.0  # ClassAwareGAN: weight of G's per-image class entropy (FD by weight: docs/beyond_mlp.md)
BALANCE_WEIGHT = 3.0  # ClassAwareGAN: weight of the entropy of G's batch-mean class prediction (same page)


def step_module():
    """The module holding the train step of the active Keras backend (``kerasgan.training.step_<backend>``)."""
    backend = keras.config.backend()
    try:
        return importlib.import_module(f"kerasgan.training.step_{backend}")
    except ModuleNotFoundError:
        raise UserError(f"the compiled GAN step is not written for the '{backend}' backend yet "
                        f"(use KERAS_BACKEND=tensorflow, or the parity loop)") from None


class OptimizerPair:
    """Both networks' optimizers seen as the model's one ``optimizer``.

    Keras' trainers keep the optimizer state of a step in ``model.optimizer.variables``: on JAX that list is
    the state threaded through the jitted step, so both optimizers' variables must be in it, or their moments
    and step counters are frozen into the compiled function and every update is lost. ``iterations`` is the
    generator's (TensorBoard's step counter).
    """

    built = True

    def __init__(self, d_optimizer: keras.optimizers.Optimizer, g_optimizer: keras.optimizers.Optimizer):
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer

    @property
    def variables(self) -> list:
        return [*self.d_optimizer.variables, *self.g_optimizer.variables]

    @property
    def iterations(self):
        return self.g_optimizer.iterations


class BaseGAN(keras.Model):
    """What every GAN shares: the two networks, the noise's seed generator, both optimizers and the metrics.

    A family sets ``metric_names`` and either ``compute_losses(data)`` (one simultaneous update: the returned
    ``d_loss`` and ``g_loss`` are differentiated for D and G) or, with ``sequential_updates = True``,
    ``discriminator_losses(data)`` and ``generator_losses(data)`` (D is updated ``critic_steps`` times on the
    batch, then G once). It also answers what sampling, evaluation and the driver ask of it: the batches it trains
    on (``batch_format``), whether its G takes a label beside ``z`` (``conditional``), which
    distribution its latents come from (``latent_distribution``) and its sample grid (``grid_inputs``).
    """

    metric_names: tuple[str, ...] = ("d_loss", "g_loss", "d_acc")
    sequential_updates = False
    critic_steps = 1
    batch_format = IMAGES  # what fit() takes: images, (images, labels) or the semi-supervised triple
    conditional = False  # G takes [z, label]
    latent_distribution = NORMAL  # z ~ N(0, 1)
    trains_classifier = False  # whether D is the product: a classifier, kept as the moving average of its weights

    @classmethod
    def family_options(cls, label_smoothing: float, balance_weight: float | None, num_classes: int) -> dict:
        """This family's constructor arguments among :func:`build_gan`'s settings (none for the base)."""
        return {}

    def __init__(self, discriminator: keras.Model, generator: keras.Model, latent_dim: int = LATENT_DIM,
                 seed: int | None = None, diff_augment: str = "", **kwargs):
        super().__init__(**kwargs)
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.diff_augment = parse_policy(diff_augment)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.metric_names}
        # Both networks come built; saying so stops fit() (under a strategy too) from tracing call() symbolically.
        self.built = discriminator.built and generator.built

    def compile(self, d_optimizer: keras.optimizers.Optimizer, g_optimizer: keras.optimizers.Optimizer,
                **kwargs) -> None:
        """Give each network its own optimizer (Keras 3 refuses one optimizer shared by two models), built now:
        JAX's step and checkpoint restore need their slot variables before step one."""
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.optimizer = OptimizerPair(d_optimizer, g_optimizer)
        if self.built:
            self.build_optimizers()

    @property
    def metrics(self) -> list:
        return list(self.trackers.values())

    def fit(self, x=None, y=None, *args, **kwargs):
        """Keras' ``fit()``, after one look at the first batch (:mod:`kerasgan.fit_checks`): images that are not
        floats in the generator's range, or labels missing where the family needs them, stop it with one
        sentence before the first step. The steps themselves check nothing, and data checked once (the driver's
        ``fit()`` per chunk) is not read again."""
        if id(x) != getattr(self, "_checked_data_id", None):
            images, labels = first_batch(x, y)
            if images is not None:
                self.check_batch(images, labels)
            self._checked_data_id = id(x)
        return super().fit(x, y, *args, **kwargs)

    def check_batch(self, images, labels) -> None:
        """Refuse a first batch this GAN cannot train on (``ValueError``, one sentence)."""
        check_images(images, generator_range(self.generator))

    def call(self, inputs, training: bool = False):
        """Generate images from the generator's inputs (lets the GAN be called and saved like a model)."""
        return self.generator(inputs, training=training)

    def train_step(self, *args):
        return step_module().train_step(self, *args)

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        """Skip the symbolic build of Keras' TensorFlow trainer when the GAN comes built (it always does): under a
        multi-worker strategy that build first reduces a batch over the replicas, which fails on the
        ``(images, labels)`` batches of the conditional families."""
        if not self.built:
            super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

    def build_optimizers(self) -> None:
        """Create both optimizers' slot variables (unless they were built for these weights already)."""
        for optimizer, network in ((self.d_optimizer, self.discriminator), (self.g_optimizer, self.generator)):
            if not optimizer.built:
                optimizer.build(network.trainable_variables)

    def optimizer_steps(self) -> int:
        """How many training steps the GAN has taken (the generator optimizer's iteration counter)."""
        return int(ops.convert_to_numpy(self.g_optimizer.iterations))

    def update_metrics(self, logs: dict) -> dict:
        """Add one step's values to the running means; returns every metric's current value."""
        for name, tracker in self.trackers.items():
            tracker.update_state(logs[name])
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def augment(self, images):
        """The images D sees: DiffAugment's transforms (:mod:`kerasgan.diff_augment`) when the GAN has a policy,
        drawn from the GAN's seed generator; the images themselves when it has none."""
        return diff_augment(images, self.diff_augment, self.seed_generator) if self.diff_augment else images

    def sample_noise(self, batch_size):
        """Latent vectors z ~ N(0, 1) drawn from the model's own seed generator (reproducible, resumable)."""
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def replica_share(self, batch_size: int, draw):
        """This replica's slice of one global batch drawn by ``draw(n)`` (all of it on one device), so that
        the noise under a distribution strategy is the one-device noise."""
        index, count = step_module().replica_position()
        if count == 1:
            return draw(batch_size)
        start = index * batch_size
        return keras.tree.map_structure(lambda drawn: drawn[start: start + batch_size], draw(batch_size * count))

    def grid_inputs(self, rows: int, cols: int, seed: int = 0):
        """Fixed generator inputs for a ``rows x cols`` sample grid (the same points every time)."""
        return draw_latents(self.latent_distribution, rows * cols, self.latent_dim, np.random.default_rng(seed))

    def grid_row_labels(self, rows: int, class_names: list[str] | None = None) -> list[str] | None:
        """Labels for the rows of the sample grid (none unless each row shows one class)."""
        return None

    def initialize(self, images: np.ndarray, seed: int = 0) -> None:
        """Data-dependent initialisation before the first step of a new run (none by default)."""

    def averages_generator(self) -> bool:
        """Whether G keeps a moving average of its weights, which it takes when training finishes."""
        return bool(self.g_optimizer.use_ema)

    def finish_training(self) -> None:
        """Make the networks final after the last step (and after the last checkpoint).

        With a moving average of G's weights, G takes the averaged weights; BatchNorm's moving statistics were
        gathered by the last weights, not the averaged ones, so they are measured again on the averaged G.
        """
        if not self.averages_generator():
            return
        self.g_optimizer.finalize_variable_values(self.generator.trainable_variables)
        measure_batch_statistics(self.generator, lambda: self.generator_inputs(INIT_BATCH_SIZE))

    def generator_inputs(self, batch_size: int):
        """A batch of the generator's inputs drawn as training draws them."""
        return self.sample_noise(batch_size)


class GAN(BaseGAN):
    """Generator and discriminator trained together by ``fit()`` on image batches; logs ``d_loss``, ``g_loss``,
    ``d_acc``. The discriminator outputs logits; ``label_smoothing`` softens the real target (one-sided).

    keras.io's DCGAN runs unchanged: ``compile(d_optimizer, g_optimizer, loss_fn=keras.losses.BinaryCrossentropy())``
    with a discriminator that ends in a sigmoid (``loss_fn`` is any Keras loss or callable of targets and
    predictions; D's targets are 1 for real and 0 for generated images, G's are 1).
    """

    def __init__(self, discriminator: keras.Model, generator: keras.Model, latent_dim: int = LATENT_DIM,
                 label_smoothing: float = 0.0, seed: int | None = None, **kwargs):
        super().__init__(discriminator, generator, latent_dim, seed, **kwargs)
        self.label_smoothing = label_smoothing
        self.loss_fn = None
        self.accuracy_threshold = 0.5 if ends_in_sigmoid(discriminator) else 0.0  # probabilities or logits

    @classmethod
    def family_options(cls, label_smoothing: float, balance_weight: float | None, num_classes: int) -> dict:
        return {"label_smoothing": label_smoothing}

    def compile(self, d_optimizer: keras.optimizers.Optimizer, g_optimizer: keras.optimizers.Optimizer,
                loss_fn=None, **kwargs) -> None:
        """Each network's optimizer and, as keras.io's examples pass it, ``loss_fn`` (default: the non-saturating
        losses from logits). A discriminator ending in a sigmoid without a ``loss_fn`` is refused here."""
        check_discriminator_output(self.discriminator, loss_fn)
        super().compile(d_optimizer, g_optimizer, **kwargs)
        self.loss_fn = loss_fn

    def adversarial_losses(self, real_outputs, fake_outputs) -> dict:
        """D's and G's losses and D's accuracy from D's validity outputs, with ``loss_fn`` where one was given."""
        return adversarial_losses(real_outputs, fake_outputs, self.label_smoothing, self.loss_fn,
                                  self.accuracy_threshold)

    def compute_losses(self, data, training: bool = True) -> dict:
        """Both losses of one step from one generator pass."""
        real_images = image_batch(data)
        noise = self.replica_share(ops.shape(real_images)[0], self.sample_noise)
        fake_images = self.generator(noise, training=training)
        real_logits = self.discriminator(self.augment(real_images), training=training)
        fake_logits = self.discriminator(self.augment(fake_images), training=training)
        return self.adversarial_losses(real_logits, fake_logits)


class LabelledGAN(GAN):
    """A GAN trained on ``(images, labels)`` batches whose D may also name the class: the shared class losses.

    D learns the real images' labels, weighted by ``classifier_weight``; each subclass gives G a class loss of its own.
    """

    batch_format = LABELLED

    def __init__(self, discriminator: keras.Model, generator: keras.Model, latent_dim: int = LATENT_DIM,
                 label_smoothing: float = 0.0, seed: int | None = None, classifier_weight: float = 1.0, **kwargs):
        super().__init__(discriminator, generator, latent_dim, label_smoothing, seed, **kwargs)
        self.classifier_weight = classifier_weight

    def check_batch(self, images, labels) -> None:
        """The images as for any GAN, and the labels this family trains on."""
        if labels is None:
            raise ValueError(f"{type(self).__name__} trains on (images, labels) batches, but fit() was given images "
                             f"alone: pass fit(images, labels) or a dataset of (images, labels) pairs")
        super().check_batch(images, labels)

    def add_class_losses(self, logs: dict, real_labels, real_class_logits, generator_class_loss) -> dict:
        """D's weighted cross-entropy on the real images' labels and G's (weighted) class loss, added to ``logs``."""
        logs["d_loss"] += self.classifier_weight * class_crossentropy(real_labels, real_class_logits)
        logs["g_loss"] += generator_class_loss
        return logs


class ConditionalGAN(LabelledGAN):
    """Label-conditioned G and D trained on ``(images, labels)`` batches; fake labels are uniform over the classes.

    Labels come as integer class ids (any shape with one id per image) or as one-hot rows ``(N, num_classes)``,
    told apart by their shape. The nets take the label in one of two forms:

    - two inputs, ``G([z, label])`` and ``D([image, label])`` with integer labels (``kerasgan.nets.conditional``);
    - keras.io's single concatenated input: G takes ``concat(z, one_hot)`` and D the image with one constant
      one-hot map per class appended as channels. ``num_classes`` is then G's input size minus ``latent_dim``.

    A discriminator that also outputs class logits adds the AC-GAN losses, weighted by ``classifier_weight``:
    D learns to classify real images, G to make images D classifies as the label they were asked for.
    """

    conditional = True

    @classmethod
    def family_options(cls, label_smoothing: float, balance_weight: float | None, num_classes: int) -> dict:
        return {**super().family_options(label_smoothing, balance_weight, num_classes), "num_classes": num_classes}

    def __init__(self, discriminator: keras.Model, generator: keras.Model, latent_dim: int = LATENT_DIM,
                 label_smoothing: float = 0.0, seed: int | None = None, num_classes: int = MNIST.num_classes,
                 classifier_weight: float = 1.0, **kwargs):
        super().__init__(discriminator, generator, latent_dim, label_smoothing, seed, classifier_weight, **kwargs)
        self.concatenated_inputs = len(generator.inputs) == 1
        self.num_classes = generator.inputs[0].shape[-1] - latent_dim if self.concatenated_inputs else num_classes

    def sample_inputs(self, batch_size):
        """Latent vectors z ~ N(0, 1) and labels uniform over the classes, from the model's seed generator."""
        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        labels = keras.random.randint((batch_size, 1), 0, self.num_classes, seed=self.seed_generator, dtype="int32")
        return noise, labels

    def generator_inputs(self, batch_size: int):
        return self.sample_inputs(batch_size)

    def class_ids(self, labels):
        """Integer class ids shaped ``(N, 1)`` from ids of any shape or from one-hot rows ``(N, num_classes)``."""
        if len(labels.shape) == 2 and labels.shape[-1] == self.num_classes > 1:
            labels = ops.argmax(labels, axis=-1)
        return ops.reshape(ops.cast(labels, "int32"), (-1, 1))

    def generate(self, noise, labels, training: bool = True):
        """G's images of ``labels`` (class ids ``(N, 1)``), in whichever input form G takes."""
        if self.concatenated_inputs:
            return self.generator(ops.concatenate([noise, self.one_hot(labels, noise.dtype)], axis=-1),
                                  training=training)
        return self.generator([noise, labels], training=training)

    def discriminate(self, images, labels, training: bool = True):
        """D's outputs for ``(image, label)`` pairs (the images augmented), in whichever input form D takes."""
        images = self.augment(images)
        if self.concatenated_inputs:
            maps = ops.ones_like(images[..., :1]) * self.one_hot(labels, images.dtype)[:, None, None, :]
            return self.discriminator(ops.concatenate([images, maps], axis=-1), training=training)
        return self.discriminator([images, labels], training=training)

    def one_hot(self, labels, dtype):
        """One-hot rows ``(N, num_classes)`` of class ids, in ``dtype`` (a tensor's, any backend)."""
        return ops.cast(ops.one_hot(ops.reshape(labels, (-1,)), self.num_classes),
                        keras.backend.standardize_dtype(dtype))

    def compute_losses(self, data, training: bool = True) -> dict:
        """D sees real and generated ``(image, label)`` pairs, G wants D to say "real" (and the asked class)."""
        real_images, real_labels = data[:2]
        noise, fake_labels = self.replica_share(ops.shape(real_images)[0], self.sample_inputs)
        real_labels = self.class_ids(real_labels)
        fake_images = self.generate(noise, fake_labels, training)
        real_outputs = self.discriminate(real_images, real_labels, training)
        fake_outputs = self.discriminate(fake_images, fake_labels, training)
        if not isinstance(real_outputs, (list, tuple)):
            return self.adversarial_losses(real_outputs, fake_outputs)
        (real_logits, real_class_logits), (fake_logits, fake_class_logits) = real_outputs, fake_outputs
        logs = self.adversarial_losses(real_logits, fake_logits)
        return self.add_class_losses(logs, real_labels, real_class_logits,
                                     self.classifier_weight * class_crossentropy(fake_labels, fake_class_logits))

    def grid_inputs(self, rows: int, cols: int, seed: int = 0):
        """One row per class (``rows`` is the number of classes): the same ``cols`` latent points in every row."""
        noise, labels = class_grid_inputs(self.latent_dim, rows, cols, seed)
        if self.concatenated_inputs:
            return np.concatenate([noise, np.eye(self.num_classes, dtype=np.float32)[labels.reshape(-1)]], axis=1)
        return [noise, labels]

    def grid_row_labels(self, rows: int, class_names: list[str] | None = None) -> list[str]:
        return list(class_names or [str(label) for label in range(rows)])[:rows]


class ClassAwareGAN(LabelledGAN):
    """An unconditional G trained on ``(images, labels)`` batches by a D that outputs ``[validity, class logits]``.

    D adds the cross-entropy of the real images' labels, weighted by ``classifier_weight``; G adds
    :func:`~kerasgan.losses.class_confidence_loss` of its images: the entropy of each image's class prediction
    weighted by ``confidence_weight`` (clear classes) minus the entropy of the batch's mean prediction weighted by
    ``balance_weight`` (every class equally often). Only the real labels are used: G draws no label.
    """

    def __init__(self, discriminator: keras.Model, generator: keras.Model, latent_dim: int = LATENT_DIM,
                 label_smoothing: float = 0.0, seed: int | None = None, classifier_weight: float = 1.0,
                 confidence_weight: float = CONFIDENCE_WEIGHT, balance_weight: float = BALANCE_WEIGHT, **kwargs):
        super().__init__(discriminator, generator, latent_dim, label_smoothing, seed, classifier_weight, **kwargs)
        self.confidence_weight = confidence_weight
        self.balance_weight = balance_weight

    @classmethod
    def family_options(cls, label_smoothing: float, balance_weight: float | None, num_classes: int) -> dict:
        options = super().family_options(label_smoothing, balance_weight, num_classes)
        return options if balance_weight is None else {**options, "balance_weight": balance_weight}

    def compute_losses(self, data, training: bool = True) -> dict:
        """The GAN's losses plus D's class loss on the real images and G's class-confidence loss."""
        real_images, real_labels = data[:2]
        noise = self.replica_share(ops.shape(real_images)[0], self.sample_noise)
        fake_images = self.generator(noise, training=training)
        real_logits, real_class_logits = self.discriminator(self.augment(real_images), training=training)
        fake_logits, fake_class_logits = self.discriminator(self.augment(fake_images), training=training)
        logs = self.adversarial_losses(real_logits, fake_logits)
        return self.add_class_losses(logs, real_labels, real_class_logits,
                                     class_confidence_loss(fake_class_logits, self.confidence_weight,
                                                           self.balance_weight))


class SemiSupervisedGAN(BaseGAN):
    """K-class discriminator and feature-matching generator trained on ``(labelled_images, labels,
    unlabelled_images)`` batches; D is updated first, then G. Calling it gives D's class logits."""

    metric_names = ("d_loss", "sup_loss", "unsup_loss", "g_loss", "train_acc")
    sequential_updates = True
    batch_format = LABELLED_AND_UNLABELLED
    latent_distribution = UNIFORM  # z ~ U(0, 1), as in the paper's code
    trains_classifier = True  # the classifier tested is D's moving average

    def __init__(self, discriminator: keras.Model, generator: keras.Model, latent_dim: int = LATENT_DIM,
                 seed: int | None = None, unlabelled_weight: float = 1.0, **kwargs):
        super().__init__(discriminator, generator, latent_dim, seed, **kwargs)
        self.unlabelled_weight = unlabelled_weight

    def call(self, images, training: bool = False):
        """Class logits of images (the classifier the SGAN trains)."""
        return self.discriminator(images, training=training)[0]

    def sample_noise(self, batch_size):
        """z ~ U(0, 1), as in the paper's code."""
        return keras.random.uniform((batch_size, self.latent_dim), seed=self.seed_generator)

    def fake_images(self, batch_size):
        return self.generator(self.replica_share(batch_size, self.sample_noise), training=True)

    def discriminator_losses(self, data) -> dict:
        """Cross-entropy on the labelled batch plus the real-or-fake loss on unlabelled and generated images."""
        labelled_images, labels, unlabelled_images = _unpack(data)
        fake_images = self.fake_images(ops.shape(unlabelled_images)[0])
        labelled_logits, _ = self.discriminator(self.augment(labelled_images), training=True)
        real_logits, _ = self.discriminator(self.augment(unlabelled_images), training=True)
        fake_logits, _ = self.discriminator(self.augment(fake_images), training=True)
        sup_loss = supervised_loss(labels, labelled_logits)
        unsup_loss = unsupervised_loss(real_logits, fake_logits)
        return {"d_loss": sup_loss + self.unlabelled_weight * unsup_loss, "sup_loss": sup_loss,
                "unsup_loss": unsup_loss, "train_acc": accuracy(labels, labelled_logits)}

    def generator_losses(self, data) -> dict:
        """Feature matching: G's images should give D's last hidden layer the batch mean real images give."""
        _, _, unlabelled_images = _unpack(data)
        fake_images = self.fake_images(ops.shape(unlabelled_images)[0])
        _, real_features = self.discriminator(self.augment(unlabelled_images), training=True)
        _, fake_features = self.discriminator(self.augment(fake_images), training=True)
        return {"g_loss": feature_matching_loss(real_features, fake_features)}

    def initialize(self, images: np.ndarray, seed: int = 0) -> None:
        """Salimans & Kingma's data-dependent init of every weight-normalised layer, on real images for D and
        on uniform noise for G."""
        chosen = np.random.default_rng(seed).choice(len(images), min(INIT_BATCH_SIZE, len(images)), replace=False)
        initialize_weight_norm(self.discriminator, model_range(images[chosen]))
        initialize_weight_norm(self.generator, np.random.default_rng(seed).uniform(size=(INIT_BATCH_SIZE,
                                                                                         self.latent_dim)))

    def finish_training(self) -> None:
        """Copy the moving average of D's weights into D: the classifier tested is the averaged one."""
        self.d_optimizer.finalize_variable_values(self.discriminator.trainable_variables)
        super().finish_training()


class WassersteinGAN(BaseGAN):
    """WGAN-GP on image batches: ``critic_steps`` critic updates (fresh noise each) per generator update.

    The critic's loss adds ``gp_weight`` times the gradient penalty at ``x_hat = real + u (fake - real)`` with
    ``u ~ U(0, 1)`` per image, as in Gulrajani et al. (keras.io's example draws u from a normal instead). The
    input gradient comes from the backend's step module (``input_gradient``). keras.io's ``WGAN`` runs
    unchanged: ``discriminator_extra_steps`` is an alias of ``critic_steps``, and ``compile(d_optimizer,
    g_optimizer, d_loss_fn, g_loss_fn)`` takes its losses (``d_loss_fn(real_img=..., fake_img=...)`` of the
    critic's scores, ``g_loss_fn(scores)``); without them the losses are :func:`~kerasgan.losses.wasserstein_losses`.
    """

    metric_names = ("d_loss", "g_loss", "w_distance", "gp")
    sequential_updates = True

    def __init__(self, discriminator: keras.Model, generator: keras.Model, latent_dim: int = LATENT_DIM,
                 seed: int | None = None, critic_steps: int = 3, gp_weight: float = 10.0,
                 discriminator_extra_steps: int | None = None, **kwargs):
        super().__init__(discriminator, generator, latent_dim, seed, **kwargs)
        self.critic_steps = critic_steps if discriminator_extra_steps is None else discriminator_extra_steps
        self.gp_weight = gp_weight
        self.d_loss_fn = self.g_loss_fn = None

    def compile(self, d_optimizer: keras.optimizers.Optimizer, g_optimizer: keras.optimizers.Optimizer,
                d_loss_fn=None, g_loss_fn=None, **kwargs) -> None:
        """Each network's optimizer and, as keras.io's WGAN-GP passes them, the critic's and G's losses."""
        super().compile(d_optimizer, g_optimizer, **kwargs)
        self.d_loss_fn, self.g_loss_fn = d_loss_fn, g_loss_fn

    def interpolation_weights(self, batch_size):
        """One weight ``u ~ U(0, 1)`` per image, shaped to broadcast over its pixels."""
        return keras.random.uniform((batch_size, 1, 1, 1), seed=self.seed_generator)

    def discriminator_losses(self, data) -> dict:
        """The critic's Wasserstein loss on real and generated images plus the weighted gradient penalty."""
        real_images = image_batch(data)
        batch_size = ops.shape(real_images)[0]
        fake_images = self.augment(self.generator(self.replica_share(batch_size, self.sample_noise), training=True))
        real_images = self.augment(real_images)
        weights = self.replica_share(batch_size, self.interpolation_weights)
        mixed = real_images + weights * (fake_images - real_images)
        slopes = step_module().input_gradient(lambda images: self.discriminator(images, training=True), mixed)
        real_scores = self.discriminator(real_images, training=True)
        fake_scores = self.discriminator(fake_images, training=True)
        logs = wasserstein_losses(real_scores, fake_scores)
        if self.d_loss_fn is not None:
            logs["d_loss"] = self.d_loss_fn(real_img=real_scores, fake_img=fake_scores)
        logs["gp"] = gradient_penalty(slopes)
        logs["d_loss"] = logs["d_loss"] + self.gp_weight * logs["gp"]
        return logs

    def generator_losses(self, data) -> dict:
        """G raises the critic's score of its images."""
        real_images = image_batch(data)
        noise = self.replica_share(ops.shape(real_images)[0], self.sample_noise)
        scores = self.discriminator(self.augment(self.generator(noise, training=True)), training=True)
        return {"g_loss": self.g_loss_fn(scores) if self.g_loss_fn is not None else -ops.mean(scores)}


WGAN = WassersteinGAN  # keras.io's name for it


def image_batch(data):
    """The images of an unconditional batch: ``fit()`` hands over the batch itself, ``train_on_batch`` a tuple."""
    return data[0] if isinstance(data, (tuple, list)) else data


def measure_batch_statistics(model: keras.Model, draw_inputs, batches: int = STATISTICS_BATCHES) -> None:
    """Set every BatchNorm layer's moving mean and variance to their mean over ``batches`` batches of
    ``draw_inputs()`` in training mode (a momentum of i/(i+1) at the i-th batch averages them equally)."""
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in norms]
    for index in range(batches if norms else 0):
        for layer in norms:
            layer.momentum = index / (index + 1)
        model(draw_inputs(), training=True)
    for layer, momentum in zip(norms, momenta):
        layer.momentum = momentum


def _unpack(data):
    """``train_on_batch(batch)`` hands over ``(batch, None, None)``; ``fit()`` the batch itself."""
    return data[0] if len(data) == 3 and data[1] is None else data


FAMILY_CLASSES: dict[str, type[BaseGAN]] = {
    UNCONDITIONAL: GAN,
    CONDITIONAL: ConditionalGAN,
    AUXILIARY_CLASSIFIER: ConditionalGAN,
    CLASS_AWARE: ClassAwareGAN,
    SEMI_SUPERVISED: SemiSupervisedGAN,
    WASSERSTEIN: WassersteinGAN,
}


def check_image_shape(generator: keras.Model, data: DataSpec) -> None:
    """Refuse, in one line, an architecture that cannot draw images of the data's shape."""
    drawn = tuple(generator.output_shape[1:])
    if drawn != data.image_shape:
        raise UserError(f"this architecture draws {'x'.join(map(str, drawn))} images, not the data's "
                        f"{'x'.join(map(str, data.image_shape))} (choose another --image-size or recipe)")


def family_class(architecture: str) -> type[BaseGAN]:
    """The GAN class that trains a registered architecture: what a run's recorded recipe says about its G."""
    return FAMILY_CLASSES[get_architecture(architecture, *GAN_FAMILIES).family]


def backend_compile_options(jit_compile: bool, steps_per_execution: int) -> dict:
    """``compile()``'s step options on the active backend. TensorFlow: as asked (its graph runs without XLA
    too). JAX: always XLA (without it the step runs op by op, about 20x slower). PyTorch: eager, one step per
    call (Keras' PyTorch trainer refuses more; ``torch.compile`` of it is measured in benchmarks/backends.py)."""
    backend = keras.config.backend()
    if backend == "jax":
        return {"jit_compile": True, "steps_per_execution": steps_per_execution}
    if backend == "torch":
        return {"jit_compile": False, "steps_per_execution": 1}
    return {"jit_compile": jit_compile, "steps_per_execution": steps_per_execution}


def build_gan(
    architecture: str = "keras-gan",
    latent_dim: int = LATENT_DIM,
    data: DataSpec = MNIST,
    label_smoothing: float = 0.0,
    seed: int | None = None,
    jit_compile: bool = False,
    steps_per_execution: int = 1,
    optimizer: str = "adam",
    strategy=None,
    total_steps: int = 1,
    generator_average: float = 0.0,
    balance_weight: float | None = None,
    diff_augment: str = "",
) -> BaseGAN:
    """A compiled GAN of a named architecture (see ``kerasgan.nets.ARCHITECTURES``), of the family that trains it,
    for the images ``data`` describes (their shape and classes).

    ``optimizer`` names the settings both networks get (``kerasgan.recipes.OPTIMIZERS``); the semi-supervised
    family's D also keeps a moving average of its weights over the last third of ``total_steps``, and
    ``generator_average`` (a momentum, 0 for none) keeps one of G's, which G takes when training finishes.
    ``balance_weight`` sets the class-aware family's weight of G's class-balance term (``None``: its default);
    ``diff_augment`` names DiffAugment's transforms applied before D ("color,translation,cutout"; "" for none).
    On TensorFlow the step is compiled either way; XLA (``jit_compile``) measured slower on a 2-core CPU for most
    of these models (docs/benchmark.md), so it is off unless asked for (see :func:`backend_compile_options` for
    JAX and PyTorch). With a ``strategy`` the GAN is built and compiled in its scope; with several
    ``tf.distribute`` replicas the step is not XLA-compiled (one XLA cluster cannot reach the other devices'
    variables).
    """
    gan_class = family_class(architecture)
    step_options = backend_compile_options(jit_compile, steps_per_execution)
    if getattr(strategy, "num_replicas_in_sync", 1) > 1:
        step_options["jit_compile"] = False
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        generator, discriminator = build_gan_pair(architecture, latent_dim, data.image_shape, output_activation=None,
                                                  num_classes=data.num_classes)
        check_image_shape(generator, data)
        options = gan_class.family_options(label_smoothing, balance_weight, data.num_classes)
        gan = gan_class(discriminator, generator, latent_dim=latent_dim, seed=seed, diff_augment=diff_augment,
                        **options)
        gan.compile(
            d_optimizer=make_optimizer(optimizer, total_steps, average_weights=gan_class.trains_classifier),
            g_optimizer=make_optimizer(optimizer, total_steps, average_weights=generator_average > 0,
                                       average_momentum=generator_average),
            **step_options,
        )
    return gan
