"""The GAN losses, in ``keras.ops`` only so that every backend's train step shares them.

Each loss is the mean over the batch on one device; a train step under a distribution strategy scales it.
"""

from __future__ import annotations

import keras
from keras import ops


def binary_crossentropy_from_logits(targets, logits):
    """Mean binary cross-entropy of logits against targets in [0, 1] (numerically stable)."""
    return ops.mean(keras.losses.binary_crossentropy(targets, logits, from_logits=True))


def class_crossentropy(labels, logits):
    """Mean cross-entropy of integer class labels against class logits."""
    labels = ops.reshape(labels, (-1,))
    return ops.mean(keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))


def class_confidence_loss(class_logits, confidence_weight: float = 1.0, balance_weight: float = 1.0):
    """``confidence_weight`` times the mean entropy of each image's class prediction minus ``balance_weight``
    times the entropy of the batch's mean prediction: lowest when every image is one clear class and the batch
    holds every class equally often (``-log K`` at weights 1)."""
    probabilities = ops.softmax(class_logits, axis=-1)
    return (confidence_weight * ops.mean(entropy(probabilities))
            - balance_weight * entropy(ops.mean(probabilities, axis=0)))


def entropy(probabilities):
    """Shannon entropy (nats) over the last axis."""
    return -ops.sum(probabilities * ops.log(ops.maximum(probabilities, 1e-12)), axis=-1)


def adversarial_losses(real_outputs, fake_outputs, label_smoothing: float = 0.0, loss_fn=None,
                       threshold: float = 0.0) -> dict:
    """The non-saturating GAN losses: D tells real (target ``1 - label_smoothing``) from fake (target 0), G wants
    D to say "real". The loss is ``loss_fn(targets, outputs)`` (a Keras loss, e.g. keras.io's
    ``BinaryCrossentropy()`` of a sigmoid D), by default the cross-entropy of logits. Returns
    ``{"d_loss", "g_loss", "d_acc"}``, D's accuracy at ``threshold`` (0 for logits, 0.5 for probabilities)."""
    loss = loss_fn or binary_crossentropy_from_logits
    real_targets = ops.full_like(real_outputs, 1.0 - label_smoothing)
    d_loss = 0.5 * (loss(real_targets, real_outputs) + loss(ops.zeros_like(fake_outputs), fake_outputs))
    g_loss = loss(ops.ones_like(fake_outputs), fake_outputs)
    correct = ops.concatenate([ops.cast(real_outputs > threshold, "float32"),
                               ops.cast(fake_outputs <= threshold, "float32")], axis=0)
    return {"d_loss": d_loss, "g_loss": g_loss, "d_acc": ops.mean(correct)}


def unsupervised_loss(real_logits, fake_logits):
    """``-0.5 E[log D(x)] - 0.5 E[log(1 - D(G(z)))]`` written stably with log-sum-exp (Salimans et al. 2016)."""
    real_lse = ops.logsumexp(real_logits, axis=-1)
    fake_lse = ops.logsumexp(fake_logits, axis=-1)
    return 0.5 * (ops.mean(ops.softplus(real_lse) - real_lse) + ops.mean(ops.softplus(fake_lse)))


def supervised_loss(labels, logits):
    """Cross-entropy of the K real classes on labelled images (the SGAN's supervised part)."""
    return class_crossentropy(labels, logits)


def feature_matching_loss(real_features, fake_features):
    """The squared distance between the batch means of real and generated features (mean over units)."""
    return ops.mean(ops.square(ops.mean(real_features, axis=0) - ops.mean(fake_features, axis=0)))


def accuracy(labels, logits):
    """The share of rows whose arg-max logit is the label."""
    labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
    return ops.mean(ops.cast(ops.cast(ops.argmax(logits, axis=-1), "int32") == labels, "float32"))


def wasserstein_losses(real_scores, fake_scores) -> dict:
    """The WGAN losses from critic scores: the critic lowers ``E[D(fake)] - E[D(real)]``, G raises ``E[D(fake)]``.
    ``w_distance`` is the critic's estimate of the Wasserstein distance, ``E[D(real)] - E[D(fake)]``."""
    real_mean, fake_mean = ops.mean(real_scores), ops.mean(fake_scores)
    return {"d_loss": fake_mean - real_mean, "g_loss": -fake_mean, "w_distance": real_mean - fake_mean}


def gradient_penalty(gradients):
    """Gulrajani et al.'s penalty ``E[(||grad D(x_hat)||_2 - 1)^2]``, the norm over each image's pixels."""
    flat = ops.reshape(gradients, (ops.shape(gradients)[0], -1))
    return ops.mean(ops.square(ops.sqrt(ops.sum(ops.square(flat), axis=1)) - 1.0))
