"""kerasgan: the classic "GAN on MNIST" tutorials on Keras 3 / TensorFlow.

Modules, in the order data flows: ``data`` -> ``models`` -> ``training`` (the articles' ``train`` loop and the
compiled ``GAN``) -> ``evaluation`` -> ``plotting``; ``recipes`` and ``run`` are what ``scripts/train.py`` calls.
"""

__version__ = "0.1.0"
