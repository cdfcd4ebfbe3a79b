"""Training: the articles' ``train_on_batch`` loop (``parity``) and the compiled fast loop beside it.

``from kerasgan.training import train, sample_images`` (the articles' names) imports the parity loop when first
asked for, so that importing one training module (a checkpoint, a train step) loads only what it needs.
"""

import importlib

__all__ = ["train", "sample_images"]
_HOMES = {"train": "kerasgan.training.parity", "sample_images": "kerasgan.plotting"}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'kerasgan.training' has no attribute '{name}'")
