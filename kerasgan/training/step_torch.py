"""The GAN train step on the PyTorch backend: ``torch.autograd.grad`` for each network's own loss.

Called eagerly by ``fit()`` (PyTorch has no compiled multi-step loop). Gradients are taken with
``torch.autograd.grad`` rather than ``backward()``, so D's loss never leaves gradients on G's weights
(and the reverse) in the simultaneous update.
"""

from __future__ import annotations

import torch


def replica_position() -> tuple:
    """``(0, 1)``: the PyTorch backend trains on one device."""
    return 0, 1


def gradients(loss, network, keep_graph: bool = False) -> list:
    """The gradient of ``loss`` with respect to ``network``'s trainable weights (and nothing else's)."""
    weights = [weight.value for weight in network.trainable_variables]
    return list(torch.autograd.grad(loss, weights, retain_graph=keep_graph))


def apply_update(optimizer, grads: list, network) -> None:
    """One optimizer step of ``network``'s trainable weights."""
    with torch.no_grad():
        optimizer.apply(grads, network.trainable_variables)


def input_gradient(function, inputs):
    """The gradient of ``sum(function(inputs))`` with respect to ``inputs``, kept in the graph
    (``create_graph``) so that a gradient penalty can be differentiated for the weights."""
    inputs = inputs.detach().requires_grad_(True)
    return torch.autograd.grad(function(inputs).sum(), inputs, create_graph=True)[0]


def train_step(gan, data) -> dict:
    """One training step of any :class:`kerasgan.gans.BaseGAN`: simultaneous (both gradients from the weights
    before the step), or D (``critic_steps`` times) then G."""
    if gan.sequential_updates:
        for _ in range(gan.critic_steps):
            logs = gan.discriminator_losses(data)
            apply_update(gan.d_optimizer, gradients(logs["d_loss"], gan.discriminator), gan.discriminator)
        logs.update(gan.generator_losses(data))
        apply_update(gan.g_optimizer, gradients(logs["g_loss"], gan.generator), gan.generator)
    else:
        logs = gan.compute_losses(data, training=True)
        d_grads = gradients(logs["d_loss"], gan.discriminator, keep_graph=True)
        g_grads = gradients(logs["g_loss"], gan.generator)
        apply_update(gan.d_optimizer, d_grads, gan.discriminator)
        apply_update(gan.g_optimizer, g_grads, gan.generator)
    return gan.update_metrics({name: value.detach() for name, value in logs.items()})
