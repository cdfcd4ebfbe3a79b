"""Where the features that score a run on any data set come from, and the real images' statistics in them.

The metrics of :mod:`kerasgan.evaluation` need a feature model: images in [-1, 1] shaped like the data in,
features out (and class probabilities, for the class-based numbers). The shipped evaluators know MNIST and
Fashion-MNIST only; for the user's own images (a folder, an ``.npz``/``.npy`` file, a prepared tfds set: whatever
:func:`kerasgan.data.load_training_data` reads) the features come from one of three places:

- a *class evaluator*: ``kerasgan train-evaluator --data DIR`` on a folder with classes trains the three-block
  classifier of :mod:`kerasgan.nets` on 90 % of the images, measures its accuracy on the other 10 %, calibrates
  its probabilities by temperature there (as the shipped evaluators are) and keeps it in the cache;
- a *rotation evaluator*: on an unlabelled folder the same command trains that classifier to tell whether an
  image was turned by 0, 90, 180 or 270 degrees (self-supervised: Gidaris et al. 2018). Telling which way is up
  needs features that know what the images show; its probabilities are about turns, so no class-based numbers;
- the user's own model (``kerasgan evaluate RUN --features FILE.keras``, e.g. an ImageNet InceptionV3 for the
  standard FID): the images are resized to its input size, their channels converted (grey to RGB, ...) and
  scaled to the range it expects; its output, flattened, is the features.

An evaluator is kept as ``evaluators/<data key>.keras`` (a model with two outputs, features and calibrated
probabilities, loaded only through :func:`~kerasgan.training.checkpoint.load_keras_model`) and ``<data
key>.json`` (what it is, written last) beside the decoded folders (:func:`kerasgan.image_folder.cache_root`).
The data key is the data's fingerprint with the decoded image shape and background: the images the evaluator
saw are the ones the run trained on. The features of the real images (with their mean and covariance) and the
real-vs-real floors are kept per data key and feature model in ``reference/<data key>-<model key>.npz``, so a
second evaluation neither decodes nor runs the real images again.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from kerasgan.data_spec import DataSpec
from kerasgan.errors import UserError

HELD_OUT_SHARE = 0.1  # of the images, never trained on: the evaluator's accuracy is measured on them
MIN_IMAGES = 10  # two halves of at least 5 for the real-vs-real floor (k-NN metrics need k + 2 images)
MIN_CALIBRATION_IMAGES = 50  # fewer held-out predictions leave the temperature at 1
REFERENCE_N = 10000  # real images the generated ones are compared with (all of them when fewer)
MAX_FEATURES = 4096  # a wider output is a feature map, not a feature vector (its covariance would not fit)
ROTATIONS = 4  # quarter turns: 0, 90, 180, 270 degrees
CLASSES, ROTATION, FILE = "classes", "rotation", "file"  # the kinds of feature model
DEFAULT_EPOCHS = {CLASSES: 10, ROTATION: 3}  # a rotation epoch shows every image four times
# The value range a --features model expects, by name: InceptionV3's preprocess_input gives [-1, 1].
FEATURE_SCALES = {"tanh": (-1.0, 1.0), "unit": (0.0, 1.0), "pixel": (0.0, 255.0)}
GREY_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601 luma, as PIL's convert("L")


@dataclass
class FeatureModel:
    """A source of features: ``model`` maps a batch of images in [-1, 1], shaped like the data, to the features
    (and, for a class evaluator, the class probabilities). ``key`` names it in the reference cache."""

    description: str
    kind: str
    key: str
    model: Callable
    class_names: tuple[str, ...] | None = None

    def outputs(self, images: np.ndarray, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray | None]:
        """Features ``(N, D)`` of validated images, and class probabilities ``(N, K)`` for a class evaluator."""
        from kerasgan.evaluation import batched_outputs

        outputs = batched_outputs(self.model, images, batch_size)
        features = outputs[0].reshape(len(images), -1)
        return features, outputs[1] if self.kind == CLASSES else None


@dataclass
class Reference:
    """The real images as the metrics see them: their features and the real-vs-real floors, from ``path``."""

    features: np.ndarray
    floors: dict
    path: Path


def cache_folder(name: str) -> Path:
    """A folder of the kerasgan cache (``$KERASGAN_CACHE``, else ``~/.cache/kerasgan``), beside ``folders/``."""
    from kerasgan.image_folder import cache_root

    return cache_root().parent / name


def data_key(spec: DataSpec, background: str | None = None) -> str:
    """What identifies a data set's images: the folder fingerprint (or the built-in name), the decoded shape and,
    for a folder, the background transparent pixels were laid on."""
    key = f"{spec.fingerprint or spec.name}-{'x'.join(map(str, spec.image_shape))}"
    return f"{key}-{background}" if spec.fingerprint and background else key


def evaluator_file(spec: DataSpec, background: str = "white") -> Path:
    """Where the evaluator trained on these images is kept (``evaluators/<data key>.keras``)."""
    return cache_folder("evaluators") / f"{data_key(spec, background)}.keras"


def file_digest(path: Path) -> str:
    """The first 16 hex digits of a file's SHA-256: a retrained evaluator or another model gets another key."""
    from kerasgan.evaluation import file_sha256

    return file_sha256(path)[:16]


