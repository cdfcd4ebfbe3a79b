"""The ``kerasgan`` command: its subcommands, ``kerasgan sample``'s files, one-line errors, and an installed package
used from a folder outside the checkout."""

import os
import subprocess
import venv
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO_ROOT, run_script
from PIL import Image

from kerasgan.cli import COMMANDS, build_parser, run_command
from kerasgan.gans import build_gan
from kerasgan.sampling import interpolate, sample


@pytest.fixture(scope="module")
def generators(tmp_path_factory) -> dict[str, Path]:
    """An unconditional and a conditional generator saved as .keras files (untrained: shapes are what count)."""
    folder = tmp_path_factory.mktemp("generators")
    paths = {}
    for architecture in ("gan-in-6-min", "conditional"):
        paths[architecture] = folder / f"{architecture}.keras"
        build_gan(architecture, seed=0).generator.save(paths[architecture])
    return paths


def png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def test_the_command_has_the_five_subcommands_with_their_options():
    parser = build_parser()
    assert COMMANDS == ("train", "sample", "evaluate", "classify", "train-evaluator")
    required = {"sample": ["somewhere"], "evaluate": ["somewhere"], "train-evaluator": ["--data", "somewhere"]}
    for name in COMMANDS:
        args = parser.parse_args([name, *required.get(name, [])])
        assert args.command == name and callable(args.run)
    assert parser.parse_args(["train", "--recipe", "acgan-mnist", "--steps", "5"]).steps == 5


def test_sample_writes_a_grid_the_arrays_and_a_latent_walk(generators, tmp_path, capsys):
    run_command("sample", [str(generators["gan-in-6-min"]), "-n", "12", "--out", str(tmp_path / "grid.png"),
                           "--npy", str(tmp_path / "images.npy"), "--gif", str(tmp_path / "walk.gif"),
                           "--walk-points", "3", "--walk-frames", "4", "--seed", "5"])

    images = np.load(tmp_path / "images.npy")
    assert images.shape == (12, 28, 28, 1) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1
    assert png_size(tmp_path / "grid.png")[0] > 100
    with Image.open(tmp_path / "walk.gif") as gif:
        assert gif.n_frames == 12  # 3 legs of 4 frames
    assert not (tmp_path / "images_labels.npy").exists()
    assert "wrote" in capsys.readouterr().out


def test_the_same_seed_draws_the_same_images_and_another_seed_others(generators, tmp_path):
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        run_command("sample", [str(generators["gan-in-6-min"]), "-n", "4", "--out", str(tmp_path / f"{name}.png"),
                               "--npy", str(tmp_path / f"{name}.npy"), "--seed", seed])
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy"))
    assert not np.allclose(np.load(tmp_path / "a.npy"), np.load(tmp_path / "c.npy"))


def test_a_conditional_generator_draws_one_row_per_class_or_one_asked_class(generators):
    from kerasgan.training.checkpoint import load_keras_model

    from kerasgan.gans import ConditionalGAN

    generator = load_keras_model(generators["conditional"])
    rows = sample(generator, count=25, family=ConditionalGAN)
    sevens = sample(generator, count=6, label=7, family=ConditionalGAN)

    assert (rows.rows, rows.cols, len(rows.images)) == (10, 3, 30)
    assert rows.labels.tolist() == [label for label in range(10) for _ in range(3)]
    assert rows.row_labels == [str(label) for label in range(10)]
    assert sevens.labels.tolist() == [7] * 6 and sevens.row_labels is None


def test_sample_saves_the_labels_asked_for_beside_a_conditional_generators_images(generators, tmp_path):
    run_command("sample", [str(generators["conditional"]), "-n", "20", "--out", str(tmp_path / "rows.png"),
                           "--npy", str(tmp_path / "rows.npy")])
    assert np.load(tmp_path / "rows.npy").shape == (20, 28, 28, 1)
    assert np.bincount(np.load(tmp_path / "rows_labels.npy")).tolist() == [2] * 10


def test_a_spherical_walk_keeps_its_ends_and_the_norm_of_gaussian_points():
    rng = np.random.default_rng(0)
    start, end = rng.normal(size=(3, 100)), rng.normal(size=(3, 100))
    np.testing.assert_allclose(interpolate(start, end, 0.0, spherical=True), start, atol=1e-6)
    np.testing.assert_allclose(interpolate(start, end, 1.0, spherical=True), end, atol=1e-6)
    middle = interpolate(start, end, 0.5, spherical=True)
    straight = interpolate(start, end, 0.5, spherical=False)
    assert np.all(np.linalg.norm(middle, axis=1) > np.linalg.norm(straight, axis=1))


BAD_SAMPLES = [
    ("missing generator", ["{folder}/nowhere"], "no generator found at"),
    ("not a .keras file", ["{folder}/notes.txt"], "is not a .keras file"),
    ("grid not a png", ["{unconditional}", "--out", "{folder}/grid.jpg"], "--out {folder}/grid.jpg must end in .png"),
    ("missing output folder", ["{unconditional}", "--out", "{folder}/no/grid.png"], "the folder {folder}/no does not exist"),
    ("label for an unconditional generator", ["{unconditional}", "--label", "3", "--out", "{folder}/g.png"],
     "this generator has no label input"),
    ("label out of range", ["{conditional}", "--label", "12", "--out", "{folder}/g.png"],
     "--label 12 is not a class of this generator"),
    ("zero samples", ["{unconditional}", "-n", "0"], "expected a positive integer, got '0'"),
]


@pytest.mark.parametrize("case,arguments,message", BAD_SAMPLES, ids=[case[0] for case in BAD_SAMPLES])
def test_bad_sample_input_gives_one_line_exit_code_2_and_writes_nothing(generators, tmp_path, case, arguments,
                                                                        message):
    (tmp_path / "notes.txt").write_text("not a model")
    names = {"folder": tmp_path, "unconditional": generators["gan-in-6-min"], "conditional": generators["conditional"]}
    before = sorted(tmp_path.rglob("*"))
    result = run_script("sample.py", *(argument.format(**names) for argument in arguments))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message.format(**names) in result.stderr
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.slow
def test_the_installed_command_trains_and_samples_from_a_folder_outside_the_checkout(tmp_path, idx_folder):
    environment = tmp_path / "venv"
    venv.create(environment, system_site_packages=True, with_pip=True)  # the dependencies come from this Python
    python = environment / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                              str(REPO_ROOT)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-2000:]
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {**os.environ, "PYTHONPATH": ""}

    def kerasgan(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(environment / "bin" / "kerasgan"), *args], capture_output=True, text=True,
                              timeout=300, cwd=workdir, env=env)

    where = subprocess.run([str(python), "-c", "import kerasgan; print(kerasgan.__file__)"], capture_output=True,
                           text=True, cwd=workdir, env=env)
    assert where.stdout.startswith(str(environment)), where.stdout  # the installed copy, not the checkout
    assert "sample" in kerasgan("--help").stdout
    trained = kerasgan("train", "--data-dir", str(idx_folder), "--steps", "4", "--batch-size", "16",
                       "--no-progress", "--eval-samples", "0")
    assert trained.returncode == 0, trained.stderr[-2000:]
    assert (workdir / "runs" / "default" / "generator.keras").is_file()
    sampled = kerasgan("sample", "runs/default", "-n", "16", "--out", "digits.png")
    assert sampled.returncode == 0, sampled.stderr[-2000:]
    assert png_size(workdir / "digits.png")[0] > 100
    assert "wrote digits.png: 16 images" in sampled.stdout
