"""The GAN train step on the JAX backend: a pure function of the model's state, jitted by ``fit()``.

Keras hands the step ``state = (trainable, non_trainable, optimizer, metrics)`` as lists of arrays in the order
of ``gan.trainable_variables``, ``gan.non_trainable_variables``, ``gan.optimizer.variables`` (both optimizers,
see :class:`kerasgan.gans.OptimizerPair`) and ``gan.metrics_variables``, and keeps what the step returns. The
step runs the family's own loss code with every variable mapped to its current value (a
``keras.StatelessScope``), so whatever that code assigns is carried forward: the noise seed's state, the
BatchNorm statistics and the dropout seeds, chained from call to call as on TensorFlow. Each network is
differentiated with respect to its own weights (found by identity, not by position).
"""

from __future__ import annotations

import jax
import keras
from keras import ops


def replica_position() -> tuple:
    """``(0, 1)``: on JAX a data-parallel batch is one global array, so the noise is drawn for all of it at once."""
    return 0, 1


class StepState:
    """The values of all of a GAN's variables during one step, by variable identity."""

    def __init__(self, gan, state):
        self.groups = (gan.trainable_variables, gan.non_trainable_variables, gan.optimizer.variables,
                       gan.metrics_variables)
        self.variables = [variable for group in self.groups for variable in group]
        self.values = {id(variable): value for group, values in zip(self.groups, state)
                       for variable, value in zip(group, values)}
        self.weight_ids = {id(variable) for variable in self.groups[0]}

    def current(self, variables) -> list:
        return [self.values[id(variable)] for variable in variables]

    def run(self, function, weights: dict | None = None):
        """Call ``function()`` with every variable reading its current value (``weights`` overrides some by id);
        returns its result and the new values of the non-trainable variables it assigned."""
        values = {**self.values, **(weights or {})}
        mapping = [(variable, values[id(variable)]) for variable in self.variables]
        with keras.StatelessScope(state_mapping=mapping) as scope:
            result = function()
        assigned = {id(variable): scope.get_current_value(variable) for variable in self.variables
                    if id(variable) not in self.weight_ids}
        return result, assigned

    def descend(self, optimizer, network, loss_name: str, losses) -> dict:
        """Differentiate ``losses()[loss_name]`` with respect to ``network``'s weights and take one optimizer step."""
        ids = [id(weight) for weight in network.trainable_variables]

        def loss_of(weights):
            logs, assigned = self.run(losses, dict(zip(ids, weights)))
            return logs[loss_name], (logs, assigned)

        (_, (logs, assigned)), grads = jax.value_and_grad(loss_of, has_aux=True)(
            self.current(network.trainable_variables))
        self.values.update(assigned)
        self.apply(optimizer, network, grads)
        return logs

    def descend_together(self, gan, losses) -> dict:
        """One forward pass, D down the gradient of ``d_loss`` and G down that of ``g_loss``, both from the
        weights before the step (the simultaneous update)."""
        d_ids = [id(weight) for weight in gan.discriminator.trainable_variables]
        g_ids = [id(weight) for weight in gan.generator.trainable_variables]

        def losses_of(d_weights, g_weights):
            logs, assigned = self.run(losses, {**dict(zip(d_ids, d_weights)), **dict(zip(g_ids, g_weights))})
            return (logs["d_loss"], logs["g_loss"]), (logs, assigned)

        (d_loss, g_loss), pull_back, (logs, assigned) = jax.vjp(
            losses_of, self.current(gan.discriminator.trainable_variables),
            self.current(gan.generator.trainable_variables), has_aux=True)
        d_grads = pull_back((ops.ones_like(d_loss), ops.zeros_like(g_loss)))[0]
        g_grads = pull_back((ops.zeros_like(d_loss), ops.ones_like(g_loss)))[1]
        self.values.update(assigned)
        self.apply(gan.d_optimizer, gan.discriminator, d_grads)
        self.apply(gan.g_optimizer, gan.generator, g_grads)
        return logs

    def apply(self, optimizer, network, grads) -> None:
        weights, slots = optimizer.stateless_apply(self.current(optimizer.variables), grads,
                                                   self.current(network.trainable_variables))
        self.values.update(zip((id(weight) for weight in network.trainable_variables), weights))
        self.values.update(zip((id(slot) for slot in optimizer.variables), slots))

    def as_state(self) -> tuple:
        return tuple(self.current(group) for group in self.groups)


def input_gradient(function, inputs):
    """The gradient of ``sum(function(inputs))`` with respect to ``inputs`` (``jax.grad``, itself differentiable):
    what a gradient penalty needs. It runs inside the step's variable scope, so the weights are the step's."""
    return jax.grad(lambda images: ops.sum(function(images)))(inputs)


def train_step(gan, state, data) -> tuple:
    """One training step of any :class:`kerasgan.gans.BaseGAN`: ``(logs, new_state)``; D is updated
    ``critic_steps`` times before G in the sequential families."""
    step = StepState(gan, state)
    if gan.sequential_updates:
        for _ in range(gan.critic_steps):
            logs = step.descend(gan.d_optimizer, gan.discriminator, "d_loss", lambda: gan.discriminator_losses(data))
        logs.update(step.descend(gan.g_optimizer, gan.generator, "g_loss", lambda: gan.generator_losses(data)))
    else:
        logs = step.descend_together(gan, lambda: gan.compute_losses(data, training=True))
    results, assigned = step.run(lambda: gan.update_metrics(logs))
    step.values.update(assigned)
    return results, step.as_state()
