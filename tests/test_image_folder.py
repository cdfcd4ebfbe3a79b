"""A folder of the user's own images: classes from subfolders, centre crop and resize, channels, transparency,
unreadable files, bad input, and the decode-once cache. Every folder here is made by the test."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kerasgan.errors import UserError
from kerasgan.image_folder import image_header, load_folder

EMOJI = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "emoji" / "noto-64"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_CACHE", str(tmp_path / "cache"))


def write_image(path: Path, array: np.ndarray, mode: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array, mode).save(path)
    return path


def solid(size: tuple[int, int], value, channels: int = 3) -> np.ndarray:
    return np.full((size[1], size[0], channels) if channels > 1 else (size[1], size[0]), value, dtype=np.uint8)


def test_two_subfolders_are_two_classes_named_in_sorted_order(tmp_path):
    for index in range(3):
        write_image(tmp_path / "data" / "dogs" / f"{index}.png", solid((8, 8), 200))
        write_image(tmp_path / "data" / "cats" / "nested" / f"{index}.jpg", solid((8, 8), 40))
    loaded = load_folder(tmp_path / "data")
    assert loaded.spec.class_names == ("cats", "dogs")
    assert loaded.spec.image_shape == (8, 8, 3)
    assert sorted(loaded.labels.tolist()) == [0, 0, 0, 1, 1, 1]
    assert loaded.images[loaded.labels == 1].min() == 200


def test_a_flat_folder_is_unlabelled_and_grey_images_stay_one_channel(tmp_path):
    for index in range(4):
        write_image(tmp_path / "flat" / f"{index}.png", solid((6, 6), 10 * index, channels=1))
    loaded = load_folder(tmp_path / "flat")
    assert loaded.labels is None and loaded.spec.class_names is None
    assert loaded.images.shape == (4, 6, 6, 1)
    assert sorted(loaded.images[:, 0, 0, 0].tolist()) == [0, 10, 20, 30]


def test_a_wide_image_is_cropped_to_its_centre_square_then_resized(tmp_path):
    wide = np.zeros((10, 30, 3), dtype=np.uint8)
    wide[:, 10:20] = 255  # the centre third is white, the sides black
    write_image(tmp_path / "one" / "wide.png", wide)
    loaded = load_folder(tmp_path / "one", image_size=5)
    assert loaded.images.shape == (1, 5, 5, 3)
    assert loaded.images.min() == 255


def test_transparency_is_laid_on_white_unless_four_channels_keep_it(tmp_path):
    clear = np.zeros((4, 4, 4), dtype=np.uint8)  # fully transparent black
    write_image(tmp_path / "alpha" / "clear.png", clear, "RGBA")
    assert load_folder(tmp_path / "alpha").images.min() == 255
    assert load_folder(tmp_path / "alpha", background="black").images.max() == 0
    kept = load_folder(tmp_path / "alpha", channels=4)
    assert kept.images.shape == (1, 4, 4, 4) and kept.images[..., 3].max() == 0


def test_mixed_sizes_and_modes_are_converted_and_said_once(tmp_path):
    write_image(tmp_path / "mixed" / "grey.png", solid((8, 8), 90, channels=1))
    write_image(tmp_path / "mixed" / "rgb.png", solid((12, 12), 90))
    Image.fromarray(solid((8, 8), 90)).convert("P").save(tmp_path / "mixed" / "palette.gif")
    loaded = load_folder(tmp_path / "mixed", image_size=8)
    assert loaded.images.shape == (3, 8, 8, 3)
    assert [note for note in loaded.notes if note.startswith("converted 3 images")]


def test_a_file_that_is_not_an_image_is_ignored_and_a_corrupt_one_is_refused_above_one_percent(tmp_path):
    write_image(tmp_path / "some" / "good.png", solid((4, 4), 1))
    (tmp_path / "some" / "notes.txt").write_text("not an image")
    assert len(load_folder(tmp_path / "some").images) == 1
    (tmp_path / "some" / "broken.png").write_bytes(b"\x89PNG broken")
    with pytest.raises(UserError, match="1 of the 2 images .* cannot be read"):
        load_folder(tmp_path / "some")


def test_a_corrupt_image_among_many_is_skipped_and_counted(tmp_path):
    for index in range(120):
        write_image(tmp_path / "many" / f"{index:03d}.png", solid((4, 4), index))
    (tmp_path / "many" / "broken.png").write_bytes(b"\x89PNG broken")
    loaded = load_folder(tmp_path / "many")
    assert len(loaded.images) == 120
    assert "skipped 1 unreadable image" in loaded.notes


@pytest.mark.parametrize("make, message", [
    (lambda root: None, "does not exist"),
    (lambda root: root.mkdir(), "holds no images"),
    (lambda root: write_image(root / "a.png", solid((4, 4), 0)), "fewer than one batch of 8"),
])
def test_bad_folders_are_refused_in_one_line(tmp_path, make, message):
    make(tmp_path / "bad")
    with pytest.raises(UserError, match=message):
        load_folder(tmp_path / "bad", min_images=8)


def test_the_second_read_comes_from_the_cache_and_a_changed_folder_is_read_again(tmp_path):
    for index in range(3):
        write_image(tmp_path / "cached" / f"{index}.png", solid((4, 4), index))
    first = load_folder(tmp_path / "cached")
    second = load_folder(tmp_path / "cached")
    assert isinstance(second.images, np.memmap)
    assert np.array_equal(first.images, second.images)
    assert second.spec == first.spec
    write_image(tmp_path / "cached" / "3.png", solid((4, 4), 3))
    third = load_folder(tmp_path / "cached")
    assert len(third.images) == 4 and third.spec.fingerprint != first.spec.fingerprint


@pytest.mark.skipif(not EMOJI.is_dir(), reason="the shared emoji folder (../shared/datasets/emoji/noto-64) is absent")
def test_the_emoji_folder_reads_as_nine_classes_of_colour_images():
    loaded = load_folder(EMOJI, image_size=16)
    assert loaded.images.shape == (3781, 16, 16, 3)
    assert len(loaded.spec.class_names) == 9
    assert np.bincount(loaded.labels).max() == 2261  # people-and-body, the largest


def test_images_lying_beside_the_class_folders_are_left_out_and_counted(tmp_path):
    for name in ("a", "b"):
        write_image(tmp_path / "classes" / name / "one.png", solid((4, 4), 7))
    write_image(tmp_path / "classes" / "stray.png", solid((4, 4), 9))
    loaded = load_folder(tmp_path / "classes")
    assert len(loaded.images) == 2 and loaded.spec.class_names == ("a", "b")
    assert "left out 1 image lying beside the class folders" in loaded.notes


def test_a_folder_is_decoded_straight_into_the_cache_and_comes_back_memory_mapped_the_first_time(tmp_path):
    for index in range(5):
        write_image(tmp_path / "mapped" / f"{index}.png", solid((6, 6), index * 40))
    loaded = load_folder(tmp_path / "mapped")
    assert isinstance(loaded.images, np.memmap) and not loaded.images.flags.writeable
    assert Path(loaded.images.filename).is_relative_to(tmp_path / "cache")
    assert loaded.images[:, 0, 0, 0].tolist() == [0, 40, 80, 120, 160]
    assert [path.name for path in (tmp_path / "cache" / "folders").iterdir()] == \
        [f"{loaded.spec.fingerprint}-own-auto-white"]  # no unfinished entry is left beside it


def test_an_image_whose_header_reads_but_whose_pixels_do_not_is_skipped_and_the_cache_holds_the_rest(tmp_path):
    for index in range(120):
        write_image(tmp_path / "late" / f"{index:03d}.png", solid((16, 16), index))
    cut_off(tmp_path / "late" / "060.png")
    assert image_header(tmp_path / "late" / "060.png") == ((16, 16), "RGB")
    first = load_folder(tmp_path / "late")
    again = load_folder(tmp_path / "late")
    assert len(first.images) == len(again.images) == 119
    assert again.images[:, 0, 0, 0].tolist() == [index for index in range(120) if index != 60]
    assert "skipped 1 unreadable image" in again.notes


def cut_off(path: Path) -> None:
    """Write a noisy 16x16 PNG at ``path``, then keep only its first half: a download cut off halfway, whose
    header still reads."""
    write_image(path, np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2])


def test_a_folder_refused_while_it_is_decoded_leaves_nothing_in_the_cache(tmp_path):
    for index in range(2):
        write_image(tmp_path / "cut" / f"{index}.png", solid((16, 16), index))
    cut_off(tmp_path / "cut" / "2.png")
    assert image_header(tmp_path / "cut" / "2.png") is not None
    with pytest.raises(UserError, match="1 of the 3 images .* cannot be read"):
        load_folder(tmp_path / "cut")
    assert list((tmp_path / "cache" / "folders").iterdir()) == []
