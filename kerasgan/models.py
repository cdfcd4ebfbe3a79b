"""The articles' public names, where the README and the tutorials import them from.

The networks live in :mod:`kerasgan.nets` (one registry, ``ARCHITECTURES``); the articles' combined model and
``initialize_model`` beside their loop in :mod:`kerasgan.training.parity`; optimizer settings in
:mod:`kerasgan.recipes`.
"""

from kerasgan.nets import *  # noqa: F401,F403
from kerasgan.nets import __all__ as _nets_all
from kerasgan.recipes import make_optimizer
from kerasgan.training.parity import build_combined, frozen, initialize_model

__all__ = [*_nets_all, "build_combined", "frozen", "initialize_model", "make_optimizer"]
