"""What a GAN checks before it trains: that the networks' outputs fit the losses, and that the first batch holds
images in the generator's range (and labels, where the family needs them).

Each check runs once, before the first step (at ``compile()``, or on the first batch ``fit()`` is given), and
fails with one sentence that says what to change; the train step itself does no checking.
"""

from __future__ import annotations

import keras
import numpy as np

RANGE_TOLERANCE = 1e-3  # pixels may overshoot the range by rounding (a resize, a float16 round trip)


def output_layer(model: keras.Model):
    """The layer that makes ``model``'s (first) output, or ``None`` for a model without layers."""
    outputs = getattr(model, "outputs", None)
    if outputs:
        history = getattr(outputs[0], "_keras_history", None)
        if history is not None:
            return history.operation
    return model.layers[-1] if getattr(model, "layers", None) else None


def ends_in_sigmoid(model: keras.Model) -> bool:
    """Whether ``model``'s output layer applies a sigmoid (probabilities, not logits)."""
    activation = getattr(output_layer(model), "activation", None)
    return getattr(activation, "__name__", "") == "sigmoid"


def check_discriminator_output(discriminator: keras.Model, loss_fn) -> None:
    """kerasgan's own losses take logits: a discriminator that ends in a sigmoid needs the examples' ``loss_fn``."""
    if loss_fn is None and ends_in_sigmoid(discriminator):
        raise ValueError("the discriminator ends in a sigmoid, but the GAN's own losses take logits: pass "
                         "compile(..., loss_fn=keras.losses.BinaryCrossentropy()) as keras.io's DCGAN does, or end "
                         "the discriminator in a plain Dense(1)")


def first_batch(x, y=None) -> tuple:
    """``(images, labels)`` of the data given to ``fit()``, read without consuming it; ``(None, None)`` for a
    stream that cannot be read twice (a Python generator, a ``PyDataset``): it is not checked."""
    if hasattr(x, "take") and hasattr(x, "element_spec"):  # a tf.data.Dataset, detected without importing TF
        element = next(iter(x.take(1)), None)
        if element is None:
            return None, None
        return (element[0], element[1] if len(element) > 1 else None) if isinstance(element, tuple) else (element, None)
    if isinstance(x, (tuple, list)):
        return x[0], (x[1] if len(x) > 1 else y)
    if hasattr(x, "__array__") and hasattr(x, "shape"):  # numpy or a backend tensor
        return x, y
    return None, None


def check_images(images, expected: tuple[float, float]) -> None:
    """Images must be floats within the generator's output range ``expected``; the sentence names the scaling."""
    images = np.asarray(keras.ops.convert_to_numpy(images))
    low, high = expected
    scaling = "x / 127.5 - 1 (uint8) or x * 2 - 1 (floats in [0, 1])" if low < 0 else "x / 255 (uint8)"
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"the images are {images.dtype} (values {images.min()} to {images.max()}), but the GAN "
                         f"trains on floats in [{low:g}, {high:g}], the generator's range: scale them with {scaling}")
    smallest, largest = float(np.min(images)), float(np.max(images))
    outside = smallest < low - RANGE_TOLERANCE or largest > high + RANGE_TOLERANCE
    if outside or (low < 0 and smallest >= 0):
        raise ValueError(f"the images lie in [{smallest:g}, {largest:g}], but the generator draws in [{low:g}, "
                         f"{high:g}]: scale them with {scaling}")


def generator_range(generator: keras.Model) -> tuple[float, float]:
    """The range of the generator's images: [0, 1] after a sigmoid, else [-1, 1] (tanh, the tutorials' choice)."""
    return (0.0, 1.0) if ends_in_sigmoid(generator) else (-1.0, 1.0)
