"""Where a run's images come from besides a folder, and what follows from knowing them: a tfds set prepared
offline (``--dataset tfds:NAME``), an .npz/.npy file of uint8 arrays (``--data FILE``), a resumed run told what
changed in its folder (``--allow-data-change``), and a conditional run sampled by class name (``sample --label``)
with the class grid naming its rows. Every file here is made by the test; the tfds test reads the shared MNIST."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kerasgan.cli import run_command
from kerasgan.data import load_array_file, load_tfds, prepared_tfds_folder, tfds_fingerprint
from kerasgan.errors import UserError
from kerasgan.image_folder import folder_changes, load_folder

TFDS_MNIST = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "tensorflow_datasets" / "mnist"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_CACHE", str(tmp_path / "cache"))


def dark_pixels(path: Path) -> np.ndarray:
    """Where a PNG is dark (text, frame, ticks): a boolean (height, width) array."""
    with Image.open(path) as image:
        return np.asarray(image.convert("L")) < 128


def coloured(count: int, size: int = 8, seed: int = 0) -> np.ndarray:
    """``count`` random uint8 RGB images, ``size`` x ``size``."""
    return np.random.default_rng(seed).integers(0, 256, (count, size, size, 3), dtype=np.uint8)


def write_pngs(folder: Path, count: int, start: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(start, start + count):
        Image.fromarray(coloured(1, seed=index)[0]).save(folder / f"{index}.png")


# --dataset tfds:NAME

@pytest.mark.slow  # importing tensorflow_datasets and reading 60,000 images: 10-20 s on 2 cores
@pytest.mark.skipif(not TFDS_MNIST.is_dir(), reason=f"the shared prepared tfds MNIST ({TFDS_MNIST}) is absent")
def test_a_prepared_tfds_set_gives_its_train_split_and_the_class_names_of_its_info(monkeypatch):
    monkeypatch.setenv("TFDS_DATA_DIR", str(TFDS_MNIST.parent))
    loaded = load_tfds("mnist")
    assert loaded.images.shape == (60000, 28, 28, 1) and loaded.images.dtype == np.uint8
    assert int(loaded.images.sum(dtype=np.int64)) == 1567298545  # the pixel sum the shared README gives
    assert np.bincount(loaded.labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    spec = loaded.spec
    assert (spec.name, spec.source, spec.class_names) == ("tfds:mnist", "tfds", tuple("0123456789"))
    assert len(spec.fingerprint) == 16
    assert tfds_fingerprint(prepared_tfds_folder("mnist:3.0.1", TFDS_MNIST.parent)) == spec.fingerprint


def test_a_tfds_name_not_prepared_is_refused_in_one_line_saying_where_it_looked(tmp_path, monkeypatch,
                                                                                 run_in_process):
    data_dir = tmp_path / "tfds"
    (data_dir / "toy" / "1.0.0").mkdir(parents=True)
    (data_dir / "toy" / "1.0.0" / "dataset_info.json").write_text("{}")
    monkeypatch.setenv("TFDS_DATA_DIR", str(data_dir))
    with pytest.raises(UserError) as refused:
        load_tfds("cifar10")
    assert f"looked in {data_dir / 'cifar10'}" in str(refused.value)
    assert "never downloads" in str(refused.value) and "prepared there: toy" in str(refused.value)

    code, error = run_in_process("train", "--dataset", "tfds:cifar10", "--out", str(tmp_path / "run"))
    assert code == 2 and error.startswith("error: --dataset tfds:cifar10 is not prepared") and error.count("\n") == 1
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("arguments, message", [
    (["--dataset", "mnits"], "invalid choice: 'mnits'"),
    (["--dataset", "tfds:"], "invalid choice: 'tfds:'"),
    (["--image-size", "8"], "--image-size needs --data DIR or --dataset tfds:NAME"),
    (["--data", "x.npz", "--dataset", "mnist"], "name two data sets: give one"),
    (["--allow-data-change"], "--allow-data-change goes with --resume"),
])
def test_data_options_that_do_not_go_together_are_refused_in_one_line(tmp_path, run_in_process, arguments,
                                                                      message):
    code, error = run_in_process("train", *arguments, "--out", str(tmp_path / "run"))
    assert code == 2 and message in error and error.count("\n") == 1
    assert not (tmp_path / "run").exists()


# --data FILE.npz / FILE.npy

def test_an_npz_file_gives_its_images_labels_and_class_names_fingerprinted_by_its_content(tmp_path):
    images = coloured(6)
    np.savez(tmp_path / "pets.npz", x=images, y=np.array([0, 1, 1, 0, 1, 1]), class_names=np.array(["cat", "dog"]))
    loaded = load_array_file(tmp_path / "pets.npz")
    assert np.array_equal(loaded.images, images) and loaded.labels.tolist() == [0, 1, 1, 0, 1, 1]
    spec = loaded.spec
    assert (spec.name, spec.image_shape, spec.class_names, spec.source) == ("pets", (8, 8, 3), ("cat", "dog"), "array")
    assert spec.fingerprint == hashlib.sha256((tmp_path / "pets.npz").read_bytes()).hexdigest()[:16]
    assert loaded.notes == []


def test_an_npy_file_is_unlabelled_and_cropped_and_resized_exactly_as_a_folder_of_the_same_images(tmp_path):
    wide = np.random.default_rng(1).integers(0, 256, (3, 10, 14), dtype=np.uint8)  # grey, wider than high
    np.save(tmp_path / "grey.npy", wide)
    (tmp_path / "pngs").mkdir()
    for index, image in enumerate(wide):
        Image.fromarray(image).save(tmp_path / "pngs" / f"{index}.png")
    from_file = load_array_file(tmp_path / "grey.npy", image_size=6)
    from_folder = load_folder(tmp_path / "pngs", image_size=6)
    assert from_file.labels is None and from_file.spec.class_names is None
    assert from_file.images.shape == (3, 6, 6, 1)
    assert np.array_equal(from_file.images, from_folder.images)
    assert from_file.notes == ["converted 3 images of 1 size to 6x6x1"]
    assert load_array_file(tmp_path / "grey.npy", channels=3).images.shape == (3, 10, 10, 3)  # centre square


BAD_ARRAYS = [
    ("float images", lambda path: np.save(path.with_suffix(".npy"), np.zeros((4, 8, 8), np.float32)), ".npy",
     "the images must be uint8 (0-255), not float32"),
    ("two channels", lambda path: np.save(path.with_suffix(".npy"), np.zeros((4, 8, 8, 2), np.uint8)), ".npy",
     "not (4, 8, 8, 2)"),
    ("one image, not a batch", lambda path: np.save(path.with_suffix(".npy"), np.zeros((8, 8), np.uint8)), ".npy",
     "must be shaped (N, height, width) or (N, height, width, C)"),
    ("no images in the npz", lambda path: np.savez(path, pictures=np.zeros((4, 8, 8), np.uint8)), ".npz",
     "holds no 'images' (or 'x') array (it holds: pictures)"),
    ("labels of another length", lambda path: np.savez(path, images=np.zeros((4, 8, 8), np.uint8), labels=[0, 1]),
     ".npz", "the labels must be 4 integers from 0"),
    ("class names without labels", lambda path: np.savez(path, images=np.zeros((4, 8, 8), np.uint8),
                                                          class_names=["a", "b"]), ".npz", "but no 'labels'"),
    ("a label without a name", lambda path: np.savez(path, images=np.zeros((4, 8, 8), np.uint8), labels=[0, 1, 2, 2],
                                                     class_names=["a", "b"]), ".npz", "label 2 has no class name"),
    ("not an npz at all", lambda path: path.write_text("hello"), ".npz", "is not a readable .npz file"),
]


@pytest.mark.parametrize("case, make, suffix, message", BAD_ARRAYS, ids=[case[0] for case in BAD_ARRAYS])
def test_a_bad_array_file_is_refused_in_one_line(tmp_path, case, make, suffix, message):
    make(tmp_path / "bad.npz")
    with pytest.raises(UserError) as refused:
        load_array_file((tmp_path / "bad").with_suffix(suffix))
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_train_refuses_a_float_array_in_one_line_and_writes_nothing(tmp_path, run_in_process):
    np.save(tmp_path / "float.npy", np.zeros((16, 8, 8, 3), np.float32))
    code, error = run_in_process("train", "--data", str(tmp_path / "float.npy"), "--recipe", "dcgan-mnist",
                                 "--out", str(tmp_path / "run"))
    assert code == 2 and "the images must be uint8 (0-255), not float32" in error and error.count("\n") == 1
    assert not (tmp_path / "run").exists()


# --resume when the folder changed

def test_the_cache_keeps_the_file_list_so_a_changed_folder_counts_what_was_added_removed_and_changed(tmp_path):
    write_pngs(tmp_path / "images", 4)
    before = load_folder(tmp_path / "images").spec.fingerprint
    write_pngs(tmp_path / "images", 2, start=10)  # two added
    (tmp_path / "images" / "0.png").unlink()  # one removed
    Image.fromarray(coloured(1, size=9)[0]).save(tmp_path / "images" / "1.png")  # one changed (size, time)
    assert folder_changes(tmp_path / "images", before) == "2 files added, 1 removed, 1 changed"
    assert folder_changes(tmp_path / "images", "0123456789abcdef") is None  # a list the cache no longer has


@pytest.mark.slow
def test_resume_refuses_a_changed_folder_saying_what_changed_and_allow_data_change_goes_on(
        tmp_path, run_in_process, capsys):
    images, run = tmp_path / "images", tmp_path / "run"
    write_pngs(images, 16)
    run_command("train", ["--data", str(images), "--recipe", "dcgan-mnist", "--steps", "2", "--batch-size", "8",
                          "--sample-interval", "2", "--checkpoint-interval", "2", "--out", str(run), "--no-progress",
                          "--eval-samples", "0"])
    began = json.loads((run / "config.json").read_text())["data"]["fingerprint"]
    write_pngs(images, 1, start=100)
    (images / "3.png").unlink()
    (images / "4.png").unlink()
    capsys.readouterr()

    code, error = run_in_process("train", "--resume", str(run), "--steps", "4", "--eval-samples", "0")
    assert code == 2 and error.count("\n") == 1
    assert f"the files in {images.resolve()} changed since the run began: 1 file added, 2 removed, 0 changed" in error
    assert "--allow-data-change" in error

    run_command("train", ["--resume", str(run), "--steps", "4", "--eval-samples", "0", "--allow-data-change",
                          "--no-progress"])
    said = capsys.readouterr().out
    assert said.count("the data changed: the files in") == 1 and "1 file added, 2 removed, 0 changed" in said
    config = json.loads((run / "config.json").read_text())
    assert config["data"]["fingerprint"] != began and "allow_data_change" not in config
    assert json.loads((run / "summary.json").read_text())["steps"] == 4


def test_a_changed_array_file_is_named_with_its_hash_and_other_classes_are_refused_even_when_allowed(tmp_path,
                                                                                                    capsys):
    from kerasgan.commands.train import check_same_data
    from kerasgan.data_spec import DataSpec
    from kerasgan.recipes import get_recipe
    from kerasgan.run_folder import RunFolder
    from kerasgan.settings import RunSettings

    began = DataSpec("pets", (8, 8, 3), ("cats", "dogs"), "array", "aaaa")
    settings = RunSettings(get_recipe("cgan-mnist"), data=began, data_folder=tmp_path / "pets.npz",
                           allow_data_change=True)
    check_same_data(RunFolder(tmp_path / "run"), settings,
                    DataSpec("pets", (8, 8, 3), ("cats", "dogs"), "array", "bbbb"))
    assert capsys.readouterr().out == (f"the data changed: the file {tmp_path / 'pets.npz'} changed since the run "
                                       f"began (SHA-256 aaaa..., now bbbb...); going on with it as it is now "
                                       f"(--allow-data-change)\n")
    with pytest.raises(UserError, match="its classes are now cats, dogs, birds, not cats, dogs"):
        check_same_data(RunFolder(tmp_path / "run"), settings,
                        DataSpec("pets", (8, 8, 3), ("cats", "dogs", "birds"), "array", "cccc"))


# sample --label NAME, and a class grid that names its rows

@pytest.fixture(scope="module")
def conditional_run(tmp_path_factory) -> Path:
    """A 2-step conditional run on an .npz of 8 x 8 colour images in the classes 'cats' and 'dogs'."""
    folder = tmp_path_factory.mktemp("conditional")
    np.savez(folder / "pets.npz", images=coloured(16), labels=np.arange(16) % 2, class_names=["cats", "dogs"])
    run_command("train", ["--data", str(folder / "pets.npz"), "--recipe", "cgan-mnist", "--steps", "2",
                          "--batch-size", "8", "--sample-interval", "2", "--checkpoint-interval", "2",
                          "--out", str(folder / "run"), "--no-progress", "--eval-samples", "0"])
    return folder / "run"


@pytest.mark.slow
def test_a_conditional_run_on_an_npz_draws_one_class_by_its_name(conditional_run, tmp_path):
    data = json.loads((conditional_run / "config.json").read_text())["data"]
    assert (data["source"], data["class_names"], data["image_shape"]) == ("array", ["cats", "dogs"], [8, 8, 3])
    run_command("sample", [str(conditional_run), "-n", "6", "--label", "dogs", "--out", str(tmp_path / "dogs.png"),
                           "--npy", str(tmp_path / "dogs.npy")])
    assert np.load(tmp_path / "dogs_labels.npy").tolist() == [1] * 6
    assert np.load(tmp_path / "dogs.npy").shape == (6, 8, 8, 3)
    run_command("sample", [str(conditional_run), "-n", "2", "--label", "CATS", "--out", str(tmp_path / "cats.png"),
                           "--npy", str(tmp_path / "cats.npy")])
    assert np.load(tmp_path / "cats_labels.npy").tolist() == [0, 0]  # no other name differs only in case


@pytest.mark.slow
def test_the_class_grid_of_a_conditional_run_names_each_row_left_of_it(conditional_run, tmp_path):
    run_command("sample", [str(conditional_run), "-n", "6", "--out", str(tmp_path / "rows.png")])
    run_command("sample", [str(conditional_run), "-n", "6", "--label", "cats", "--out", str(tmp_path / "one.png")])
    dark = dark_pixels(tmp_path / "rows.png")
    frame = int(np.argmax(dark.sum(axis=0) > dark.shape[0] // 2))  # the left edge of the image frame
    assert frame > 20 and not dark[:, 0].any()
    assert dark[:, : frame - 6].any(axis=1).sum() >= 10  # text left of the frame, rows of pixels tall
    assert not dark_pixels(tmp_path / "one.png")[:, :6].any()


@pytest.mark.slow
@pytest.mark.parametrize("label, message", [
    ("birds", "error: --label birds is not a class of this generator (choose from: cats, dogs)"),
    ("1", "error: --label 1 is not a class of this generator (choose from: cats, dogs)"),  # names, not numbers
])
def test_an_unknown_class_name_is_refused_listing_the_names(conditional_run, tmp_path, run_in_process, label,
                                                            message):
    code, error = run_in_process("sample", str(conditional_run), "--label", label, "--out", str(tmp_path / "x.png"))
    assert code == 2 and error == message + "\n"
    assert not (tmp_path / "x.png").exists()


def test_a_generator_without_a_label_input_refuses_label_naming_the_conditional_recipes(tmp_path, run_in_process):
    from kerasgan.gans import build_gan

    build_gan("gan-in-6-min", seed=0).generator.save(tmp_path / "plain.keras")
    code, error = run_in_process("sample", str(tmp_path / "plain.keras"), "--label", "3",
                                 "--out", str(tmp_path / "x.png"))
    assert code == 2 and error.count("\n") == 1
    assert "this generator has no label input" in error and "cgan-mnist" in error and "acgan-mnist" in error
    assert not (tmp_path / "x.png").exists()


def test_grid_row_names_are_written_whole_left_of_their_rows_however_long(tmp_path):
    from kerasgan.plotting import save_image_grid

    white = np.ones((4, 8, 8, 1), np.float32)
    save_image_grid(white, tmp_path / "plain.png", 2, 2)
    save_image_grid(white, tmp_path / "named.png", 2, 2, row_labels=["T-shirt/top", "smileys-and-emotion"],
                    title="step 10")
    plain, named = dark_pixels(tmp_path / "plain.png"), dark_pixels(tmp_path / "named.png")
    frame = int(np.argmax(named.sum(axis=0) > named.shape[0] // 3))
    rows = np.flatnonzero(named[:, frame])
    top, bottom = rows.min(), rows.max()
    half = (top + bottom) // 2
    text = named[:, : frame - 6]
    assert text[top:half].any() and text[half:bottom].any()  # a name beside each row
    assert not named[:, 0].any() and not named[:, -1].any()  # none cut off at either edge
    plain_frame = int(np.argmax(plain.sum(axis=0) > plain.shape[0] // 3))
    assert abs((named.shape[1] - plain.shape[1]) - (frame - plain_frame)) <= 1  # the names' width was added
    assert named.shape[1] > plain.shape[1] + 60
