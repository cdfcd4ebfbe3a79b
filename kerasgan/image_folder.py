"""A folder of the user's own images as uint8 arrays: read once, then kept in a cache.

The folder is read recursively (png, jpg/jpeg, bmp, gif, webp). When it has two or more first-level subfolders
holding images, each of them is a class (the ``keras.utils.image_dataset_from_directory`` convention); otherwise
the images are unlabelled. Each image is cropped to its centre square and resized with an antialiasing filter.
The images are grey when every one of them is, RGB otherwise; an alpha channel is laid onto ``background``
unless ``channels=4`` keeps it. A file that is not an image is ignored; a corrupt one is skipped and counted.

The images are decoded one at a time straight into an array file under the cache folder, keyed by the folder's
fingerprint (every file's path, size and modification time) and the reading options. Training reads it
memory-mapped, so a folder larger than memory trains, and a second run reads it back without decoding.
Beside it the cache keeps that file list (``files.json``), so that a resumed run can say how its folder changed
(:func:`folder_changes`). :func:`square` is the one crop-resize-convert step, shared with the array and tfds
sources of :mod:`kerasgan.data`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
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


def converted_mode(image) -> str:
    """The mode :func:`open_image` gives a PIL image (read from its header alone): L, RGB or RGBA."""
    if image.mode in ("L", "RGB", "RGBA"):
        return image.mode
    if image.mode in ("1", "I;16", "I;16B", "I", "F"):
        return "L"
    return "RGBA" if image.mode in ("LA", "PA") or "transparency" in image.info else "RGB"


def image_header(path: Path) -> tuple[tuple[int, int], str] | None:
    """An image's size and :func:`converted_mode` from its header, without decoding it (``None``: unreadable)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.size, converted_mode(image)
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError):
        return None


