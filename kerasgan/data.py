"""MNIST and Fashion-MNIST as the articles use them, from whichever offline copy the machine has.

Images come back as float32 ``(N, 28, 28, 1)`` scaled with ``x / 127.5 - 1`` (the generator's tanh
range) and labels as int64 ``(N,)``. Sources are tried in this order unless one is named:

1. ``tfds``:  tensorflow-datasets, already prepared (honours ``TFDS_DATA_DIR``);
2. ``keras``: the ``keras.datasets`` cache (honours ``KERAS_HOME``, else ``~/.keras``);
3. ``idx``:   a folder of the original IDX ``.gz`` files (``data_dir``).

On the JAX and PyTorch backends ``tfds`` is tried last (it needs TensorFlow, which they do without).

When none has the data, ``keras.datasets`` is asked to download it (not when ``KERASGAN_OFFLINE=1``);
if that fails too the user gets one sentence naming the three ways to supply it (:class:`DataNotFoundError`).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from kerasgan.data_spec import BUILT_IN, DataSpec
from kerasgan.errors import UserError

DATASETS = ("mnist", "fashion_mnist")
SPLITS = ("train", "test")
SOURCES = ("tfds", "keras", "idx")
CLASS_NAMES = {name: list(spec.class_names) for name, spec in BUILT_IN.items()}

_IDX_PREFIX = {"train": "train", "test": "t10k"}
_KERAS_SUBDIR = {"mnist": "datasets", "fashion_mnist": "datasets/fashion-mnist"}


class DataNotFoundError(UserError):
    """No source holds the dataset and it could not be downloaded."""


def load_data(
    dataset: str = "mnist",
    split: str = "train",
    source: str | None = None,
    data_dir: str | os.PathLike | None = None,
    allow_download: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(images, labels)``: images float32 in [-1, 1] shaped (N, 28, 28, 1), labels int64."""
    images, labels = load_raw(dataset, split, source, data_dir, allow_download)
    return scale_images(images), labels.astype(np.int64)


def scale_images(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) or (N, 28, 28, 1) to the articles' float32 (N, 28, 28, 1) in [-1, 1]."""
    images = np.asarray(images, dtype=np.float32).reshape(-1, *BUILT_IN["mnist"].image_shape)
    return images / 127.5 - 1.0


