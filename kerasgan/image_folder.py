"""A folder of the user's own images as uint8 arrays: read once, then kept in a cache.

The folder is read recursively (png, jpg/jpeg, bmp, gif, webp). When it has two or more first-level subfolders
holding images, each of them is a class (the ``keras.utils.image_dataset_from_directory`` convention); otherwise
the images are unlabelled. Each image is cropped to its centre square and resized with an antialiasing filter.
The images are grey when every one of them is, RGB otherwise; an alpha channel is laid onto ``background``
unless ``channels=4`` keeps it. A file that is not an image is ignored; a corrupt one is skipped and counted.

The decoded array is saved under the cache folder, keyed by the folder's fingerprint (every file's path, size
and modification time) and the reading options, so a second run reads it back (memory-mapped) without decoding.
Beside it the cache keeps that file list (``files.json``), so that a resumed run can say how its folder changed
(:func:`folder_changes`). :func:`squares` is the one crop-resize-convert step, shared with the array and tfds
sources of :mod:`kerasgan.data`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kerasgan.data_spec import DataSpec
from kerasgan.errors import UserError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
FILES_NAME = "files.json"  # the cache entry's file list: [[relative path, size, mtime_ns], ...]
MAX_UNREADABLE_SHARE = 0.01
BACKGROUNDS = {"white": 255, "black": 0}


@dataclass
class FolderImages:
    """What :func:`load_folder` (or another source of :mod:`kerasgan.data`) read: uint8 images ``(N, H, W, C)``,
    int64 labels (or ``None``), their description, and what it said about the files (skipped or converted)."""

    images: np.ndarray
    labels: np.ndarray | None
    spec: DataSpec
    notes: list[str]


def cache_root() -> Path:
    """Where decoded folders are kept: ``$KERASGAN_CACHE``, else ``~/.cache/kerasgan``."""
    return Path(os.environ.get("KERASGAN_CACHE") or Path.home() / ".cache" / "kerasgan") / "folders"


def image_files(root: Path) -> tuple[list[Path], tuple[str, ...] | None, int]:
    """The image files under ``root`` in sorted order, the class names (``None``: unlabelled) and how many images
    were left out: those lying beside the class folders, which belong to no class."""
    if not root.exists():
        raise UserError(f"--data {root} does not exist")
    if not root.is_dir():
        raise UserError(f"--data {root} is not a folder")
    files = sorted(path for path in root.rglob("*") if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file())
    if not files:
        raise UserError(f"--data {root} holds no images ({', '.join(IMAGE_SUFFIXES)})")
    classes = sorted({path.relative_to(root).parts[0] for path in files if len(path.relative_to(root).parts) > 1})
    if len(classes) < 2:
        return files, None, 0
    in_classes = [path for path in files if len(path.relative_to(root).parts) > 1]
    return in_classes, tuple(classes), len(files) - len(in_classes)


def file_records(root: Path, files: list[Path]) -> list[tuple[str, int, int]]:
    """Every file's relative path, size and modification time (ns): what the fingerprint hashes and what
    :func:`folder_changes` compares."""
    records = []
    for path in files:
        status = path.stat()
        records.append((str(path.relative_to(root)), status.st_size, status.st_mtime_ns))
    return records


def records_fingerprint(records: list[tuple[str, int, int]]) -> str:
    """A short hash of :func:`file_records`."""
    digest = hashlib.sha256()
    for name, size, mtime_ns in records:
        digest.update(f"{name}\0{size}\0{mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def fingerprint(root: Path, files: list[Path]) -> str:
    """A short hash of every file's relative path, size and modification time."""
    return records_fingerprint(file_records(root, files))


def folder_changes(root: str | os.PathLike, old_fingerprint: str) -> str | None:
    """How the files under ``root`` differ from those it held when its fingerprint was ``old_fingerprint``
    ("2 files added, 1 removed, 0 changed"; a changed file kept its path, not its size or time), or ``None``
    when the old file list is no longer in the cache."""
    listed = sorted(cache_root().glob(f"{old_fingerprint}-*/{FILES_NAME}"))
    if not listed:
        return None
    try:
        old = {name: (size, mtime) for name, size, mtime in json.loads(listed[0].read_text())}
    except (OSError, ValueError, TypeError):
        return None
    root = Path(root)
    new = {name: (size, mtime) for name, size, mtime in file_records(root, image_files(root)[0])}
    added, removed = len(new.keys() - old.keys()), len(old.keys() - new.keys())
    changed = sum(old[name] != new[name] for name in new.keys() & old.keys())
    return f"{added} file{'s' * (added != 1)} added, {removed} removed, {changed} changed"