def own_data(settings) -> bool:
    """Whether a run trained on the user's images (a folder, an array file, a tfds set), not MNIST or Fashion."""
    return settings.data_folder is not None or (settings.data is not None and settings.data.source != "built-in")


def data_option(settings) -> str:
    """Where a run's images come from, as the command line says it: ``--data PATH`` or ``--dataset tfds:NAME``."""
    return f"--data {settings.data_folder}" if settings.data_folder is not None else \
        f"--dataset {settings.recipe.dataset}"


def train_evaluator_command(settings) -> str:
    """The exact ``kerasgan train-evaluator`` line that reads a run's images as the run read them."""
    command = f"kerasgan train-evaluator {data_option(settings)}"
    if settings.data is not None:
        command += f" --image-size {settings.data.image_shape[0]}"
    if settings.channels is not None:
        command += f" --channels {settings.channels}"
    if settings.background != "white":
        command += f" --background {settings.background}"
    return command


# --- training an evaluator -------------------------------------------------------------------------------------

def evaluator_recipe(epochs: int = 10, batch_size: int = 64):
    """How an evaluator is trained: Adam 2e-3 with cosine decay, dropout 0.5, no augmentation (kept short)."""
    from kerasgan.recipes import ClassifierRecipe

    return ClassifierRecipe("folder-evaluator", architecture="three-block", epochs=epochs, batch_size=batch_size,
                            learning_rate=2e-3, cosine_decay=True, validation_fraction=HELD_OUT_SHARE)


def build_evaluator_net(image_shape: tuple, num_classes: int):
    """The three-block classifier (32/64/128 filters) for images of at least 8 x 8, the article's two blocks for
    smaller ones: Dense 128 ``features``, then ``num_classes`` logits."""
    from kerasgan.nets.classifier import build_classifier, build_three_block_classifier

    side = min(image_shape[:2])
    if side >= 8:
        return build_three_block_classifier(image_shape, num_classes)
    if side >= 4:
        return build_classifier(image_shape, num_classes)
    raise UserError(f"images of {side}x{side} pixels are too small for an evaluator (at least 4x4)")


def balanced_class_weights(labels: np.ndarray, num_classes: int) -> dict[int, float]:
    """Loss weights inversely proportional to each class's count (mean 1 per image): without them an evaluator
    of unbalanced classes learns to seldom name the small ones, and the coverage of real images falls short."""
    counts = np.bincount(labels, minlength=num_classes)
    return {label: float(len(labels) / (num_classes * count)) if count else 0.0
            for label, count in enumerate(counts)}


