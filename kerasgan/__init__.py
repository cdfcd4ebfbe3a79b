"""kerasgan: the classic "GAN on MNIST" tutorials on Keras 3 (TensorFlow by default).

Data flows one way: data -> networks -> GAN model -> fit driver -> evaluation -> plotting.

- ``data_spec``: ``DataSpec``, the one description of a run's images (name, shape, class names, source,
  fingerprint) that everything below reads; ``data``: MNIST / Fashion-MNIST as numpy arrays from tfds, the keras
  cache or IDX files, balanced label subsets (``data_tensorflow``: the README's ``make_dataset``).
- ``nets``: every network, ``keras.layers``/``keras.ops`` only, and ONE registry (``nets.ARCHITECTURES``):
  ``nets.mlp`` (the articles' MLPs), ``nets.dcgan``, ``nets.conditional`` (conditional and AC-GAN nets),
  ``nets.sgan`` (weight-normalised semi-supervised nets), ``nets.classifier`` (the CNN article).
- ``losses``: the adversarial, auxiliary-classifier and semi-supervised losses in ``keras.ops``.
- ``gans``: the GAN model family, one base (noise, both optimizers, metrics) and ``GAN``, ``ConditionalGAN``,
  ``ClassAwareGAN``, ``SemiSupervisedGAN``, ``WassersteinGAN``; ``build_gan`` builds any registered GAN
  architecture, compiled. Each class answers for its family: the batches it trains on (``batch_format``), whether
  its G takes a label (``conditional``), its latents' distribution (``latent_distribution``, drawn with numpy
  by ``latents``) and its sample grid (``grid_inputs``); ``family_class`` gives a recorded architecture's class.
- ``training``: ``step_tensorflow``, ``step_jax``, ``step_torch`` (each backend's train step), ``driver`` (the one fit driver: checkpoints,
  resume, NaN guard, grids, TensorBoard, ``--strategy``), ``pipeline_tensorflow`` and ``numpy_pipeline``
  (resumable ``tf.data`` and numpy streams), ``callbacks``, ``checkpoint`` (crash-safe checkpoints, the safe ``.keras`` loader), ``distribute``
  (``tf.distribute`` strategies, JAX's ``keras.distribution``, a lost worker's message), ``parity`` (the articles' ``train_on_batch`` loop, ``build_combined``,
  ``initialize_model``); ``compiled`` keeps the fast loop's old import path.
- ``settings`` and ``run_folder``: a run's settings (``RunSettings``) and its folder (``RunFolder``), the two objects
  passed whole from the command line down to the driver.
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

Words, one per idea in code, options and docs:

- **step**: one update of both networks on one batch. The Keras articles call it an epoch, and their
  ``train(epochs=...)`` (``kerasgan.training.train``) keeps that argument, which counts steps.
- **epoch**: one pass over the training images (``--epochs``, a recipe's ``epochs``, the progress line).
- **chunk**: the steps of one Keras ``fit()`` epoch. The driver trains in chunks so that grids, checkpoints and
  progress run between them (``StepClock``, ``segments``).
- **fast loop** and **parity loop**: ``--loop fast`` (``GAN.fit()`` driven by ``training.driver``) and
  ``--loop parity`` (the articles' ``train_on_batch`` loop, ``training.parity``).
- **latent_dim**: the size of G's input noise ``z`` (keras.io's and Keras-GAN's name; a recipe's ``latent_dim``).
- **family**: the kind of GAN, one class of ``gans`` (its name in ``nets.ARCHITECTURES`` registers which one trains
  each architecture).
- **minibatch stddev**: the standard deviation of D's features over the batch, fed back to D as one more
  feature (``nets.mlp.MinibatchStddev``; ``mbstd`` in the architecture name ``keras-gan-mbstd``).
- **data description**: the ``DataSpec`` of a run's images, saved as ``config.json``'s ``data``.
- **recipe**: named model and data settings (``recipes``). **Settings**: a recipe plus one run's choices
  (``RunSettings``). **Run folder**: what one run writes (``RunFolder``).
"""

__version__ = "0.1.0"
