"""A training run of kerasgan.run (train_recipe): what a run of a labelled recipe, or of a folder of the user's
images, leaves in its run folder."""

import json

import numpy as np
import pytest
from conftest import tiny_run

from kerasgan.cli import run_command
from kerasgan.errors import UserError
from kerasgan.run import train_recipe
from kerasgan.run_folder import RunFolder


@pytest.mark.slow
def test_a_conditional_run_writes_class_grids_history_and_a_checkpoint(tiny_images, tiny_labels, tmp_path):
    run_dir = RunFolder(tmp_path / "run").prepare()

    summary = train_recipe(tiny_run("cgan-mnist", steps=4, sample_interval=2, checkpoint_interval_steps=2), run_dir,
                           x_train=tiny_images, y_train=tiny_labels)

    assert summary["steps"] == 4 and set(summary["final"]) == {"d_loss", "g_loss", "d_acc"}
    assert sorted(path.name for path in (run_dir / "images").iterdir()) == [
        "step_0000000.png", "step_0000002.png", "step_0000004.png"]
    assert (run_dir / "samples.gif").is_file() and (run_dir / "checkpoint.npz").is_file()
    assert json.loads((run_dir / "config.json").read_text())["architecture"] == "conditional"


def test_a_class_aware_run_writes_grids_and_a_checkpoint_and_needs_the_labels(tiny_images, tmp_path):
    settings = tiny_run("dcgan-mnist-labels", steps=4, sample_interval=2, checkpoint_interval_steps=2)
    run_dir = RunFolder(tmp_path / "run").prepare()

    summary = train_recipe(settings, run_dir, x_train=tiny_images, y_train=np.arange(len(tiny_images)) % 10)

    assert summary["steps"] == 4 and set(summary["final"]) == {"d_loss", "g_loss", "d_acc"}
    assert (run_dir / "checkpoint.npz").is_file() and (run_dir / "images" / "step_0000004.png").is_file()
    assert json.loads((run_dir / "config.json").read_text())["architecture"] == "dcgan-small-classes"
    with pytest.raises(UserError, match="needs the labels"):
        train_recipe(settings, RunFolder(tmp_path / "unlabelled").prepare(), x_train=tiny_images, y_train=None)


def colour_folder(root, per_class: int = 16):
    """Two classes of 8 x 8 RGB images: reddish in red/, bluish in blue/ (PNG files)."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for name, channel in (("red", 0), ("blue", 2)):
        (root / name).mkdir(parents=True)
        for index in range(per_class):
            pixels = rng.integers(0, 80, (8, 8, 3), dtype=np.uint8)
            pixels[..., channel] = 255
            Image.fromarray(pixels).save(root / name / f"{index}.png")
    return root


@pytest.mark.slow
def test_a_run_on_a_folder_of_colour_images_records_it_samples_in_colour_and_refuses_a_changed_folder(
        tmp_path, monkeypatch, capsys, run_in_process):
    monkeypatch.setenv("KERASGAN_CACHE", str(tmp_path / "cache"))
    images, run = colour_folder(tmp_path / "images"), tmp_path / "run"
    run_command("train", ["--data", str(images), "--recipe", "dcgan-mnist", "--steps", "4", "--batch-size", "8",
                          "--sample-interval", "2", "--checkpoint-interval", "2", "--out", str(run), "--no-progress"])
    assert "not scored" in capsys.readouterr().out
    data = json.loads((run / "config.json").read_text())["data"]
    assert (data["image_shape"], data["class_names"]) == ([8, 8, 3], ["blue", "red"])

    run_command("sample", [str(run), "-n", "4", "--out", str(tmp_path / "s.png"), "--npy", str(tmp_path / "s.npy")])
    assert np.load(tmp_path / "s.npy").shape == (4, 8, 8, 3)
    code, error = run_in_process("evaluate", str(run))
    assert code == 2 and "no evaluator for the images of --data" in error and "kerasgan train-evaluator --data" in error

    (images / "red" / "0.png").rename(images / "red" / "moved.png")
    code, error = run_in_process("train", "--resume", str(run), "--steps", "6")
    assert code == 2 and "changed since the run began" in error


@pytest.mark.parametrize("arguments, message", [
    (["--image-size", "8"], "--image-size needs --data DIR"),
    (["--data", "{images}/red", "--recipe", "cgan-mnist"], "is unlabelled (put each class in a subfolder"),
    (["--data", "{images}", "--recipe", "dcgan-mnist", "--image-size", "6"], "the DCGAN nets cannot build 6x6 images"),
    (["--data", "{images}", "--recipe", "dcgan-faces", "--image-size", "12"],
     "keras.io's face DCGAN cannot build 12x12 images"),
    (["--recipe", "folder"], "recipe 'folder' trains on a folder of images: add --data DIR"),
    (["--data", "{images}", "--diff-augment", "color,flip"], "unknown DiffAugment transform 'flip'"),
])
def test_folder_options_that_cannot_train_are_refused_in_one_line_leaving_no_file(
        tmp_path, monkeypatch, run_in_process, arguments, message):
    monkeypatch.setenv("KERASGAN_CACHE", str(tmp_path / "cache"))
    images = colour_folder(tmp_path / "images")
    code, error = run_in_process("train", *(argument.format(images=images) for argument in arguments),
                                 "--steps", "2", "--batch-size", "8", "--out", str(tmp_path / "run"), "--no-progress")
    assert code == 2 and message in error
    assert not [path for path in (tmp_path / "run").rglob("*") if path.is_file()]


def test_a_folder_without_a_recipe_trains_the_folder_recipe_at_32_pixels_with_diff_augment(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERASGAN_CACHE", str(tmp_path / "cache"))
    run = tmp_path / "run"
    run_command("train", ["--data", str(colour_folder(tmp_path / "images")), "--steps", "2", "--batch-size", "8",
                          "--out", str(run), "--no-progress", "--eval-samples", "0"])
    config = json.loads((run / "config.json").read_text())
    assert (config["name"], config["image_size"], config["data"]["image_shape"]) == ("folder", 32, [32, 32, 3])
    assert config["diff_augment"] == "color,translation,cutout"