def rotation_task(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every image turned by 0, 90, 180 and 270 degrees, labelled 0-3: the rotation evaluator's training data."""
    turned = np.concatenate([np.rot90(images, turns, axes=(1, 2)) for turns in range(ROTATIONS)])
    return turned, np.repeat(np.arange(ROTATIONS, dtype=np.int64), len(images))


def split_held_out(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded ``(train, held_out)`` indices: ``HELD_OUT_SHARE`` of ``count`` (at least one) held out."""
    order = np.random.default_rng(seed).permutation(count)
    held_out = max(1, int(round(count * HELD_OUT_SHARE)))
    return np.sort(order[held_out:]), np.sort(order[:held_out])


def train_evaluator(images: np.ndarray, labels: np.ndarray | None, spec: DataSpec, background: str = "white",
                    epochs: int | None = None, seed: int = 0, batch_size: int = 64, verbose: int = 2) -> dict:
    """Train the evaluator of ``images`` in [-1, 1] (a class one with ``labels``, else a rotation one) for ``epochs``
    (default: :data:`DEFAULT_EPOCHS` of its kind), calibrate it, save it as :func:`evaluator_file` with its
    record beside it; returns the record.

    The record says what it is (``kind``), its held-out ``accuracy`` (beside ``largest_class_share``, what always
    naming the largest class would score, and ``balanced_accuracy``, the mean of the per-class accuracies), the
    calibration ``temperature``, the training length and time, and where it lies (``path``)."""
    import keras

    from kerasgan.classify import compile_for_recipe
    from kerasgan.data import model_range
    from kerasgan.evaluation import fit_temperature

    if len(images) < MIN_IMAGES:
        raise UserError(f"{spec.name} holds {len(images)} images: an evaluator needs at least {MIN_IMAGES}")
    kind = CLASSES if labels is not None else ROTATION
    epochs = epochs or DEFAULT_EPOCHS[kind]
    scaled = model_range(images)
    train_index, held_index = split_held_out(len(scaled), seed)
    if kind == CLASSES:
        (x_train, y_train), (x_held, y_held) = (scaled[train_index], labels[train_index]), \
            (scaled[held_index], labels[held_index])
        num_classes = spec.num_classes
    else:
        (x_train, y_train), (x_held, y_held) = rotation_task(scaled[train_index]), rotation_task(scaled[held_index])
        num_classes = ROTATIONS
    keras.utils.set_random_seed(seed)
    recipe = evaluator_recipe(epochs, batch_size)
    classifier = build_evaluator_net(spec.image_shape, num_classes)
    compile_for_recipe(classifier, recipe, -(-len(x_train) // batch_size))
    started = time.perf_counter()
    classifier.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=verbose,
                   class_weight=balanced_class_weights(y_train, num_classes))
    wall_time_s = time.perf_counter() - started
    logits = classifier.predict(x_held, batch_size=500, verbose=0)
    predicted = np.argmax(logits, axis=1)
    accuracy = float(np.mean(predicted == y_held))
    per_class = [float(np.mean(predicted[y_held == label] == label)) for label in np.unique(y_held)]
    temperature = fit_temperature(logits, y_held) if len(y_held) >= MIN_CALIBRATION_IMAGES else 1.0
    path = evaluator_file(spec, background)
    record = {
        "kind": kind, "class_names": list(spec.class_names) if kind == CLASSES else None,
        "accuracy": accuracy, "largest_class_share": float(np.max(np.bincount(y_held)) / len(y_held)),
        "balanced_accuracy": float(np.mean(per_class)),
        "held_out": len(y_held), "trained_on": len(y_train), "temperature": temperature, "epochs": epochs,
        "seed": seed, "train_wall_time_s": round(wall_time_s, 1), "data": spec.to_dict(), "background": background,
        "path": str(path),
    }
    save_evaluator(calibrated(classifier, temperature), record, path)
    return record


def calibrated(classifier, temperature: float):
    """The classifier as an evaluator: images in, ``[features, softmax(logits / temperature)]`` out."""
    import keras

    logits = keras.layers.Rescaling(1.0 / temperature, name="calibration")(classifier.output)
    probabilities = keras.layers.Softmax(name="probabilities")(logits)
    return keras.Model(classifier.input, [classifier.get_layer("features").output, probabilities], name="evaluator")


def save_evaluator(evaluator, record: dict, path: Path) -> None:
    """Write the model, then its record (``.json``, last: an evaluator whose writing was cut is never read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".json").unlink(missing_ok=True)
    temporary = path.with_name(f".{path.stem}.tmp.keras")
    evaluator.save(temporary)
    os.replace(temporary, path)
    path.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")


# --- opening a feature model -----------------------------------------------------------------------------------

def cached_evaluator(spec: DataSpec, background: str = "white") -> FeatureModel | None:
    """The evaluator ``train-evaluator`` left for these images, or ``None`` when there is none yet."""
    from kerasgan.training.checkpoint import load_keras_model

    path = evaluator_file(spec, background)
    record_path = path.with_suffix(".json")
    if not (record_path.is_file() and path.is_file()):
        return None
    try:
        record = json.loads(record_path.read_text())
        kind = record["kind"]
    except (ValueError, KeyError, OSError):
        return None
    what = f"{len(record['class_names'])}-class evaluator" if kind == CLASSES else "rotation evaluator"
    return FeatureModel(f"{what}, held-out accuracy {record.get('accuracy', float('nan')):.3f}", kind,
                        file_digest(path), load_keras_model(path),
                        tuple(record["class_names"]) if kind == CLASSES else None)


def file_feature_model(path: Path, scale: str = "tanh", background: str = "white") -> FeatureModel:
    """The user's ``.keras`` model as a feature model (see :class:`FileFeatures`), loaded safely."""
    from kerasgan.training.checkpoint import load_keras_model

    if scale not in FEATURE_SCALES:
        raise UserError(f"unknown feature scale '{scale}' (choose from: {', '.join(FEATURE_SCALES)})")
    model = FileFeatures(load_keras_model(path), path, FEATURE_SCALES[scale], background)
    size = "x".join(map(str, (*model.size, model.channels))) if model.size else f"any size x {model.channels}"
    return FeatureModel(f"{path.name} (input {size}, {scale} scale)", FILE,
                        f"{file_digest(path)}-{scale}", model)


class FileFeatures:
    """The user's model behind what it expects: images resized (bilinear) to its input size, their channels
    converted (:func:`convert_channels`), scaled from [-1, 1] to ``value_range``; its first output, flattened."""

    def __init__(self, model, path: Path, value_range: tuple[float, float] = (-1.0, 1.0), background: str = "white"):
        shape = model.input_shape
        if isinstance(shape, list) or len(shape) != 4 or shape[-1] not in (1, 3, 4):
            raise UserError(f"--features {path} takes inputs of shape {shape}: kerasgan needs one image input "
                            f"(N, height, width, channels) with 1, 3 or 4 channels")
        self.model, self.path, self.value_range, self.background = model, path, value_range, background
        self.size = None if None in shape[1:3] else tuple(shape[1:3])
        self.channels = shape[-1]

    def __call__(self, images: np.ndarray, training: bool = False):
        from keras import ops

        images = convert_channels(np.asarray(images, dtype=np.float32), self.channels, self.background)
        if self.size is not None and images.shape[1:3] != self.size:
            images = ops.image.resize(images, self.size, interpolation="bilinear")
        low, high = self.value_range
        try:
            outputs = self.model((images + 1.0) * ((high - low) / 2.0) + low, training=False)
        except Exception as error:  # e.g. images smaller than a model of free input size can take
            raise UserError(f"--features {self.path} cannot take images of {tuple(images.shape[1:])} "
                            f"({error.__class__.__name__}): save it with a fixed input size, e.g. "
                            f"input_shape=(299, 299, 3), and the images are resized to it") from None
        outputs = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
        features = ops.reshape(outputs, (ops.shape(outputs)[0], -1))
        if features.shape[-1] > MAX_FEATURES:
            raise UserError(f"--features {self.path} gives {features.shape[-1]:,} values per image, more than "
                            f"{MAX_FEATURES:,}: end the model in a feature vector (e.g. pooling='avg')")
        return features


def convert_channels(images: np.ndarray, channels: int, background: str = "white") -> np.ndarray:
    """Images in [-1, 1] with 1, 3 or 4 channels as ``channels`` channels: grey repeated to RGB, RGB to grey by
    luma, alpha laid on ``background`` (or, going to 4, opaque alpha added)."""
    have = images.shape[-1]
    if have == channels:
        return images
    if have == 4:
        alpha = (images[..., 3:] + 1.0) / 2.0
        images = images[..., :3] * alpha + (1.0 if background == "white" else -1.0) * (1.0 - alpha)
        have = 3
    if have == 3 and channels == 1:
        return images @ GREY_WEIGHTS[:, None]
    if have == 1 and channels in (3, 4):
        images = np.repeat(images, 3, axis=-1)
    if channels == 4:
        return np.concatenate([images, np.ones_like(images[..., :1])], axis=-1)
    return images


# --- the real images' reference --------------------------------------------------------------------------------

def reference_statistics(feature_model: FeatureModel, key: str, real_images: Callable[[], np.ndarray],
                         n: int = REFERENCE_N, seed: int = 0, batch_size: int = 500) -> Reference:
    """The features of ``n`` real images (all when fewer; seeded choice) and the real-vs-real floors, read from
    the cache, or computed (``real_images()`` is called only then) and cached with the features' mean and
    covariance. The floors score one seeded half of them against the other, as a generator is scored."""
    path = cache_folder("reference") / f"{key}-{feature_model.key}-{n}-{seed}.npz"
    cached = read_reference(path)
    if cached is not None:
        return cached
    from kerasgan.data import model_range
    from kerasgan.evaluation import feature_metrics, validate_images

    images = real_images()
    if len(images) < MIN_IMAGES:
        raise UserError(f"the real images number {len(images)}: scores need at least {MIN_IMAGES}")
    rng = np.random.default_rng(seed)
    if len(images) > n:
        images = images[np.sort(rng.choice(len(images), n, replace=False))]
    images = model_range(images)
    try:
        features, probabilities = feature_model.outputs(validate_images(images, images.shape[1:]), batch_size)
    except ValueError as error:
        raise UserError(f"the real images: {error}") from None
    order = rng.permutation(len(features))
    first, second = np.sort(order[: len(order) // 2]), np.sort(order[len(order) // 2:])
    floors = {"n": len(second), **feature_metrics(
        features[first], features[second], None if probabilities is None else probabilities[second], seed)}
    write_reference(path, features, floors)
    return Reference(features, floors, path)


def write_reference(path: Path, features: np.ndarray, floors: dict) -> None:
    """Save the reference features, their mean and covariance and the floors (JSON); written then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # two processes may write it at once
    with open(temporary, "wb") as handle:
        np.savez(handle, features=features, mean=features.mean(axis=0), cov=np.cov(features, rowvar=False),
                 floors=np.asarray(json.dumps(floors)))
    os.replace(temporary, path)


def read_reference(path: Path) -> Reference | None:
    """The reference :func:`write_reference` saved, or ``None`` when it is missing or unreadable."""
    import zipfile

    try:
        with np.load(path, allow_pickle=False) as saved:
            return Reference(saved["features"], json.loads(str(saved["floors"])), path)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


# --- scoring ---------------------------------------------------------------------------------------------------

def score_images(images: np.ndarray, spec: DataSpec, feature_model: FeatureModel, reference: Reference,
                 seed: int = 0, batch_size: int = 500) -> dict:
    """The metrics of generated images in [-1, 1] against the real reference, the floors alongside; the
    class-based numbers only when the feature model is a class evaluator."""
    return score_outputs(*image_outputs(images, spec, feature_model, batch_size), spec, feature_model, reference,
                         seed)


def image_outputs(images: np.ndarray, spec: DataSpec, feature_model: FeatureModel,
                  batch_size: int = 500) -> tuple[np.ndarray, np.ndarray | None]:
    """The feature model's outputs on images checked to be shaped like ``spec``'s, in [-1, 1]."""
    from kerasgan.evaluation import validate_images

    try:
        return feature_model.outputs(validate_images(images, spec.image_shape), batch_size)
    except ValueError as error:
        raise UserError(str(error)) from None


def score_outputs(features: np.ndarray, probabilities: np.ndarray | None, spec: DataSpec,
                  feature_model: FeatureModel, reference: Reference, seed: int = 0) -> dict:
    """:func:`score_images` from the feature model's outputs."""
    from kerasgan.evaluation import feature_metrics

    results = {"dataset": spec.name, "n": len(features), "seed": seed, "features": feature_model.description,
               "reference_n": len(reference.features),
               **feature_metrics(reference.features, features, probabilities, seed)}
    if probabilities is not None:
        results["num_classes"] = probabilities.shape[1]
    results["floors"] = reference.floors
    return results


def score_generator(generator, family, spec: DataSpec, feature_model: FeatureModel, reference: Reference,
                    n: int = 10000, seed: int = 0, batch_size: int = 500) -> dict:
    """Sample ``n`` images from a generator of a GAN ``family`` and score them with :func:`score_images`; a
    conditional generator is asked for every class equally often and, with a class evaluator, its
    ``label_accuracy`` (how often the evaluator reads the class asked for) is added."""
    from kerasgan.evaluation import generate_images, generate_labelled

    if not family.conditional:
        images = generate_images(generator, n, seed, batch_size, family)
        return score_images(images, spec, feature_model, reference, seed, batch_size)
    images, labels = generate_labelled(generator, n, seed, spec.num_classes, batch_size)
    features, probabilities = image_outputs(images, spec, feature_model, batch_size)
    results = score_outputs(features, probabilities, spec, feature_model, reference, seed)
    if probabilities is not None:
        predicted = np.argmax(probabilities, axis=1)
        results["label_accuracy"] = float(np.mean(predicted == labels))
        results["per_class_accuracy"] = [float(np.mean(predicted[labels == label] == label))
                                         for label in range(spec.num_classes)]
    return results


def run_feature_model(settings, features: Path | None = None, scale: str = "tanh") -> FeatureModel:
    """The feature model of a run on the user's images: the ``features`` file when given, else the cached evaluator
    of its images; none yet is a one-line error naming the ``train-evaluator`` command to run first."""
    if features is not None:
        return file_feature_model(features, scale, settings.background)
    found = cached_evaluator(settings.data, settings.background) if settings.data is not None else None
    if found is None:
        raise UserError(f"no evaluator for the images of {data_option(settings)} yet: run "
                        f"`{train_evaluator_command(settings)}` first (or pass --features FILE.keras)")
    return found


def has_evaluator(settings) -> bool:
    """Whether ``train-evaluator`` left an evaluator for a run's images (the end of a run then scores it)."""
    if settings.data is None:
        return False
    path = evaluator_file(settings.data, settings.background)
    return path.is_file() and path.with_suffix(".json").is_file()


def run_images(settings) -> np.ndarray:
    """A run's real images, read as the run read them (uint8, or float32 in [-1, 1] for a built-in set); images that
    changed since are refused (the scores would compare with other images)."""
    from kerasgan.data import load_training_data

    try:
        images, _, spec, _ = load_training_data(settings)
    except UserError as error:
        raise UserError(f"the run's images cannot be read: {error}") from None
    recorded = settings.data.fingerprint if settings.data is not None else ""
    if recorded and spec.fingerprint != recorded:
        raise UserError(f"the images of {data_option(settings)} changed since the run (fingerprint {recorded}, now "
                        f"{spec.fingerprint}): its scores would compare with other images")
    return images


def score_folder_run(generator, settings, n: int = 10000, seed: int = 0, batch_size: int = 500,
                     features: Path | None = None, scale: str = "tanh") -> dict:
    """Score a generator trained on the user's images (a folder, an array file, a tfds set; ``settings`` are the
    run's) through :func:`run_feature_model`'s features against the run's real images."""
    from kerasgan.gans import family_class

    feature_model = run_feature_model(settings, features, scale)
    reference = reference_statistics(feature_model, data_key(settings.data, settings.background),
                                     lambda: run_images(settings), batch_size=batch_size)
    return score_generator(generator, family_class(settings.recipe.architecture), settings.data, feature_model,
                           reference, n, seed, batch_size)


def score_built_in(generator, family, spec: DataSpec, features: Path, scale: str = "tanh", n: int = 10000,
                   seed: int = 0, batch_size: int = 500) -> dict:
    """Score a generator trained on MNIST or Fashion-MNIST through the user's ``features`` model, against
    :data:`REFERENCE_N` real train images (the shipped evaluator's path is :mod:`kerasgan.evaluation`)."""
    from kerasgan.data import load_data

    feature_model = file_feature_model(features, scale)
    reference = reference_statistics(feature_model, data_key(spec), lambda: load_data(spec.name, "train")[0],
                                     batch_size=batch_size)
    return score_generator(generator, family, spec, feature_model, reference, n, seed, batch_size)
