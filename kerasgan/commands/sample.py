"""Draw new images from a trained generator: a PNG grid, optionally the raw arrays and a latent-walk GIF.

    kerasgan sample runs/default -n 64 --out digits.png                 # 64 new digits in an 8x8 grid
    kerasgan sample runs/acgan-mnist -n 100 --out rows.png              # conditional: one row per digit
    kerasgan sample runs/acgan-mnist -n 16 --label 7 --out sevens.png   # conditional: only sevens
    kerasgan sample runs/my-pets -n 16 --label cats --out cats.png      # a folder's class, by its name
    kerasgan sample runs/default -n 16 --gif walk.gif --npy digits.npy  # a walk through the latent space
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kerasgan.cli import check_output_file, generator_file, positive_int, quiet_backend
from kerasgan.errors import UserError

MAX_SAMPLES = 10000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Which generator, how many images, where they go."""
    parser.add_argument("path", type=Path, help="a run folder containing generator.keras, or a .keras file")
    parser.add_argument("-n", "--num-samples", type=positive_int, default=64,
                        help="images in the grid (a conditional generator draws ceil(N / classes) per class); "
                             "default: %(default)s")
    parser.add_argument("--out", type=Path, default=Path("samples.png"), help="the grid PNG; default: %(default)s")
    parser.add_argument("--npy", type=Path, help="also save the images as a float32 .npy array (N, height, width, channels) in "
                                                  "[-1, 1] (and the labels asked for beside it, *_labels.npy)")
    parser.add_argument("--gif", type=Path, help="also save a GIF that walks the latent space between random points")
    parser.add_argument("--walk-points", type=positive_int, default=4, help="random points the GIF loops through")
    parser.add_argument("--walk-frames", type=positive_int, default=12, help="GIF frames between two points")
    parser.add_argument("--seed", type=int, default=0, help="seeds the latent points; default: %(default)s")
    parser.add_argument("--label", metavar="NAME",
                        help="conditional generator: draw only the class of this name (a subfolder's name, a digit "
                             "for MNIST, as the run's data names its classes)")
    parser.add_argument("--per-class", action="store_true",
                        help="conditional generator: one row per class (the default for conditional generators)")
    parser.add_argument("--dataset", choices=["mnist", "fashion_mnist"],
                        help="names the rows of a class grid (default: the run's dataset, else mnist)")


def run(args: argparse.Namespace) -> None:
    """Check every path first, then generate, then write the files and say what was written."""
    path = generator_file(args.path)
    if args.num_samples > MAX_SAMPLES:
        raise UserError(f"-n {args.num_samples} is more than {MAX_SAMPLES} samples")
    if args.label is not None and args.per_class:
        raise UserError("--label and --per-class exclude each other")
    for option, output, suffix in (("--out", args.out, ".png"), ("--npy", args.npy, ".npy"), ("--gif", args.gif, ".gif")):
        check_output_file(output, suffix, option)
    quiet_backend()
    import numpy as np

    from kerasgan.run_folder import generator_record
    from kerasgan.plotting import save_canvas_gif, save_image_grid, tile_images
    from kerasgan.sampling import label_index, latent_walk, sample
    from kerasgan.training.checkpoint import load_keras_model

    generator = load_keras_model(path)
    family, data = generator_record(args.path, args.dataset, generator)
    label = None if args.label is None else label_index(args.label, family, data.class_names)
    samples = sample(generator, args.num_samples, args.seed, label, args.per_class, data.class_names, family)
    frames = (latent_walk(generator, args.num_samples, args.walk_points, args.walk_frames, args.seed, label,
                          args.per_class, data.class_names, family) if args.gif else [])
    save_image_grid(samples.images, args.out, samples.rows, samples.cols, row_labels=samples.row_labels)
    print(f"wrote {args.out}: {len(samples.images)} images from {path} (seed {args.seed})")
    if args.npy:
        np.save(args.npy, samples.images)
        written = f"{args.npy}"
        if samples.labels is not None:
            labels_path = args.npy.with_name(f"{args.npy.stem}_labels.npy")
            np.save(labels_path, samples.labels.astype(np.int64))
            written += f" and {labels_path}"
        print(f"wrote {written}")
    if args.gif:
        save_canvas_gif([tile_images(frame.images, frame.rows, frame.cols) for frame in frames], args.gif)
        print(f"wrote {args.gif}: {len(frames)} frames through {args.walk_points} latent points")
