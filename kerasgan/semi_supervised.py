"""GANs that help a classifier: the semi-supervised GAN of Salimans et al. (2016) and synthetic-data training.

**SGAN.** The discriminator is a K-class classifier whose K logits ``l`` also say "real or fake": with the
fake class's logit fixed at 0, ``Z(x) = sum_k exp(l_k(x))`` and ``D(x) = Z / (Z + 1)``. Its loss is the
cross-entropy on the few labelled images plus the GAN loss on unlabelled real and generated images,
``-log D(x) = -lse(l) + softplus(lse(l))`` and ``-log(1 - D(G(z))) = softplus(lse(l))``; the generator
matches the mean of an intermediate discriminator layer on real and generated batches (feature matching).
The networks and losses are in :mod:`kerasgan.sgan`; this module trains them with TensorFlow.

**Synthetic data.** ``train_on_synthetic`` trains the CNN article's classifier on conditional-GAN samples
(optionally with a few real labelled images) and tests it on the real test set: the Classification
Accuracy Score of Ravuri & Vinyals (2019).
"""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan.sgan import (NUM_CLASSES, SGAN_Z_SIZE, build_sgan_discriminator, build_sgan_generator,
                           feature_matching_loss, initialize_weight_norm, supervised_loss, unsupervised_loss)

SGAN_BATCH_SIZE = 100
SGAN_LEARNING_RATE = 0.003
UNLABELLED_WEIGHT = 1.0
REAL_ONLY_TRAIN_SIZE = 30000  # a real-only run repeats its images to this size: the steps of 30k synthetic


class SemiSupervisedGAN(keras.Model):
    """K-class discriminator and feature-matching generator trained by ``fit()`` on
    ``(labelled_images, labels, unlabelled_images)`` batches; D is updated first, then G.

    Logs ``d_loss``, ``sup_loss``, ``unsup_loss``, ``g_loss`` and ``train_acc`` (on the labelled batch).
    """

    def __init__(self, discriminator: keras.Model, generator: keras.Model, latent_dim: int = SGAN_Z_SIZE,
                 unlabelled_weight: float = UNLABELLED_WEIGHT, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.unlabelled_weight = unlabelled_weight
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name in ("d_loss", "sup_loss", "unsup_loss", "g_loss", "train_acc")}
        self.built = discriminator.built and generator.built

    def compile(self, d_optimizer: keras.optimizers.Optimizer, g_optimizer: keras.optimizers.Optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer

    @property
    def metrics(self) -> list:
        return list(self.trackers.values())

    def call(self, images, training: bool = False):
        """Class logits of images (the classifier the SGAN trains)."""
        return self.discriminator(images, training=training)[0]

    def sample_noise(self, batch_size):
        """z ~ U(0, 1), as in the paper's code."""
        return keras.random.uniform((batch_size, self.latent_dim), seed=self.seed_generator)

    def train_step(self, data):
        if data[1] is None:  # train_on_batch(batch) hands over (batch, None, None); fit() the batch itself
            data = data[0]
        labelled_images, labels, unlabelled_images = data
        batch_size = ops.shape(unlabelled_images)[0]
        d_weights = self.discriminator.trainable_variables
        g_weights = self.generator.trainable_variables
        fake_images = self.generator(self.sample_noise(batch_size), training=True)
        with tf.GradientTape() as d_tape:
            labelled_logits, _ = self.discriminator(labelled_images, training=True)
            real_logits, _ = self.discriminator(unlabelled_images, training=True)
            fake_logits, _ = self.discriminator(fake_images, training=True)
            sup_loss = supervised_loss(labels, labelled_logits)
            unsup_loss = unsupervised_loss(real_logits, fake_logits)
            d_loss = sup_loss + self.unlabelled_weight * unsup_loss
        self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_weights), d_weights))
        with tf.GradientTape() as g_tape:
            fake_images = self.generator(self.sample_noise(batch_size), training=True)
            _, real_features = self.discriminator(unlabelled_images, training=True)
            _, fake_features = self.discriminator(fake_images, training=True)
            g_loss = feature_matching_loss(real_features, fake_features)
        self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_weights), g_weights))
        correct = ops.cast(ops.argmax(labelled_logits, axis=-1) == ops.cast(labels, "int32"), "float32")
        for name, value in (("d_loss", d_loss), ("sup_loss", sup_loss), ("unsup_loss", unsup_loss),
                            ("g_loss", g_loss), ("train_acc", ops.mean(correct))):
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}