def open_image(path: Path):
    """The image at ``path`` as PIL RGBA, RGB or L (palette, 16-bit and CMYK converted), or ``None`` if unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in ("L", "RGB", "RGBA"):
                return image.copy()
            if image.mode == "1":
                return image.convert("L")
            if image.mode in ("I;16", "I;16B", "I", "F"):
                values = np.asarray(image, dtype=np.float64)
                return Image.fromarray(np.uint8(np.clip(values / max(values.max(), 1.0) * 255.0, 0, 255)))
            has_alpha = image.mode in ("LA", "PA") or "transparency" in image.info
            return image.convert("RGBA" if has_alpha else "RGB")
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError):
        return None


def centre_square(image, size: int):
    """The centre square of a PIL image, resized to ``size`` with Lanczos antialiasing."""
    from PIL import Image

    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    square = image.crop((left, top, left + side, top + side))
    return square if side == size else square.resize((size, size), Image.LANCZOS)


def squares(images, size: int, channels: int, background: int) -> np.ndarray:
    """PIL images as one uint8 array ``(N, size, size, channels)``: each cropped to its centre square, resized
    (:func:`centre_square`) and converted (:func:`to_channels`). Folders, arrays and tfds sets share this step."""
    return np.stack([to_channels(centre_square(image, size), channels, background) for image in images])


def array_image(array: np.ndarray):
    """A uint8 ``(H, W)`` or ``(H, W, C)`` array (C 1, 3 or 4) as a PIL image (L, RGB or RGBA)."""
    from PIL import Image

    array = np.asarray(array, dtype=np.uint8)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    return Image.fromarray(array, {2: "L", 3: "RGB", 4: "RGBA"}[array.shape[-1] if array.ndim == 3 else 2])


def convert_arrays(images, image_size: int | None, channels: int | None, background: str = "white",
                   shape: tuple[int, ...] | None = None) -> tuple[np.ndarray, list[str]]:
    """uint8 images (an ``(N, H, W, C)`` array, or a sequence of ``(H, W, C)`` arrays of any sizes) as
    ``(N, S, S, C')``: centre square, resized to ``image_size`` (default: the smaller side), ``channels``
    (default: their own; alpha laid on ``background``) as :func:`squares` does for folders. Returns them and
    a note when anything was converted (images already in shape come back untouched)."""
    if background not in BACKGROUNDS:
        raise UserError(f"unknown --background '{background}' (choose from: {', '.join(BACKGROUNDS)})")
    shapes = {tuple(image.shape) for image in images} if shape is None else {tuple(shape)}
    if len(shapes) > 1 and image_size is None:
        raise UserError(f"the images have {len(shapes)} different sizes: give --image-size N")
    height, width, own = next(iter(shapes))
    size, channels = image_size or min(height, width), channels or own
    if shapes == {(size, size, channels)}:
        return np.asarray(images), []
    converted = squares((array_image(image) for image in images), size, channels, BACKGROUNDS[background])
    return converted, [f"converted {len(converted)} images of {len(shapes)} size{'s' * (len(shapes) > 1)} "
                       f"to {size}x{size}x{channels}"]


def to_channels(image, channels: int, background: int) -> np.ndarray:
    """A PIL image as uint8 ``(H, W, channels)``: grey, RGB (alpha laid on ``background``) or RGBA."""
    from PIL import Image

    if channels == 4:
        return np.asarray(image.convert("RGBA"))
    if image.mode == "RGBA":
        flat = Image.new("RGBA", image.size, (background,) * 3 + (255,))
        image = Image.alpha_composite(flat, image)
    array = np.asarray(image.convert("L" if channels == 1 else "RGB"))
    return array[..., None] if channels == 1 else array


def load_folder(root: str | os.PathLike, image_size: int | None = None, channels: int | None = None,
                background: str = "white", min_images: int = 1, use_cache: bool = True) -> FolderImages:
    """Read (or read back from the cache) a folder of images; see the module docstring."""
    root = Path(root)
    if background not in BACKGROUNDS:
        raise UserError(f"unknown --background '{background}' (choose from: {', '.join(BACKGROUNDS)})")
    if channels not in (None, 1, 3, 4):
        raise UserError(f"--channels {channels} is not 1, 3 or 4")
    files, class_names, left_out = image_files(root)
    if len(files) < min_images:
        raise UserError(f"--data {root} holds {len(files)} images, fewer than one batch of {min_images}")
    records = file_records(root, files)
    key = records_fingerprint(records)
    cached = cache_root() / f"{key}-{image_size or 'own'}-{channels or 'auto'}-{background}"
    if use_cache and (cached / "meta.json").is_file():
        return read_cache(cached)
    loaded = decode(root, files, class_names, image_size, channels, BACKGROUNDS[background], key)
    if left_out:
        loaded.notes.append(f"left out {left_out} image{'s' * (left_out > 1)} lying beside the class folders")
    if use_cache:
        write_cache(cached, loaded, records)
    return loaded


def decode(root: Path, files: list[Path], class_names, image_size, channels, background: int,
           key: str) -> FolderImages:
    """Decode every file: crop, resize, convert; count and say what was skipped or converted."""
    opened = [(path, open_image(path)) for path in files]
    readable = [(path, image) for path, image in opened if image is not None]
    unreadable = len(opened) - len(readable)
    if unreadable > MAX_UNREADABLE_SHARE * len(opened):
        raise UserError(f"{unreadable} of the {len(opened)} images in {root} cannot be read (more than "
                        f"{MAX_UNREADABLE_SHARE:.0%})")
    size = image_size or Counter(min(image.size) for _, image in readable).most_common(1)[0][0]
    grey = all(image.mode == "L" for _, image in readable)
    channels = channels or (1 if grey else 3)
    images = squares((image for _, image in readable), size, channels, background)
    labels = None
    if class_names is not None:
        index = {name: label for label, name in enumerate(class_names)}
        labels = np.array([index[path.relative_to(root).parts[0]] for path, _ in readable], dtype=np.int64)
    notes = []
    if unreadable:
        notes.append(f"skipped {unreadable} unreadable image{'s' * (unreadable > 1)}")
    sizes, modes = {image.size for _, image in readable}, {image.mode for _, image in readable}
    if len(sizes) > 1 or len(modes) > 1 or sizes != {(size, size)}:
        described = ", ".join([f"{len(sizes)} size{'s' * (len(sizes) > 1)}"] + sorted(modes))
        notes.append(f"converted {len(readable)} images ({described}) to {size}x{size}x{channels}")
    spec = DataSpec(root.name, (size, size, channels), class_names, str(root.resolve()), key)
    return FolderImages(images, labels, spec, notes)


def write_cache(folder: Path, loaded: FolderImages, records: list[tuple[str, int, int]] | None = None) -> None:
    """Save the decoded images (``images.npy``), labels, the file list (``records``, for :func:`folder_changes`)
    and description; ``meta.json`` last, so a cache interrupted while being written is never read."""
    folder.mkdir(parents=True, exist_ok=True)
    if records is not None:
        (folder / FILES_NAME).write_text(json.dumps(records, separators=(",", ":")))
    np.save(folder / "images.npy", loaded.images)
    if loaded.labels is not None:
        np.save(folder / "labels.npy", loaded.labels)
    (folder / "meta.json").write_text(json.dumps({"spec": loaded.spec.to_dict(), "notes": loaded.notes}))


def read_cache(folder: Path) -> FolderImages:
    """The decoded folder :func:`write_cache` saved, its images memory-mapped."""
    meta = json.loads((folder / "meta.json").read_text())
    labels_path = folder / "labels.npy"
    labels = np.load(labels_path) if labels_path.is_file() else None
    return FolderImages(np.load(folder / "images.npy", mmap_mode="r"), labels, DataSpec.from_dict(meta["spec"]),
                        meta["notes"])
