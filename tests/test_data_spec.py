"""The one description of a run's images: saved in config.json, read back, and obeyed by the nets and GAN families."""

import json

import numpy as np
import pytest

from kerasgan.data_spec import BUILT_IN, MNIST, DataSpec
from kerasgan.gans import ConditionalGAN, build_gan
from kerasgan.recipes import get_recipe
from kerasgan.run_folder import RunFolder
from kerasgan.settings import RunSettings

EMOJI_LIKE = DataSpec("faces", (32, 32, 3), ("happy", "sad", "angry"), "/data/faces", "0123abcd")


def test_a_description_survives_the_round_trip_through_json():
    assert DataSpec.from_dict(json.loads(json.dumps(EMOJI_LIKE.to_dict()))) == EMOJI_LIKE
    assert (EMOJI_LIKE.channels, EMOJI_LIKE.num_classes) == (3, 3)
    assert DataSpec("plain", (8, 8, 1)).num_classes == 0


def test_the_built_in_data_sets_are_28_by_28_grey_in_ten_classes():
    assert [(spec.image_shape, spec.num_classes) for spec in BUILT_IN.values()] == [((28, 28, 1), 10)] * 2
    assert BUILT_IN["fashion_mnist"].class_names[9] == "Ankle boot"


def test_config_json_keeps_the_data_description_and_the_folder_settings(tmp_path):
    folder = RunFolder(tmp_path)
    settings = RunSettings(get_recipe("default").replace(image_size=32), seed=3, data_folder=tmp_path / "images",
                           data=EMOJI_LIKE)
    folder.write_settings(settings)
    assert json.loads(folder.config.read_text())["data"]["class_names"] == ["happy", "sad", "angry"]
    read = folder.read_settings()
    assert (read.data, read.data_folder, read.recipe.image_size, read.background) == (EMOJI_LIKE, tmp_path / "images", 32,
                                                                             "white")


def test_a_config_saved_before_latent_dim_had_its_name_reads_its_z_size_as_latent_dim(tmp_path):
    folder = RunFolder(tmp_path)
    folder.write_settings(RunSettings(get_recipe("default")))
    config = json.loads(folder.config.read_text())
    config["z_size"] = config.pop("latent_dim")
    del config["data"]
    folder.config.write_text(json.dumps(config))
    assert folder.read_settings().recipe.latent_dim == 100


@pytest.mark.parametrize("architecture", ["dcgan-small", "keras-gan-mbstd"])
def test_an_unconditional_gan_is_built_for_the_described_image_shape(architecture):
    gan = build_gan(architecture, data=EMOJI_LIKE)
    images = np.asarray(gan.generator(gan.grid_inputs(2, 2)))
    assert images.shape == (4, 32, 32, 3)
    assert gan.discriminator.input_shape == (None, 32, 32, 3)


def test_a_conditional_gan_takes_as_many_classes_as_the_description_names():
    gan = build_gan("conditional", data=DataSpec("three", (28, 28, 1), ("a", "b", "c")))
    assert isinstance(gan, ConditionalGAN) and gan.num_classes == 3
    noise, labels = gan.grid_inputs(3, 2)
    assert labels.reshape(-1).tolist() == [0, 0, 1, 1, 2, 2]
    assert gan.grid_row_labels(3, ("a", "b", "c")) == ["a", "b", "c"]
    assert build_gan("conditional").num_classes == MNIST.num_classes
