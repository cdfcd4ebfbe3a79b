"""The fast path: a ``GAN(keras.Model)`` whose ``train_step`` updates D and G in one compiled step.

The keras.io convention (``GAN(discriminator, generator, latent_dim)``, ``compile(d_optimizer,
g_optimizer, loss_fn)``, ``fit()`` on a ``tf.data`` pipeline), with the TensorFlow DCGAN tutorial's
simultaneous update: one generator forward pass feeds both losses, two tapes give both gradients.
The discriminator must output logits (build it with ``output_activation=None``): the losses are the
numerically stable non-saturating ones computed from logits.

Under a ``tf.distribute`` strategy (build and compile in ``strategy.scope()``), Keras splits each global
batch between the replicas, its losses divide each replica's mean by the number of replicas and the
optimizers sum the replicas' gradients: the update is the one-device update of the global batch. Each
replica takes its own slice of one global batch of latent vectors, so the noise is the one-device noise too.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops


class GAN(keras.Model):
    """Generator and discriminator trained together by ``fit()``; logs ``d_loss``, ``g_loss`` and ``d_acc``."""

    def __init__(
        self,
        discriminator: keras.Model,
        generator: keras.Model,
        latent_dim: int = 100,
        label_smoothing: float = 0.0,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.label_smoothing = label_smoothing
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_acc_tracker = keras.metrics.Mean(name="d_acc")
        # Both networks come built; saying so stops fit() under a strategy from tracing call() on images.
        self.built = discriminator.built and generator.built

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer,
        g_optimizer: keras.optimizers.Optimizer,
        loss_fn: keras.losses.Loss | None = None,
        **kwargs,
    ) -> None:
        """Give each network its own optimizer; ``loss_fn`` defaults to binary cross-entropy from logits."""
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn or keras.losses.BinaryCrossentropy(from_logits=True)

    @property
    def metrics(self) -> list:
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_acc_tracker]

    def call(self, noise, training: bool = False):
        """Generate images from latent vectors (lets the GAN be called and saved like a model)."""
        return self.generator(noise, training=training)

    def build_optimizers(self) -> None:
        """Create both optimizers' slot variables now (checkpoint restore needs them before step one)."""
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def optimizer_steps(self) -> int:
        """How many training steps the GAN has taken (the generator optimizer's iteration counter)."""
        return int(self.g_optimizer.iterations.numpy())

    def sample_noise(self, batch_size):
        """Latent vectors z ~ N(0, 1) drawn from the model's own seed generator (reproducible, resumable)."""
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def replica_noise(self, batch_size):
        """This replica's slice of one global batch of latent vectors (all of it on one device)."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        context = tf.distribute.get_replica_context()
        if replicas == 1 or context is None:
            return self.sample_noise(batch_size)
        noise = self.sample_noise(batch_size * replicas)
        start = context.replica_id_in_sync_group * batch_size
        return noise[start: start + batch_size]

    def compute_losses(self, data, training: bool = True):
        """Both losses of one step from one generator pass; returns ``(d_loss, g_loss, d_acc)``.

        Under a strategy with several replicas the losses come back divided by the number of replicas
        (Keras' losses do that so that the summed gradients are those of the global batch's mean).
        """
        real_images = data[0] if isinstance(data, tuple) else data
        noise = self.replica_noise(ops.shape(real_images)[0])
        fake_images = self.generator(noise, training=training)
        real_logits = self.discriminator(real_images, training=training)
        fake_logits = self.discriminator(fake_images, training=training)
        return self.adversarial_losses(real_logits, fake_logits)

    def adversarial_losses(self, real_logits, fake_logits):
        """Non-saturating losses from logits: D tells real (smoothed target) from fake, G wants "real"."""
        real_targets = ops.full_like(real_logits, 1.0 - self.label_smoothing)
        d_loss = 0.5 * (self.loss_fn(real_targets, real_logits) + self.loss_fn(ops.zeros_like(fake_logits), fake_logits))
        g_loss = self.loss_fn(ops.ones_like(fake_logits), fake_logits)
        correct = ops.concatenate([ops.cast(real_logits > 0, "float32"), ops.cast(fake_logits <= 0, "float32")], axis=0)
        return d_loss, g_loss, ops.mean(correct)

    def train_step(self, data):
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            d_loss, g_loss, d_acc = self.compute_losses(data, training=True)
        d_weights = self.discriminator.trainable_variables
        g_weights = self.generator.trainable_variables
        self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_weights), d_weights))
        self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_weights), g_weights))
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        self.d_loss_tracker.update_state(d_loss * replicas)  # the logged losses are the global batch's means
        self.g_loss_tracker.update_state(g_loss * replicas)
        self.d_acc_tracker.update_state(d_acc)
        return {metric.name: metric.result() for metric in self.metrics}

def build_gan(
    architecture: str = "keras-gan",
    z_size: int = 100,
    img_shape: tuple = (28, 28, 1),
    label_smoothing: float = 0.0,
    seed: int | None = None,
    jit_compile: bool = False,
    steps_per_execution: int = 1,
    optimizer: str = "adam",
    strategy: tf.distribute.Strategy | None = None,
) -> GAN:
    """A compiled fast-path ``GAN`` of a named architecture with the articles' optimizer settings.

    The step is a ``tf.function`` either way; XLA (``jit_compile=True``) measured slower on the 2-core CPU
    for these models (docs/benchmark.md), so it is off unless asked for (try it on a GPU).

    With ``strategy`` (see :mod:`kerasgan.training.distribute`) the GAN is built and compiled in its scope;
    with several replicas the step is not XLA-compiled (one XLA cluster cannot reach the other devices' variables).
    """
    from kerasgan.models import build_gan_pair, make_optimizer

    strategy = strategy or tf.distribute.get_strategy()
    jit_compile = jit_compile and strategy.num_replicas_in_sync == 1
    with strategy.scope():
        generator, discriminator = build_gan_pair(architecture, z_size, img_shape, output_activation=None)
        gan = GAN(discriminator, generator, latent_dim=z_size, label_smoothing=label_smoothing, seed=seed)
        gan.compile(
            d_optimizer=make_optimizer(optimizer),
            g_optimizer=make_optimizer(optimizer),
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )
        gan.build_optimizers()
    return gan
