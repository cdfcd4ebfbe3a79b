"""The GAN train step on the TensorFlow backend: ``tf.GradientTape`` for the gradients, one optimizer per network.

Under a ``tf.distribute`` strategy each replica computes its share of the global batch's mean loss (its own
mean divided by the number of replicas) and the optimizers sum the replicas' gradients: the update is the
one-device update of the global batch. The logged values are each replica's own means.
"""

from __future__ import annotations

import tensorflow as tf

from kerasgan.training.distribute import is_multi_worker


def replica_position() -> tuple:
    """``(index, count)`` of this replica among the strategy's replicas; ``(0, 1)`` outside a strategy."""
    count = tf.distribute.get_strategy().num_replicas_in_sync
    context = tf.distribute.get_replica_context()
    if count == 1 or context is None:
        return 0, 1
    return context.replica_id_in_sync_group, count


def apply_update(optimizer, tape: tf.GradientTape, loss, network) -> None:
    """One optimizer step of ``network``'s trainable weights down the gradient of ``loss``.

    An embedding's gradient comes as ``tf.IndexedSlices`` with a row per lookup; Keras' optimizers apply such
    slices row by row, so a label drawn twice in a batch adds two squared gradients to Adam's second moment
    instead of the square of their sum. Made dense (the class embeddings are small), the update is the
    textbook one, as on JAX and PyTorch.
    """
    weights = network.trainable_variables
    grads = [tf.convert_to_tensor(grad) if isinstance(grad, tf.IndexedSlices) else grad
             for grad in tape.gradient(loss, weights)]
    optimizer.apply_gradients(zip(grads, weights))


def input_gradient(function, inputs):
    """The gradient of ``sum(function(inputs))`` with respect to ``inputs``, differentiable again (a nested tape
    inside the step's own): what a gradient penalty needs."""
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = function(inputs)
    return tape.gradient(outputs, inputs)


def train_step(gan, data) -> dict:
    """One training step of any :class:`kerasgan.gans.BaseGAN`: simultaneous, or D (``critic_steps`` times)
    then G."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if gan.sequential_updates:
        for _ in range(gan.critic_steps):
            with tf.GradientTape() as d_tape:
                logs = gan.discriminator_losses(data)
                d_loss = logs["d_loss"] / replicas
            apply_update(gan.d_optimizer, d_tape, d_loss, gan.discriminator)
        with tf.GradientTape() as g_tape:
            logs.update(gan.generator_losses(data))
            g_loss = logs["g_loss"] / replicas
        apply_update(gan.g_optimizer, g_tape, g_loss, gan.generator)
    else:
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            logs = gan.compute_losses(data, training=True)
            d_loss, g_loss = logs["d_loss"] / replicas, logs["g_loss"] / replicas
        apply_update(gan.d_optimizer, d_tape, d_loss, gan.discriminator)
        apply_update(gan.g_optimizer, g_tape, g_loss, gan.generator)
    return reducible(gan.update_metrics(logs))


def reducible(logs: dict) -> dict:
    """The logs in a shape ``fit()`` can reduce over the replicas.

    Under a multi-worker strategy Keras 3.15 reduces them with ``reduce("MEAN", axis=0)``, which fails on
    scalars ("Invalid reduction dimension 0 for input with 0 dimensions"); a batch axis of one makes that
    the mean over all replicas, a scalar again.
    """
    if is_multi_worker(tf.distribute.get_strategy()):
        return {name: tf.reshape(value, (1,)) for name, value in logs.items()}
    return logs
