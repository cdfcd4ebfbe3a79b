"""MNIST and Fashion-MNIST as the articles use them, from whichever offline copy the machine has.

Images come back as float32 ``(N, 28, 28, 1)`` scaled with ``x / 127.5 - 1`` (the generator's tanh
range) and labels as int64 ``(N,)``. Sources are tried in this order unless one is named:

1. ``tfds``:  tensorflow-datasets, already prepared (honours ``TFDS_DATA_DIR``);
2. ``keras``: the ``keras.datasets`` cache (honours ``KERAS_HOME``, else ``~/.keras``);
3. ``idx``:   a folder of the original IDX ``.gz`` files (``data_dir``).

On the JAX and PyTorch backends ``tfds`` is tried last (it needs TensorFlow, which they do without).

When none has the data, ``keras.datasets`` is asked to download it (not when ``KERASGAN_OFFLINE=1``);
if that fails too the user gets one sentence naming the three ways to supply it (:class:`DataNotFoundError`).

A run may train on other images instead (:func:`load_training_data`): a folder (:mod:`kerasgan.image_folder`),
an ``.npz``/``.npy`` file of uint8 arrays (:func:`load_array_file`) or any data set already prepared under
``TFDS_DATA_DIR`` (``tfds:NAME``, :func:`load_tfds`; never downloaded). Each comes with its :class:`DataSpec`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kerasgan.data_spec import BUILT_IN, DataSpec
from kerasgan.errors import UserError

if TYPE_CHECKING:
    from kerasgan.image_folder import FolderImages

DATASETS = ("mnist", "fashion_mnist")
SPLITS = ("train", "test")
SOURCES = ("tfds", "keras", "idx")
CLASS_NAMES = {name: list(spec.class_names) for name, spec in BUILT_IN.items()}
TFDS_PREFIX = "tfds:"  # --dataset tfds:NAME: a data set prepared under TFDS_DATA_DIR
ARRAY_SUFFIXES = (".npz", ".npy")  # --data FILE: uint8 arrays
ARRAY_KEYS = {"images": ("images", "x"), "labels": ("labels", "y"), "class_names": ("class_names",)}

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
    return model_range(np.asarray(images, dtype=np.uint8).reshape(-1, *BUILT_IN["mnist"].image_shape))


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
    """A run's training images, their labels, their description and what reading them said: the folder or
    ``.npz``/``.npy`` file ``settings.data_folder`` (:mod:`kerasgan.image_folder`, :func:`load_array_file`), a
    prepared tfds set (the recipe's dataset ``tfds:NAME``, :func:`load_tfds`), else the recipe's built-in data set.
    The folder, file and tfds images are all cropped, resized and converted the same way, and stay uint8 (a
    folder's memory-mapped from the cache), each batch brought to [-1, 1] by :func:`model_range` as it is drawn;
    the built-in sets come as float32 in [-1, 1]."""
    dataset = settings.recipe.dataset
    if settings.data_folder is None and not is_tfds(dataset):
        images, labels = load_data(dataset, "train", data_dir=settings.data_dir)
        return images, labels, describe_arrays(dataset, images), []
    from kerasgan.image_folder import load_folder

    options = dict(image_size=settings.recipe.image_size, channels=settings.channels, background=settings.background,
                   min_images=settings.recipe.batch_size)
    if settings.data_folder is None:
        loaded = load_tfds(dataset[len(TFDS_PREFIX):], **options)
    elif is_array_file(settings.data_folder):
        loaded = load_array_file(settings.data_folder, **options)
    else:
        loaded = load_folder(settings.data_folder, **options)
    notes = loaded.notes if settings.data_folder is not None else []  # the command prints them after the path
    return loaded.images, loaded.labels, loaded.spec, notes


def model_range(images: np.ndarray) -> np.ndarray:
    """uint8 images (0-255) as the nets' float32 in [-1, 1], ``x / 127.5 - 1``; float images are already there."""
    images = np.asarray(images)
    return images.astype(np.float32) / 127.5 - 1.0 if images.dtype == np.uint8 else images


def describe_arrays(dataset: str, images: np.ndarray) -> DataSpec:
    """The description of images already in memory, named ``dataset`` (a built-in data set's class names)."""
    built_in = BUILT_IN.get(dataset)
    return DataSpec(dataset, images.shape[1:], built_in.class_names if built_in else None,
                    built_in.source if built_in else "arrays")


def is_tfds(dataset: str | None) -> bool:
    """Whether a dataset name is ``tfds:NAME`` (a set prepared under ``TFDS_DATA_DIR``)."""
    return bool(dataset) and dataset.startswith(TFDS_PREFIX) and len(dataset) > len(TFDS_PREFIX)


def is_array_file(path: str | os.PathLike) -> bool:
    """Whether ``--data`` names an ``.npz``/``.npy`` file (not a folder of images)."""
    return Path(path).suffix.lower() in ARRAY_SUFFIXES and not Path(path).is_dir()


def tfds_data_dir() -> Path:
    """Where prepared tfds sets are looked for: ``$TFDS_DATA_DIR``, else ``~/tensorflow_datasets``."""
    return Path(os.environ.get("TFDS_DATA_DIR") or Path.home() / "tensorflow_datasets")


def prepared_tfds(data_dir: Path) -> list[str]:
    """The names (``name`` or ``name/config``) of the sets prepared under ``data_dir``."""
    found = {str(info.parent.parent.relative_to(data_dir)) for pattern in ("*/*/dataset_info.json",
                                                                            "*/*/*/dataset_info.json")
             for info in data_dir.glob(pattern)}
    return sorted(found)


def prepared_tfds_folder(name: str, data_dir: Path) -> Path:
    """The prepared folder of ``NAME[/CONFIG][:VERSION]`` (the newest version unless one is named), or a one-line
    refusal saying where it looked and what is prepared there."""
    base, _, version = name.partition(":")
    folder = data_dir / base
    versions = sorted((path for path in folder.glob("*") if (path / "dataset_info.json").is_file()
                       and (not version or path.name == version)),
                      key=lambda path: tuple(int(part) if part.isdigit() else 0 for part in path.name.split(".")))
    if not versions:
        prepared = prepared_tfds(data_dir) if data_dir.is_dir() else []
        raise UserError(f"--dataset tfds:{name} is not prepared under {data_dir} (looked in {folder}"
                        f"{'/' + version if version else ''}; kerasgan never downloads: prepare it with "
                        f"tensorflow_datasets and set TFDS_DATA_DIR; prepared there: {', '.join(prepared) or 'none'})")
    return versions[-1]


def tfds_fingerprint(folder: Path) -> str:
    """A short hash of a prepared tfds version folder: its path below the data dir, each file's name and size,
    and ``dataset_info.json``'s content (which names the version and the split sizes)."""
    digest = hashlib.sha256("/".join(folder.parts[-3:]).encode())
    for path in sorted(folder.iterdir()):
        if path.is_file():
            digest.update(f"{path.name}\0{path.stat().st_size}\n".encode())
    digest.update((folder / "dataset_info.json").read_bytes())
    return digest.hexdigest()[:16]


def load_tfds(name: str, image_size: int | None = None, channels: int | None = None, background: str = "white",
              min_images: int = 1, split: str = "train") -> FolderImages:
    """The ``split`` of a tfds set prepared under ``TFDS_DATA_DIR`` (read from its files, never downloaded) as
    :class:`~kerasgan.image_folder.FolderImages`: its first image feature as uint8 ``(N, H, W, C)``, its
    ``label`` feature (when it has one) with the class names the builder's info gives, cropped/resized/converted
    as folders are. The DataSpec is named ``tfds:NAME``, source ``tfds``."""
    from kerasgan.image_folder import FolderImages, convert_arrays

    folder = prepared_tfds_folder(name, tfds_data_dir())
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        raise UserError(f"--dataset tfds:{name} needs the tensorflow-datasets package (and TensorFlow)") from None
    try:
        builder = tfds.builder_from_directory(str(folder))
    except Exception as error:  # tfds raises many kinds on a damaged folder
        raise UserError(f"cannot read the prepared tfds:{name} in {folder} ({error.__class__.__name__}: {error})") \
            from None
    if split not in builder.info.splits:
        raise UserError(f"tfds:{name} has no '{split}' split (it has: {', '.join(builder.info.splits)})")
    features = builder.info.features
    image_keys = [key for key, feature in features.items() if isinstance(feature, tfds.features.Image)]
    if not image_keys:
        raise UserError(f"tfds:{name} holds no images (its features: {', '.join(features)})")
    label = features["label"] if "label" in features and isinstance(features["label"], tfds.features.ClassLabel) \
        else None
    keys = (image_keys[0], "label") if label is not None else (image_keys[0],)
    dataset = builder.as_dataset(split=split).map(lambda example: tuple(example[key] for key in keys))
    rows = list(tfds.as_numpy(dataset.batch(4096) if None not in features[image_keys[0]].shape else dataset))
    if None in features[image_keys[0]].shape:
        images, shape = [row[0] for row in rows], None
    else:
        images = np.concatenate([row[0] for row in rows])
        shape = images.shape[1:]
    if len(images) < min_images:
        raise UserError(f"tfds:{name} holds {len(images)} images, fewer than one batch of {min_images}")
    images, notes = convert_arrays(images, image_size, channels, background, shape)
    labels = (np.concatenate([np.atleast_1d(row[1]) for row in rows]).astype(np.int64) if label is not None
              else None)
    spec = DataSpec(TFDS_PREFIX + name, images.shape[1:], tuple(label.names) if label is not None else None, "tfds",
                    tfds_fingerprint(folder))
    return FolderImages(images, labels, spec, notes)


def file_sha256(path: Path) -> str:
    """The first 16 hex digits of the SHA-256 of a file's content (an array file's fingerprint)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def read_array_file(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an ``.npy`` (the images) or ``.npz`` (``images``/``x``, ``labels``/``y``, ``class_names``)
    file, by their role; refused in one line when unreadable or without images."""
    try:
        if path.suffix.lower() == ".npy":  # memory-mapped: an array larger than memory trains from the file
            return {"images": np.load(path, mmap_mode="r", allow_pickle=False)}
        with np.load(path, allow_pickle=False) as archive:
            keys = {role: [key for key in names if key in archive.files] for role, names in ARRAY_KEYS.items()}
            found = {role: archive[present[0]] for role, present in keys.items() if present}
            if "images" not in found:
                raise UserError(f"--data {path} holds no 'images' (or 'x') array (it holds: "
                                f"{', '.join(archive.files) or 'nothing'})")
            return found
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        hint = " (save class_names as strings, np.array(names, dtype=str))" if "allow_pickle" in str(error) else ""
        raise UserError(f"--data {path} is not a readable {path.suffix} file{hint}: {error}") from None


def load_array_file(path: str | os.PathLike, image_size: int | None = None, channels: int | None = None,
                    background: str = "white", min_images: int = 1) -> FolderImages:
    """uint8 images ``(N, H, W)`` or ``(N, H, W, C)`` (C 1, 3 or 4) from an ``.npy`` file, or an ``.npz`` file with
    ``images`` (or ``x``) and optionally int ``labels`` (or ``y``) and ``class_names`` (default: "0", "1", ...),
    as :class:`~kerasgan.image_folder.FolderImages` cropped/resized/converted as folders are. Its DataSpec is
    named after the file, source ``array``, fingerprint the SHA-256 of the file's content (:func:`file_sha256`):
    a rewritten file with the same arrays keeps it, the same name and size with other bytes does not."""
    from kerasgan.image_folder import FolderImages, convert_arrays

    path = Path(path)
    if not path.is_file():
        raise UserError(f"--data {path} does not exist")
    arrays = read_array_file(path)
    images = arrays["images"]
    if images.dtype != np.uint8:
        raise UserError(f"--data {path}: the images must be uint8 (0-255), not {images.dtype}")
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] not in (1, 3, 4)) or not images.size:
        raise UserError(f"--data {path}: the images must be shaped (N, height, width) or (N, height, width, C) with "
                        f"C 1, 3 or 4, not {images.shape}")
    if len(images) < min_images:
        raise UserError(f"--data {path} holds {len(images)} images, fewer than one batch of {min_images}")
    images = images[..., None] if images.ndim == 3 else images
    labels, class_names = array_labels(path, arrays, len(images))
    images, notes = convert_arrays(images, image_size, channels, background, images.shape[1:])
    spec = DataSpec(path.stem, images.shape[1:], class_names, "array", file_sha256(path))
    return FolderImages(images, labels, spec, notes)


def array_labels(path: Path, arrays: dict, count: int) -> tuple[np.ndarray | None, tuple[str, ...] | None]:
    """An array file's int64 labels and class names (``None``, ``None`` when unlabelled), checked."""
    labels, names = arrays.get("labels"), arrays.get("class_names")
    if labels is None:
        if names is not None:
            raise UserError(f"--data {path} has class_names but no 'labels' (or 'y') array")
        return None, None
    if labels.shape != (count,) or labels.dtype.kind not in "iu" or (count and labels.min() < 0):
        raise UserError(f"--data {path}: the labels must be {count} integers from 0 (one per image), not "
                        f"{labels.dtype} {labels.shape}")
    if names is not None and (names.ndim != 1 or names.dtype.kind != "U"):
        raise UserError(f"--data {path}: class_names must be a list of strings, not {names.dtype} {names.shape}")
    names = tuple(str(name) for name in names) if names is not None else tuple(str(k) for k in range(labels.max() + 1))
    if labels.max() >= len(names):
        raise UserError(f"--data {path}: label {labels.max()} has no class name ({len(names)} class_names)")
    return labels.astype(np.int64), names


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
