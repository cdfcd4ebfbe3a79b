"""A folder of images as kerasgan reads it, measured on this machine.

    python benchmarks/folder_data.py write fashion_mnist /tmp/fashion_png   # the train split as PNGs, a folder a class
    python benchmarks/folder_data.py start /tmp/fashion_png                 # first read (decode) and second (cache)

``write`` makes a built-in data set into a folder a user could have, to compare a run on it with a run on the
built-in arrays (same recipe and steps). ``start`` reads a folder twice through a fresh, empty cache and prints
both times: the decoding, then the cached read that every later run, resume, sample and evaluate starts with.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def write_png_folder(dataset: str, out: Path) -> None:
    """The built-in ``dataset``'s train split as grey PNGs in ``out/<class name>/<index>.png``."""
    from PIL import Image

    from kerasgan.data import load_raw
    from kerasgan.data_spec import BUILT_IN

    images, labels = load_raw(dataset)
    names = BUILT_IN[dataset].class_names
    for index, (image, label) in enumerate(zip(images, labels)):
        folder = out / names[label].replace("/", "-")
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image.reshape(image.shape[:2])).save(folder / f"{index:05d}.png")
    print(f"wrote {len(images):,} PNGs of {dataset} in {len(names)} class folders under {out}")


def time_starts(folder: Path) -> None:
    """Print the first (decoding) and second (cached) read of ``folder``."""
    from kerasgan.image_folder import load_folder

    with tempfile.TemporaryDirectory() as cache:
        os.environ["KERASGAN_CACHE"] = cache
        for which in ("first", "second"):
            started = time.perf_counter()
            loaded = load_folder(folder)
            print(f"{which} read: {time.perf_counter() - started:.2f} s  ({len(loaded.images):,} images "
                  f"{'x'.join(map(str, loaded.spec.image_shape))})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("write", help="write a built-in data set's train split as a PNG folder")
    write.add_argument("dataset", choices=("mnist", "fashion_mnist"))
    write.add_argument("out", type=Path)
    start = commands.add_parser("start", help="time the first and second read of a folder")
    start.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    from kerasgan.cli import quiet_backend

    quiet_backend()
    if args.command == "write":
        write_png_folder(args.dataset, args.out)
    else:
        time_starts(args.folder)


if __name__ == "__main__":
    main()