def open_image(path: Path):
    """The image at ``path`` as PIL RGBA, RGB or L (palette, 16-bit and CMYK converted), or ``None`` if unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            mode = converted_mode(image)
            if image.mode == mode:
                return image.copy()
            if image.mode in ("I;16", "I;16B", "I", "F"):
                values = np.asarray(image, dtype=np.float64)
                return Image.fromarray(np.uint8(np.clip(values / max(values.max(), 1.0) * 255.0, 0, 255)))
            return image.convert(mode)
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


def square(image, size: int, channels: int, background: int) -> np.ndarray:
    """A PIL image as uint8 ``(size, size, channels)``: cropped to its centre square, resized (:func:`centre_square`)
    and converted (:func:`to_channels`). Folders, arrays and tfds sets share this step."""
    return to_channels(centre_square(image, size), channels, background)


def squares(images, size: int, channels: int, background: int) -> np.ndarray:
    """PIL images as one uint8 array ``(N, size, size, channels)``, each one a :func:`square`."""
    return np.stack([square(image, size, channels, background) for image in images])


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
    (default: their own; alpha laid on ``background``) as :func:`square` does for folders. Returns them and
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
    """Read (or read back from the cache) a folder of images; see the module docstring. With the cache the images
    come back memory-mapped, so a folder larger than memory is never held in it."""
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
    partial = cached.with_name(f"{cached.name}.partial-{os.getpid()}") if use_cache else None
    try:
        loaded = decode(root, files, class_names, image_size, channels, BACKGROUNDS[background], key, partial)
        if left_out:
            loaded.notes.append(f"left out {left_out} image{'s' * (left_out > 1)} lying beside the class folders")
        if partial is None:
            return loaded
        write_cache(partial, loaded, records)
        publish(partial, cached)
    finally:
        if partial is not None:
            shutil.rmtree(partial, ignore_errors=True)
    return read_cache(cached)


def decode(root: Path, files: list[Path], class_names, image_size, channels, background: int, key: str,
           into: Path | None = None) -> FolderImages:
    """Decode every file, one at a time, into an array (``into/images.npy``, memory-mapped, when ``into`` is given):
    crop, resize, convert; count and say what was skipped or converted. The size and channels come from the
    headers, read first."""
    headers = [(path, image_header(path)) for path in files]
    readable = [(path, header) for path, header in headers if header is not None]
    check_unreadable(root, len(files) - len(readable), len(files))
    sizes, modes = {size for _, (size, _) in readable}, {mode for _, (_, mode) in readable}
    size = image_size or Counter(min(size) for _, (size, _) in readable).most_common(1)[0][0]
    channels = channels or (1 if modes == {"L"} else 3)
    shape = (len(readable), size, size, channels)
    if into is None:
        images = np.empty(shape, np.uint8)
    else:
        into.mkdir(parents=True)
        images = np.lib.format.open_memmap(into / "images.npy", mode="w+", dtype=np.uint8, shape=shape)
    kept = []
    for path, _ in readable:
        image = open_image(path)
        if image is not None:
            images[len(kept)] = square(image, size, channels, background)
            kept.append(path)
    unreadable = len(files) - len(kept)
    check_unreadable(root, unreadable, len(files))
    labels = None
    if class_names is not None:
        index = {name: label for label, name in enumerate(class_names)}
        labels = np.array([index[path.relative_to(root).parts[0]] for path in kept], dtype=np.int64)
    notes = []
    if unreadable:
        notes.append(f"skipped {unreadable} unreadable image{'s' * (unreadable > 1)}")
    if len(sizes) > 1 or len(modes) > 1 or sizes != {(size, size)}:
        described = ", ".join([f"{len(sizes)} size{'s' * (len(sizes) > 1)}"] + sorted(modes))
        notes.append(f"converted {len(kept)} images ({described}) to {size}x{size}x{channels}")
    spec = DataSpec(root.name, (size, size, channels), class_names, str(root.resolve()), key)
    return FolderImages(images[:len(kept)], labels, spec, notes)


def check_unreadable(root: Path, unreadable: int, total: int) -> None:
    """Refuse a folder with more than ``MAX_UNREADABLE_SHARE`` of its images unreadable."""
    if unreadable > MAX_UNREADABLE_SHARE * total:
        raise UserError(f"{unreadable} of the {total} images in {root} cannot be read (more than "
                        f"{MAX_UNREADABLE_SHARE:.0%})")


def write_cache(folder: Path, loaded: FolderImages, records: list[tuple[str, int, int]] | None = None) -> None:
    """Save the decoded images (``images.npy``, unless :func:`decode` wrote them there), labels, the file list
    (``records``, for :func:`folder_changes`) and description; ``meta.json`` last, so a cache interrupted while
    being written is never read. ``count`` is how many rows of ``images.npy`` hold images (fewer when a file
    turned out corrupt while it was decoded)."""
    folder.mkdir(parents=True, exist_ok=True)
    if records is not None:
        (folder / FILES_NAME).write_text(json.dumps(records, separators=(",", ":")))
    if isinstance(loaded.images, np.memmap):
        loaded.images.flush()
    if not (folder / "images.npy").is_file():
        np.save(folder / "images.npy", loaded.images)
    if loaded.labels is not None:
        np.save(folder / "labels.npy", loaded.labels)
    (folder / "meta.json").write_text(json.dumps({"spec": loaded.spec.to_dict(), "notes": loaded.notes,
                                                  "count": len(loaded.images)}))


def publish(partial: Path, cached: Path) -> None:
    """Move a finished cache entry into place (a stale, unfinished one there is replaced); another process that
    decoded the same folder at the same time may have put its own there first, which is as good."""
    if not (cached / "meta.json").is_file():
        shutil.rmtree(cached, ignore_errors=True)
    try:
        partial.rename(cached)
    except OSError:
        if not (cached / "meta.json").is_file():
            raise


def read_cache(folder: Path) -> FolderImages:
    """The decoded folder :func:`write_cache` saved, its images memory-mapped (read-only)."""
    meta = json.loads((folder / "meta.json").read_text())
    labels_path = folder / "labels.npy"
    labels = np.load(labels_path) if labels_path.is_file() else None
    images = np.load(folder / "images.npy", mmap_mode="r")
    return FolderImages(images[:meta.get("count", len(images))], labels, DataSpec.from_dict(meta["spec"]),
                        meta["notes"])
