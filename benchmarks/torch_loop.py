"""The PyTorch "GAN in 6 minutes" loop on a kerasgan MLP, in plain PyTorch (no Keras in the step): the
baseline the Keras backends are measured against. Needs no TensorFlow."""

from __future__ import annotations

from typing import Callable

import keras
import numpy as np

MIRRORED_LAYERS = (keras.layers.Dense, keras.layers.LeakyReLU, keras.layers.BatchNormalization,
                   keras.layers.InputLayer, keras.layers.Flatten, keras.layers.Reshape)


def is_dense_only(model: keras.Model) -> bool:
    """Whether every layer is one ``torch_mlp`` mirrors and ``dense_macs`` counts (an MLP, not a DCGAN)."""
    return all(isinstance(layer, MIRRORED_LAYERS) for layer in model.layers)


def torch_mlp(model: keras.Model):
    """A ``torch.nn.Sequential`` mirroring a Dense-only Keras model layer by layer, on flattened images."""
    import torch

    activations = {"linear": None, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU}
    modules = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            modules.append(torch.nn.Linear(*layer.kernel.shape))
            activation = activations[layer.activation.__name__]
            modules += [activation()] if activation else []
        elif isinstance(layer, keras.layers.LeakyReLU):
            modules.append(torch.nn.LeakyReLU(layer.negative_slope))
        elif isinstance(layer, keras.layers.BatchNormalization):
            units = int(layer.gamma.shape[0])
            modules.append(torch.nn.BatchNorm1d(units, eps=layer.epsilon, momentum=1.0 - layer.momentum))
        elif not isinstance(layer, MIRRORED_LAYERS):
            raise ValueError(f"no PyTorch mirror for layer {layer.name} ({type(layer).__name__}): Dense-only models")
    return torch.nn.Sequential(*modules)


def allow_two_gradients_per_forward_pass() -> None:
    """``torch.compile``'s backward donates its buffers by default, which the simultaneous GAN step (D's and G's
    gradients from one forward pass, ``retain_graph=True``) cannot allow."""
    import torch._functorch.config

    torch._functorch.config.donated_buffer = False


def torch_gan_step(architecture: str, images: np.ndarray, batch_size: int, device: str = "cpu",
                   compile_step: bool = False) -> Callable[[], None]:
    """One step of the six-minute article's loop on ``architecture``'s MLPs: a D step on real and detached
    fakes, then a G step. ``compile_step`` wraps the networks in ``torch.compile``."""
    import torch

    from kerasgan.nets import build_gan_pair

    keras_generator, keras_discriminator = build_gan_pair(architecture)
    generator = torch_mlp(keras_generator).to(device)
    discriminator = torch_mlp(keras_discriminator).to(device)
    if compile_step:
        generator, discriminator = torch.compile(generator), torch.compile(discriminator)
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = torch.nn.BCELoss()
    flat_images = torch.from_numpy(images.reshape(len(images), -1)).to(device)
    latent_dim = keras_generator.input_shape[-1]
    ones = torch.ones(batch_size, 1, device=device)
    zeros = torch.zeros(batch_size, 1, device=device)

    def step() -> None:
        real = flat_images[torch.randint(0, len(flat_images), (batch_size,), device=device)]
        fake = generator(torch.randn(batch_size, latent_dim, device=device))
        d_optimizer.zero_grad()
        d_loss = bce(discriminator(real), ones) + bce(discriminator(fake.detach()), zeros)
        d_loss.backward()
        d_optimizer.step()
        g_optimizer.zero_grad()
        g_loss = bce(discriminator(fake), ones)
        g_loss.backward()
        g_optimizer.step()

    return step
