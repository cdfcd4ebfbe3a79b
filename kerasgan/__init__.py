"""kerasgan: the classic "GAN on MNIST" tutorials on Keras 3 (TensorFlow by default).

Data flows one way: data -> networks -> GAN model -> fit driver -> evaluation -> plotting.

- ``data``: MNIST / Fashion-MNIST as numpy arrays from tfds, the keras cache or IDX files; balanced label subsets.
- ``nets``: every network, ``keras.layers``/``keras.ops`` only, and ONE registry (``nets.ARCHITECTURES``):
  ``nets.mlp`` (the articles' MLPs), ``nets.dcgan``, ``nets.conditional`` (conditional and AC-GAN nets),
  ``nets.sgan`` (weight-normalised semi-supervised nets), ``nets.classifier`` (the CNN article).
- ``losses``: the adversarial, auxiliary-classifier and semi-supervised losses in ``keras.ops``.
- ``gans``: the GAN model family, one base (noise, both optimizers, metrics) and ``GAN``, ``ConditionalGAN``,
  ``ClassAwareGAN``, ``SemiSupervisedGAN``, ``WassersteinGAN``; ``build_gan`` builds any registered GAN
  architecture, compiled.
- ``training``: ``step_tensorflow`` (the backend's train step), ``driver`` (the one fit driver: checkpoints,
  resume, NaN guard, grids, TensorBoard, ``--strategy``), ``pipeline`` (resumable ``tf.data`` streams),
  ``callbacks``, ``checkpoint`` (crash-safe checkpoints, the safe ``.keras`` loader), ``distribute``
  (``tf.distribute`` strategies), ``parity`` (the articles' ``train_on_batch`` loop, ``build_combined``,
  ``initialize_model``); ``compiled`` keeps the fast path's old import path.
- ``recipes``: ONE table of named settings (GANs, the semi-supervised GAN, classifiers) and the optimizers.
- ``run``: one recipe trained into a run folder (what ``scripts/train.py`` calls).
- ``evaluation``: FD, KID, classifier score, coverage, precision/recall on a shipped evaluator.
- ``classify``: the CNN classifier article's training; ``semi_supervised``: the SGAN and synthetic-data studies.
- ``plotting``: ``sample_images``, sample grids, loss curves and CSV.
- ``sampling``: new images from a trained generator (grids, one class or one row per class, latent walks).
- ``cli`` and ``commands``: the ``kerasgan`` command (``train``, ``sample``, ``evaluate``, ``classify``), which
  ``scripts/*.py`` wrap; ``errors``: the exceptions that become one ``error:`` line.
- ``models``: the articles' public names where the tutorials import them.

Speed measurements live outside the package, in ``benchmarks/``.
"""

__version__ = "0.1.0"
