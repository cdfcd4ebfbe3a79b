"""Training: the articles' ``train_on_batch`` loop (``parity``) and the compiled fast path beside it."""

from kerasgan.plotting import sample_images
from kerasgan.training.parity import train

__all__ = ["train", "sample_images"]