def balanced_label_subset(labels: np.ndarray, n: int, seed: int = 0, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Sorted indices of ``n`` labelled examples, ``n // num_classes`` of each class, chosen with ``seed``.

    ``n`` equal to (or above) the number of labels returns every index.
    """
    labels = np.asarray(labels)
    if n >= len(labels):
        return np.arange(len(labels))
    if n % num_classes:
        raise ValueError(f"n = {n} labels cannot be split evenly between {num_classes} classes")
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(labels == label), n // num_classes, replace=False)
              for label in range(num_classes)]
    return np.sort(np.concatenate(chosen))


def _linear_decay(steps: int, learning_rate: float = SGAN_LEARNING_RATE):
    return keras.optimizers.schedules.PolynomialDecay(learning_rate, max(1, steps), end_learning_rate=0.0, power=1.0)


def weight_average_momentum(steps: int) -> float:
    """The EMA momentum that averages D's weights over about the last third of a run of ``steps`` steps.

    Salimans et al. test an average of the discriminator's weights, not the last ones (their MNIST code
    averages over about 10,000 of 180,000 steps); a run of a few epochs needs a shorter window.
    """
    return float(np.clip(1.0 - 3.0 / max(1, steps), 0.9, 0.9999))


def build_semi_supervised_gan(steps: int, seed: int | None = None, img_shape: tuple = (28, 28, 1),
                              jit_compile: bool = True) -> SemiSupervisedGAN:
    """A compiled ``SemiSupervisedGAN``: Adam(3e-3, beta_1=0.5) for both nets, decayed linearly to 0 over ``steps``.

    D's optimizer keeps an exponential moving average of its weights (``weight_average_momentum``);
    ``train_sgan`` copies it into D at the end, so the classifier it tests is the averaged one.
    """
    gan = SemiSupervisedGAN(build_sgan_discriminator(img_shape), build_sgan_generator(SGAN_Z_SIZE, img_shape),
                            seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(_linear_decay(steps), beta_1=0.5, use_ema=True,
                                                  ema_momentum=weight_average_momentum(steps)),
                g_optimizer=keras.optimizers.Adam(_linear_decay(steps), beta_1=0.5), jit_compile=jit_compile)
    return gan


def _labelled_stream(images, labels, batch_size: int, seed: int):
    dataset = tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int32)))
    return dataset.repeat().shuffle(max(len(images), 1000), seed=seed).batch(batch_size, drop_remainder=True)


def classifier_accuracy(classify, images: np.ndarray, labels: np.ndarray, batch_size: int = 1000) -> float:
    """The share of images whose arg-max logit is the label; ``classify`` maps a batch of images to logits."""
    predicted = np.concatenate([np.argmax(np.asarray(classify(images[start: start + batch_size])), axis=-1)
                                for start in range(0, len(images), batch_size)])
    return float(np.mean(predicted == np.asarray(labels)))


def train_sgan(x_train: np.ndarray, y_train: np.ndarray, n_labels: int, epochs: float, x_test: np.ndarray,
               y_test: np.ndarray, seed: int = 0, supervised_only: bool = False, batch_size: int = SGAN_BATCH_SIZE,
               verbose: int = 0) -> dict:
    """Train the SGAN (or, with ``supervised_only``, its discriminator on the labelled images alone).

    ``n_labels`` balanced labelled images are drawn with ``seed``; the unlabelled set is all of ``x_train``.
    ``epochs`` counts passes over the unlabelled set (``len(x_train) // batch_size`` steps each); the
    supervised-only baseline takes the same number of steps. Returns test accuracy, timings and the subset.
    """
    keras.utils.set_random_seed(seed)
    subset = balanced_label_subset(y_train, n_labels, seed)
    steps = int(round(epochs * (len(x_train) // batch_size)))
    labelled = _labelled_stream(x_train[subset], y_train[subset], batch_size, seed)
    started_s, started_cpu_s = time.perf_counter(), time.process_time()
    if supervised_only:
        discriminator = build_sgan_discriminator(x_train.shape[1:])
        initialize_weight_norm(discriminator, x_train[subset[:500]])
        classifier = keras.Model(discriminator.input, discriminator.output[0])
        classifier.compile(optimizer=keras.optimizers.Adam(_linear_decay(steps), beta_1=0.5),
                           loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=True)
        classifier.fit(labelled, epochs=1, steps_per_epoch=steps, verbose=verbose, shuffle=False)
        classify = lambda images: classifier(images, training=False)  # noqa: E731
        history = {}
    else:
        gan = build_semi_supervised_gan(steps, seed, x_train.shape[1:])
        init_batch = x_train[np.random.default_rng(seed).choice(len(x_train), 500, replace=False)]
        initialize_weight_norm(gan.discriminator, init_batch)
        initialize_weight_norm(gan.generator, np.random.default_rng(seed).uniform(size=(500, SGAN_Z_SIZE)))
        unlabelled = tf.data.Dataset.from_tensor_slices(x_train).repeat().shuffle(len(x_train), seed=seed + 1)
        unlabelled = unlabelled.batch(batch_size, drop_remainder=True)
        stream = tf.data.Dataset.zip((labelled, unlabelled)).map(lambda pair, images: (*pair, images))
        fitted = gan.fit(stream.prefetch(tf.data.AUTOTUNE), epochs=1, steps_per_epoch=steps, verbose=verbose,
                         shuffle=False)
        gan.d_optimizer.finalize_variable_values(gan.discriminator.trainable_variables)
        classify = lambda images: gan(images, training=False)  # noqa: E731
        history = {name: float(values[-1]) for name, values in fitted.history.items()}
    train_wall_s, train_cpu_s = time.perf_counter() - started_s, time.process_time() - started_cpu_s
    return {
        "method": "supervised" if supervised_only else "sgan", "n_labels": int(len(subset)), "seed": seed,
        "epochs": epochs, "steps": steps, "batch_size": batch_size,
        "test_accuracy": classifier_accuracy(classify, x_test, y_test),
        "train_wall_s": round(train_wall_s, 1), "train_cpu_s": round(train_cpu_s, 1),
        "final_logs": history, "label_subset": subset.tolist() if len(subset) < len(x_train) else "all",
    }


def train_on_synthetic(generator: keras.Model, x_test: np.ndarray, y_test: np.ndarray, n_synthetic: int = 60000,
                       real: tuple[np.ndarray, np.ndarray] | None = None, epochs: int = 5, batch_size: int = 64,
                       seed: int = 0, verbose: int = 0) -> dict:
    """Train the CNN article's classifier on conditional-GAN samples (plus ``real`` labelled images, if given)
    and test it on real images: the Classification Accuracy Score when ``real`` is ``None``.

    With ``n_synthetic = 0`` it trains on ``real`` alone, repeated to ``REAL_ONLY_TRAIN_SIZE`` images, so
    it takes as many steps as a run on 30,000 synthetic images.
    """
    from kerasgan.conditional import generate_labelled
    from kerasgan.models import build_classifier

    keras.utils.set_random_seed(seed)
    started_s, started_cpu_s = time.perf_counter(), time.process_time()
    images, labels = (generate_labelled(generator, n_synthetic, seed) if n_synthetic
                      else (np.zeros((0, *x_test.shape[1:]), np.float32), np.zeros((0,), np.int64)))
    if real is not None:
        repeats = 1 if n_synthetic else max(1, REAL_ONLY_TRAIN_SIZE // len(real[0]))
        images = np.concatenate([images, np.tile(real[0], (repeats, 1, 1, 1))])
        labels = np.concatenate([labels, np.tile(real[1], repeats)])
    classifier = build_classifier(x_test.shape[1:], NUM_CLASSES)
    classifier.compile(optimizer=keras.optimizers.Adam(1e-3),
                       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    classifier.fit(images, labels, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=verbose)
    return {
        "method": "synthetic", "n_synthetic": n_synthetic, "n_real": 0 if real is None else int(len(real[0])),
        "train_size": int(len(images)), "epochs": epochs, "seed": seed,
        "test_accuracy": classifier_accuracy(lambda batch: classifier(batch, training=False), x_test, y_test),
        "train_wall_s": round(time.perf_counter() - started_s, 1),
        "train_cpu_s": round(time.process_time() - started_cpu_s, 1),
    }


GAN_METHODS = ("sgan", "supervised", "synthetic")


def run_gan_classification(method: str = "sgan", labels: int | None = None, epochs: float | None = None,
                           seed: int = 0, generator_path: str | None = None, n_synthetic: int = 30000,
                           dataset: str = "mnist", verbose: int = 0) -> dict:
    """What ``scripts/classify.py`` runs: load the data, train one ``GAN_METHODS`` method, test on real images.

    ``sgan``/``supervised``: ``labels`` balanced labelled images (default 100), ``epochs`` passes over the
    unlabelled set (default 3). ``synthetic``: the CNN article's classifier for ``epochs`` (default 3) on
    ``n_synthetic`` samples of the conditional generator at ``generator_path`` plus ``labels`` real images.
    """
    from kerasgan.data import load_data

    if method not in GAN_METHODS:
        raise ValueError(f"unknown method '{method}' (choose from: {', '.join(GAN_METHODS)})")
    x_train, y_train = load_data(dataset, "train")
    x_test, y_test = load_data(dataset, "test")
    if method in ("sgan", "supervised"):
        return train_sgan(x_train, y_train, labels or 100, epochs or 3.0, x_test, y_test, seed,
                          supervised_only=method == "supervised", verbose=verbose)
    if generator_path is None and not labels:
        raise ValueError("the synthetic method needs a generator, some real labels, or both")
    real = None
    if labels:
        subset = balanced_label_subset(y_train, labels, seed)
        real = (x_train[subset], y_train[subset])
    generator = keras.models.load_model(generator_path) if generator_path else None
    results = train_on_synthetic(generator, x_test, y_test, n_synthetic if generator else 0, real,
                                 epochs=int(epochs or 3), seed=seed, verbose=verbose)
    return {**results, "generator": str(generator_path) if generator_path else None}
