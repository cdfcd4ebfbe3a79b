"""Loading MNIST / Fashion-MNIST from each source, as the articles scale it, and the missing-data message."""

import numpy as np
import pytest

from kerasgan.data import (
    DataNotFoundError, load_data, load_raw, make_dataset, missing_data_message, read_idx, scale_images, write_idx,
)
from kerasgan.errors import UserError

MNIST_TRAIN_CLASS_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
PIXEL_SUMS = {("mnist", "train"): 1567298545, ("mnist", "test"): 264923200,
              ("fashion_mnist", "train"): 3431114169, ("fashion_mnist", "test"): 573469082}


def test_idx_folder_loads_scaled_images_and_labels(idx_folder):
    images, labels = load_data("mnist", "train", data_dir=idx_folder)
    raw = read_idx(idx_folder / "train-images-idx3-ubyte.gz")
    assert images.shape == (128, 28, 28, 1) and images.dtype == np.float32
    assert labels.dtype == np.int64 and labels[:12].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    np.testing.assert_allclose(images[..., 0], raw / 127.5 - 1.0, atol=1e-6)
    assert load_data("mnist", "test", data_dir=idx_folder)[0].shape == (32, 28, 28, 1)


def test_scaling_maps_0_and_255_to_minus_one_and_one():
    scaled = scale_images(np.array([[0, 255]], dtype=np.uint8).repeat(392, axis=0).reshape(1, 28, 28))
    assert scaled.min() == -1.0 and scaled.max() == 1.0


def test_truncated_idx_file_is_a_user_error(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    write_idx(path, np.zeros((4, 28, 28)))
    import gzip
    content = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(content[:-10]))
    with pytest.raises(UserError, match="truncated"):
        read_idx(path)


def test_folder_missing_a_file_is_reported_with_the_three_ways_to_supply_data(idx_folder, no_data_env):
    (idx_folder / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataNotFoundError, match="--data-dir"):
        load_data("mnist", "train", data_dir=idx_folder)


def test_missing_data_message_is_one_sentence_naming_the_three_sources(no_data_env):
    with pytest.raises(DataNotFoundError) as caught:
        load_raw("fashion_mnist", "train")
    message = str(caught.value)
    assert "\n" not in message
    for way in ("TFDS_DATA_DIR", "KERAS_HOME", "--data-dir"):
        assert way in message
    assert message == missing_data_message("fashion_mnist")


def test_unknown_dataset_is_a_user_error_listing_the_choices():
    with pytest.raises(UserError, match=r"unknown dataset 'mnits' \(choose from: mnist, fashion_mnist\)"):
        load_data("mnits")


def test_tf_data_pipeline_batches_with_drop_remainder(tiny_images):
    batches = list(make_dataset(tiny_images[:50], batch_size=16, seed=1))
    assert [int(batch.shape[0]) for batch in batches] == [16, 16, 16]


@pytest.mark.parametrize("source", ["tfds", "keras"])
@pytest.mark.parametrize("dataset,split", list(PIXEL_SUMS))
def test_real_data_from_each_source_has_the_published_pixel_sums(shared_datasets, source, dataset, split):
    images, labels = load_raw(dataset, split, source=source)
    assert images.shape[1:] == (28, 28) and images.dtype == np.uint8
    assert int(images.sum(dtype=np.int64)) == PIXEL_SUMS[(dataset, split)]
    assert len(labels) == len(images) == (60000 if split == "train" else 10000)


def test_real_mnist_has_the_published_class_counts(shared_datasets):
    _, labels = load_data("mnist", "train", source="keras")
    assert np.bincount(labels).tolist() == MNIST_TRAIN_CLASS_COUNTS


def test_raw_idx_folder_of_the_shared_copy_loads(shared_datasets):
    images, labels = load_data("mnist", "test", data_dir=shared_datasets / "raw" / "mnist")
    assert images.shape == (10000, 28, 28, 1) and images.min() == -1.0 and images.max() == 1.0
