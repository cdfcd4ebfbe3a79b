"""Scores for a run on a folder of images: an evaluator trained on the folder's classes (or on turns of its images
when it has none), the user's own feature model, the refusal when there is neither, and the cached reference.
Every folder here is made by the test: 16 x 16 RGB images, discs in one class and stripes in the other."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import tiny_run
from PIL import Image

from kerasgan.cli import run_command
from kerasgan.data import load_training_data
from kerasgan.run import train_recipe
from kerasgan.run_folder import RunFolder


def shapes_folder(root: Path, per_class: int = 16, labelled: bool = True) -> Path:
    """Red discs and blue stripes on dark noise, in two class folders (or all in one flat folder)."""
    rng = np.random.default_rng(0)
    rows, cols = np.mgrid[:16, :16]
    for name in ("discs", "stripes"):
        folder = root / name if labelled else root
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            pixels = rng.integers(0, 40, (16, 16, 3), dtype=np.uint8)
            if name == "discs":
                pixels[(rows - 8) ** 2 + (cols - 8) ** 2 < 20] = (230, 40, 40)
            else:
                pixels[::4] = (40, 40, 230)
            Image.fromarray(pixels).save(folder / f"{name}-{index}.png")
    return root


def folder_run(images: Path, run: Path, eval_samples: int = 0) -> tuple[RunFolder, str]:
    """A two-step run of the default recipe on a folder (its images' own size); returns it and what it printed."""
    import contextlib
    import io

    settings = tiny_run("default", steps=2, sample_interval=2, checkpoint_interval_steps=2, data_folder=images,
                        eval_samples=eval_samples)
    x_train, y_train, data, _ = load_training_data(settings)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        train_recipe(settings.replace(data=data), RunFolder(run).prepare(), x_train, y_train)
    return RunFolder(run), printed.getvalue()


@pytest.fixture(scope="module")
def unscored_run(tmp_path_factory) -> tuple[Path, RunFolder, str]:
    """The labelled folder and a tiny run on it, trained while no evaluator existed (and what the run printed)."""
    root = tmp_path_factory.mktemp("unscored")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERASGAN_CACHE", str(root / "cache"))
        images = shapes_folder(root / "shapes")
        run, printed = folder_run(images, root / "run", eval_samples=20)
    return images, run, printed


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("KERASGAN_CACHE", str(cache))
    return cache


def tiny_feature_model(path: Path) -> Path:
    """A saved .keras feature model of its own input size (8 x 8 grey): a convolution, then average pooling."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(6, 3, activation="relu"),
                              keras.layers.GlobalAveragePooling2D()])
    model.save(path)
    return path


@pytest.mark.slow
def test_train_evaluator_on_labelled_folder_saves_a_class_evaluator_that_scores_runs_at_train_end_and_in_evaluate(
        tmp_path, private_cache, capsys):
    images = shapes_folder(tmp_path / "shapes")
    run_command("train-evaluator", ["--data", str(images), "--epochs", "1", "--no-progress"])
    printed = capsys.readouterr().out
    assert "2 classes: training a classifier of the classes" in printed and "held-out accuracy" in printed
    saved = sorted(path.name for path in (private_cache / "evaluators").iterdir())
    assert len(saved) == 2 and saved[0].endswith("-16x16x3-white.json") and saved[1].endswith(".keras")
    record = json.loads((private_cache / "evaluators" / saved[0]).read_text())
    assert record["kind"] == "classes" and record["class_names"] == ["discs", "stripes"]
    assert record["held_out"] == 3 and record["trained_on"] == 29 and 0 <= record["accuracy"] <= 1

    run, printed = folder_run(images, tmp_path / "run", eval_samples=20)  # the evaluator exists: the run is scored
    assert "not scored" not in printed
    at_train_end = json.loads((run / "evaluation.json").read_text())
    assert at_train_end["features"].startswith("2-class evaluator") and at_train_end["num_classes"] == 2

    run_command("evaluate", [str(run), "-n", "20", "--json", str(tmp_path / "scores.json")])
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["n"] == 20 and scores["reference_n"] == 32 and math.isfinite(scores["fd"])
    assert scores["fd"] > scores["floors"]["fd"] >= 0  # two training steps draw noise, nothing like the shapes
    assert 1 <= scores["classifier_score"] <= 2 and scores["classes_covered"] in (1, 2)
    assert scores["floors"]["n"] == 16 and len(scores["floors"]["class_shares"]) == 2


def test_a_run_trained_before_any_evaluator_says_which_command_would_score_it(unscored_run):
    images, run, printed = unscored_run
    assert f"not scored: no evaluator for these images yet; run `kerasgan train-evaluator --data {images} " \
           f"--image-size 16`" in printed
    assert not (run / "evaluation.json").exists()


def test_evaluate_refuses_a_folder_run_without_an_evaluator_naming_the_command_and_writing_nothing(
        unscored_run, private_cache, tmp_path, run_in_process):
    images, run, _ = unscored_run
    code, error = run_in_process("evaluate", str(run), "-n", "20", "--json", str(tmp_path / "scores.json"))
    assert code == 2 and error.count("\n") == 1
    assert error.startswith(f"error: no evaluator for the images of --data {images} yet: run "
                            f"`kerasgan train-evaluator --data {images} --image-size 16` first")
    assert not (tmp_path / "scores.json").exists() and not (run / "evaluation.json").exists()
    assert not (private_cache / "reference").exists()


@pytest.mark.slow
def test_an_unlabelled_folder_gets_a_rotation_evaluator_scoring_without_class_numbers(
        tmp_path, private_cache, capsys):
    from kerasgan.feature_models import cached_evaluator, data_key, reference_statistics, score_images
    from kerasgan.image_folder import load_folder

    images = shapes_folder(tmp_path / "flat", per_class=8, labelled=False)
    run_command("train-evaluator", ["--data", str(images), "--epochs", "1", "--no-progress"])
    printed = capsys.readouterr().out
    assert "no classes: training a rotation evaluator" in printed and "turns of held-out images" in printed
    record = json.loads(next((private_cache / "evaluators").glob("*.json")).read_text())
    assert record["kind"] == "rotation" and record["class_names"] is None
    # 2 held-out and 14 training images, each in 4 turns, one in four of them each turn
    assert (record["held_out"], record["trained_on"], record["largest_class_share"]) == (8, 56, 0.25)

    spec = load_folder(images).spec
    evaluator = cached_evaluator(spec)
    assert evaluator.kind == "rotation" and evaluator.description.startswith("rotation evaluator")
    reference = reference_statistics(evaluator, data_key(spec, "white"), lambda: pytest.fail("cached already"))
    noise = np.random.default_rng(1).uniform(-1, 1, (12, 16, 16, 3)).astype(np.float32)
    scores = score_images(noise, spec, evaluator, reference)
    assert math.isfinite(scores["fd"]) and scores["fd"] > 0 and scores["reference_n"] == 16
    assert "classifier_score" not in scores and "classes_covered" not in scores
    assert "classifier_score" not in scores["floors"] and scores["floors"]["n"] == 8


def test_evaluate_with_features_scores_through_the_users_model_and_reuses_the_cached_reference(
        unscored_run, private_cache, tmp_path, monkeypatch):
    import kerasgan.feature_models

    _, run, _ = unscored_run
    model = tiny_feature_model(tmp_path / "tiny.keras")
    arguments = [str(run), "-n", "20", "--features", str(model), "--json", str(tmp_path / "first.json")]
    run_command("evaluate", arguments)
    first = json.loads((tmp_path / "first.json").read_text())
    assert first["features"] == "tiny.keras (input 8x8x1, tanh scale)" and "classifier_score" not in first
    assert math.isfinite(first["fd"]) and first["reference_n"] == 32 and first["floors"]["n"] == 16
    [cached] = (private_cache / "reference").iterdir()
    with np.load(cached) as saved:
        assert saved["features"].shape == (32, 6) and saved["cov"].shape == (6, 6)
    written = cached.stat().st_mtime_ns

    def no_second_read(settings):
        raise AssertionError("the real images were read again")

    monkeypatch.setattr(kerasgan.feature_models, "run_images", no_second_read)
    arguments[-1] = str(tmp_path / "second.json")
    run_command("evaluate", arguments)
    second = json.loads((tmp_path / "second.json").read_text())
    assert second["fd"] == first["fd"] and second["floors"] == first["floors"]
    assert cached.stat().st_mtime_ns == written and len(list((private_cache / "reference").iterdir())) == 1


def test_a_features_model_that_is_not_a_keras_file_or_takes_no_images_is_refused_in_one_line(
        unscored_run, tmp_path, run_in_process):
    import keras

    _, run, _ = unscored_run
    (tmp_path / "model.h5").write_bytes(b"not a model")
    code, error = run_in_process("evaluate", str(run), "--features", str(tmp_path / "model.h5"))
    assert code == 2 and "is not a .keras file" in error
    keras.Sequential([keras.Input((5,)), keras.layers.Dense(2)]).save(tmp_path / "vectors.keras")
    code, error = run_in_process("evaluate", str(run), "--features", str(tmp_path / "vectors.keras"))
    assert code == 2 and "kerasgan needs one image input (N, height, width, channels)" in error
    assert not (run / "evaluation.json").exists()


def test_images_meet_a_feature_model_in_its_channels():
    from kerasgan.feature_models import convert_channels

    rgba = np.zeros((1, 2, 2, 4), dtype=np.float32)
    rgba[..., 3] = -1.0  # fully transparent black: the background shows
    assert np.allclose(convert_channels(rgba, 3, "white"), 1.0)
    assert np.allclose(convert_channels(rgba, 3, "black"), -1.0)
    grey = np.full((1, 2, 2, 1), 0.5, dtype=np.float32)
    assert np.allclose(convert_channels(grey, 3), 0.5) and convert_channels(grey, 3).shape == (1, 2, 2, 3)
    red = np.concatenate([np.ones((1, 2, 2, 1)), -np.ones((1, 2, 2, 2))], axis=-1).astype(np.float32)
    assert np.allclose(convert_channels(red, 1), 0.299 - 0.701)
    assert np.allclose(convert_channels(grey, 4)[..., 3], 1.0)



def test_a_conditional_generator_gets_its_label_accuracy_from_a_class_evaluator():
    import types

    import keras

    from kerasgan.data_spec import DataSpec
    from kerasgan.feature_models import CLASSES, FeatureModel, Reference, score_generator

    z, label = keras.Input((4,)), keras.Input((1,), dtype="int32")
    colour = keras.layers.Embedding(2, 16 * 16 * 3, embeddings_initializer="zeros")
    image = keras.layers.Activation("tanh")(keras.layers.Reshape((16, 16, 3))(keras.layers.Flatten()(colour(label))))
    generator = keras.Model([z, label], image)
    bright = np.full((2, 16, 16, 3), -3.0, dtype=np.float32)
    bright[0, ..., 0] = bright[1, ..., 2] = 3.0  # class 0 draws red images, class 1 blue ones
    colour.set_weights([bright.reshape(2, -1)])

    def red_or_blue(images, training=False):  # a perfect evaluator of the two colours
        means = images.mean(axis=(1, 2))
        return means, np.stack([means[:, 0] > means[:, 2], means[:, 0] <= means[:, 2]], axis=1).astype(np.float32)

    spec = DataSpec("colours", (16, 16, 3), ("red", "blue"), "test", "0123")
    evaluator = FeatureModel("two-colour evaluator", CLASSES, "test", red_or_blue, spec.class_names)
    real = np.random.default_rng(0).normal(size=(10, 3))
    scores = score_generator(generator, types.SimpleNamespace(conditional=True), spec, evaluator,
                             Reference(real, {}, Path("unused")), n=20)
    assert scores["label_accuracy"] == 1.0 and scores["per_class_accuracy"] == [1.0, 1.0]
    assert scores["classes_covered"] == 2 and scores["min_class_share"] == 0.5 and scores["num_classes"] == 2


def test_the_train_evaluator_command_a_run_is_told_to_use_reads_its_images_as_the_run_did(tmp_path, run_in_process):
    from kerasgan.data_spec import DataSpec
    from kerasgan.feature_models import train_evaluator_command

    grey = DataSpec("pictures", (24, 24, 1), None, "array", "0123")
    on_file = tiny_run(data_folder=tmp_path / "pictures.npz", channels=1, background="black", data=grey)
    assert train_evaluator_command(on_file) == (f"kerasgan train-evaluator --data {tmp_path / 'pictures.npz'} "
                                                f"--image-size 24 --channels 1 --background black")
    colour = DataSpec("tfds:cifar10", (32, 32, 3), ("airplane", "automobile"), "tfds", "4567")
    on_tfds = tiny_run(data=colour)
    on_tfds = on_tfds.replace(recipe=on_tfds.recipe.replace(dataset="tfds:cifar10"))
    assert train_evaluator_command(on_tfds) == "kerasgan train-evaluator --dataset tfds:cifar10 --image-size 32"

    code, error = run_in_process("train-evaluator", "--epochs", "1")
    assert code == 2 and "--data DIR|FILE or --dataset tfds:NAME (one of them)" in error
    code, error = run_in_process("train-evaluator", "--dataset", "mnist")
    assert code == 2 and "give tfds:NAME (MNIST and Fashion-MNIST have shipped evaluators)" in error
