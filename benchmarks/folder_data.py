"""A folder of images as kerasgan reads it, measured on this machine.

    python benchmarks/folder_data.py write fashion_mnist /tmp/fashion_png   # the train split as PNGs, a folder a class
    python benchmarks/folder_data.py start /tmp/fashion_png                 # first read (decode) and second (cache)
    python benchmarks/folder_data.py steps /tmp/fashion_png                 # steps/s from the cache file vs memory

``write`` makes a built-in data set into a folder a user could have, to compare a run on it with a run on the
built-in arrays (same recipe and steps). ``start`` reads a folder twice through a fresh, empty cache and prints
both times: the decoding, then the cached read that every later run, resume, sample and evaluate starts with.
``steps`` trains the folder recipe's GAN on the folder's images as a run does (uint8, memory-mapped from the
cache, each batch scaled as it is drawn) and on the same images scaled into memory first, in alternating rounds
of the same GAN, and prints the steps per second of each and their ratio.
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


def time_steps(folder: Path, recipe_name: str, rounds: int, steps: int) -> None:
    """Print steps/s of the recipe's GAN fed from the memory-mapped cache and from memory, alternating rounds."""
    import numpy as np

    from kerasgan.data import model_range
    from kerasgan.gans import build_gan
    from kerasgan.image_folder import load_folder
    from kerasgan.recipes import get_recipe
    from kerasgan.training.driver import input_pipeline

    recipe = get_recipe(recipe_name)
    loaded = load_folder(folder, image_size=recipe.image_size, min_images=recipe.batch_size)
    sources = {"cache file": loaded.images, "memory": model_range(loaded.images)}
    gan = build_gan(recipe.architecture, recipe.latent_dim, loaded.spec, seed=0, optimizer=recipe.optimizer,
                    steps_per_execution=steps, diff_augment=recipe.diff_augment)
    streams = {name: input_pipeline().resumable_dataset(images, recipe.batch_size, seed=0)
               for name, images in sources.items()}
    rates: dict[str, list[float]] = {name: [] for name in sources}
    for round_index in range(rounds + 1):  # round 0 traces the step and fills the prefetch buffers: not counted
        for name, stream in streams.items():
            started = time.perf_counter()
            gan.fit(stream, epochs=1, steps_per_epoch=steps, verbose=0)
            if round_index:
                rates[name].append(steps / (time.perf_counter() - started))
    print(f"{len(loaded.images):,} images {'x'.join(map(str, loaded.spec.image_shape))}, recipe '{recipe.name}', "
          f"batch {recipe.batch_size}, {rounds} alternating rounds of {steps} steps (medians):")
    for name, values in rates.items():
        print(f"  {name:<10} {np.median(values):7.2f} steps/s   rounds: {' '.join(f'{v:.2f}' for v in values)}")
    print(f"  cache file / memory: {np.median(rates['cache file']) / np.median(rates['memory']):.3f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("write", help="write a built-in data set's train split as a PNG folder")
    write.add_argument("dataset", choices=("mnist", "fashion_mnist"))
    write.add_argument("out", type=Path)
    start = commands.add_parser("start", help="time the first and second read of a folder")
    start.add_argument("folder", type=Path)
    steps = commands.add_parser("steps", help="steps/s from the memory-mapped cache against memory")
    steps.add_argument("folder", type=Path)
    steps.add_argument("--recipe", default="folder", help="the recipe whose GAN trains (default: folder)")
    steps.add_argument("--rounds", type=int, default=5, help="alternating rounds (default: 5)")
    steps.add_argument("--steps", type=int, default=100, help="steps a round (default: 100)")
    args = parser.parse_args(argv)
    from kerasgan.cli import quiet_backend

    quiet_backend()
    if args.command == "write":
        write_png_folder(args.dataset, args.out)
    elif args.command == "start":
        time_starts(args.folder)
    else:
        time_steps(args.folder, args.recipe, args.rounds, args.steps)


if __name__ == "__main__":
    main()