def load_raw(
    dataset: str = "mnist",
    split: str = "train",
    source: str | None = None,
    data_dir: str | os.PathLike | None = None,
    allow_download: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Return uint8 images (N, 28, 28) and labels (N,) from the first source that has them."""
    _check_choice("dataset", dataset, DATASETS)
    _check_choice("split", split, SPLITS)
    if source is None and data_dir is not None:
        source = "idx"
    sources = default_sources() if source is None else (_check_choice("source", source, SOURCES),)
    for name in sources:
        loaded = _LOADERS[name](dataset, split, data_dir)
        if loaded is not None:
            return loaded
    if source is None and allow_download and os.environ.get("KERASGAN_OFFLINE") != "1":
        loaded = _download_with_keras(dataset, split)
        if loaded is not None:
            return loaded
    raise DataNotFoundError(missing_data_message(dataset, source, data_dir))


def default_sources() -> tuple[str, ...]:
    """The sources in the order they are tried: ``SOURCES``, with ``tfds`` last unless Keras runs on TensorFlow."""
    import keras

    if keras.config.backend() == "tensorflow":
        return SOURCES
    return tuple(name for name in SOURCES if name != "tfds") + ("tfds",)


def missing_data_message(dataset: str, source: str | None = None, data_dir=None) -> str:
    """The one sentence a user sees when the data is nowhere to be found."""
    where = f" in the '{source}' source" if source else ""
    if data_dir is not None:
        where += f" (looked in {data_dir})"
    return (
        f"no copy of '{dataset}' found{where} and it could not be downloaded: set TFDS_DATA_DIR to a "
        f"prepared tensorflow_datasets folder, set KERAS_HOME to a folder holding the keras.datasets "
        f"cache, or pass --data-dir with the original IDX .gz files"
    )


def _check_choice(kind: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise UserError(f"unknown {kind} '{value}' (choose from: {', '.join(allowed)})")
    return value


def _from_tfds(dataset: str, split: str, data_dir=None):
    tfds_dir = os.environ.get("TFDS_DATA_DIR") or Path.home() / "tensorflow_datasets"
    if not Path(tfds_dir, dataset).is_dir():
        return None
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        return None

    builder = tfds.builder(dataset, data_dir=tfds_dir)
    if not builder.is_prepared():
        return None
    arrays = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1, as_supervised=True))
    images, labels = arrays
    return images.reshape(-1, 28, 28).astype(np.uint8), labels.astype(np.int64)


def _keras_cache_dir(dataset: str) -> Path:
    keras_home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(keras_home) / _KERAS_SUBDIR[dataset]


def _from_keras_cache(dataset: str, split: str, data_dir=None):
    folder = _keras_cache_dir(dataset)
    if dataset == "mnist":
        npz_path = folder / "mnist.npz"
        if not npz_path.is_file():
            return None
        with np.load(npz_path) as npz:
            return npz[f"x_{split}"], npz[f"y_{split}"].astype(np.int64)
    return _from_idx_folder(dataset, split, folder)


def _from_idx_folder(dataset: str, split: str, data_dir=None):
    if data_dir is None:
        return None
    folder = Path(data_dir)
    prefix = _IDX_PREFIX[split]
    images_path = _find_idx_file(folder, f"{prefix}-images-idx3-ubyte")
    labels_path = _find_idx_file(folder, f"{prefix}-labels-idx1-ubyte")
    if images_path is None or labels_path is None:
        return None
    return read_idx(images_path), read_idx(labels_path).astype(np.int64)


def _find_idx_file(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.is_file():
            return candidate
    return None


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not): the format LeCun's MNIST files are stored in."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        content = handle.read()
    if len(content) < 4 or content[0] != 0 or content[1] != 0 or content[2] != 0x08:
        raise UserError(f"{path} is not an unsigned-byte IDX file")
    ndim = content[3]
    header_end = 4 + 4 * ndim
    shape = tuple(int.from_bytes(content[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(content, dtype=np.uint8, offset=header_end)
    if data.size != int(np.prod(shape)):
        raise UserError(f"{path} is truncated: expected {int(np.prod(shape))} values, found {data.size}")
    return data.reshape(shape)


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write a uint8 array as a gzip-compressed IDX file (used to make small test fixtures)."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.tobytes())


def _download_with_keras(dataset: str, split: str):
    import keras

    loader = getattr(keras.datasets, dataset)
    try:
        (x_train, y_train), (x_test, y_test) = loader.load_data()
    except Exception:
        return None
    return (x_train, y_train.astype(np.int64)) if split == "train" else (x_test, y_test.astype(np.int64))


def load_training_data(settings) -> tuple[np.ndarray, np.ndarray | None, DataSpec, list[str]]:
    """A run's training images in [-1, 1], their labels, their description and what reading them said: the
    folder ``settings.data_folder`` (:mod:`kerasgan.image_folder`), else the recipe's built-in data set."""
    if settings.data_folder is None:
        images, labels = load_data(settings.recipe.dataset, "train", data_dir=settings.data_dir)
        return images, labels, describe_arrays(settings.recipe.dataset, images), []
    from kerasgan.image_folder import load_folder

    loaded = load_folder(settings.data_folder, settings.image_size, settings.channels, settings.background,
                         min_images=settings.recipe.batch_size)
    images = np.asarray(loaded.images, dtype=np.float32) / 127.5 - 1.0
    return images, loaded.labels, loaded.spec, loaded.notes


def describe_arrays(dataset: str, images: np.ndarray) -> DataSpec:
    """The description of images already in memory, named ``dataset`` (a built-in data set's class names)."""
    built_in = BUILT_IN.get(dataset)
    return DataSpec(dataset, images.shape[1:], built_in.class_names if built_in else None,
                    built_in.source if built_in else "arrays")


def balanced_subset(labels: np.ndarray, n: int, seed: int = 0, num_classes: int = 10) -> np.ndarray:
    """Sorted indices of ``n`` labelled examples, ``n // num_classes`` of each class, chosen with ``seed``.

    ``n`` equal to (or above) the number of labels returns every index.
    """
    labels = np.asarray(labels)
    if n >= len(labels):
        return np.arange(len(labels))
    if n % num_classes:
        raise UserError(f"{n} labels cannot be split evenly between the {num_classes} classes "
                        f"(use a multiple of {num_classes})")
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(labels == label), n // num_classes, replace=False)
              for label in range(num_classes)]
    return np.sort(np.concatenate(chosen))


_LOADERS = {"tfds": _from_tfds, "keras": _from_keras_cache, "idx": _from_idx_folder}


def __getattr__(name: str):
    """``kerasgan.data.make_dataset`` (the README's import) is ``tf.data``: imported on first use, from
    :mod:`kerasgan.data_tensorflow`, so that loading data needs no TensorFlow."""
    if name == "make_dataset":
        from kerasgan.data_tensorflow import make_dataset

        return make_dataset
    raise AttributeError(f"module 'kerasgan.data' has no attribute '{name}'")
