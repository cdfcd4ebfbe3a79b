"""The fit driver trains exactly the steps asked for: whole chunks, then the remainder, and a run resumed off
the chunk grid first goes back onto it, ending with the weights of the uninterrupted run."""

import numpy as np
import pytest
from conftest import random_images, tiny_run

from kerasgan.run import train_recipe
from kerasgan.run_folder import RunFolder
from kerasgan.training.callbacks import StepClock
from kerasgan.training.checkpoint import CHECKPOINT_NAME
from kerasgan.training.driver import Segment, input_pipeline, segments


def test_a_length_off_the_chunk_grid_ends_with_a_shorter_fit_call():
    assert segments(0, 1500, 200) == [Segment(0, 200, 0, 7), Segment(1400, 100, 7, 8)]
    assert segments(0, 1600, 200) == [Segment(0, 200, 0, 8)]
    assert segments(0, 30, 30) == [Segment(0, 30, 0, 1)]
    # 26 real epochs of 937 steps (the default recipe): 121 chunks of 200, then 162 steps
    assert segments(0, 26 * 937, 200) == [Segment(0, 200, 0, 121), Segment(24200, 162, 121, 122)]


def test_a_run_resumed_off_the_chunk_grid_first_goes_back_onto_it():
    assert segments(1500, 3000, 200) == [Segment(1500, 100, 7, 8), Segment(1600, 200, 8, 15)]
    assert segments(1500, 1550, 200) == [Segment(1500, 50, 7, 8)]
    assert segments(1500, 1500, 200) == []


def test_the_step_clock_places_every_keras_epoch_among_the_runs_steps():
    clock = StepClock(chunk=200, total_steps=1500, start_step=1450)
    assert [clock.end_step(index) for index in (0, 6, 7)] == [200, 1400, 1500]
    assert clock.first_step(7) == 1450 and clock.first_step(8) == 1600
    assert clock.finished(1500) and not clock.finished(1400)
    assert StepClock(2).end_step(9) == 20  # no length: every chunk is whole


@pytest.mark.slow
@pytest.mark.backends
def test_steps_off_the_chunk_grid_train_exactly_and_resume_to_the_uninterrupted_weights(tmp_path):
    straight, stopped = RunFolder(tmp_path / "straight").prepare(), RunFolder(tmp_path / "stopped").prepare()

    summary = train_recipe(tiny_run(steps=35), straight, x_train=random_images())
    train_recipe(tiny_run(steps=25), stopped, x_train=random_images())
    train_recipe(tiny_run(steps=35), stopped, x_train=random_images(), resume=True)

    assert summary["steps"] == 35
    with np.load(straight / CHECKPOINT_NAME) as final, np.load(stopped / CHECKPOINT_NAME) as resumed:
        assert int(final["step"]) == 35 and list(final["history/step"]) == [10, 20, 30, 35]
        assert list(resumed["history/step"]) == [10, 20, 25, 30, 35]
        for name in final.files:  # weights, both optimizers with G's average, the noise seed: bit for bit
            if not name.startswith("history/"):
                np.testing.assert_array_equal(resumed[name], final[name], err_msg=name)
    assert sorted(path.name for path in (straight / "images").iterdir()) == [
        "step_0000000.png", "step_0000010.png", "step_0000020.png", "step_0000030.png", "step_0000035.png"]


def first_batches(stream, count: int) -> list:
    """The first ``count`` batches of a stream, each a tuple of numpy arrays (``tf.data`` gives a lone tensor)."""
    return [tuple(np.asarray(part) for part in (batch if isinstance(batch, tuple) else (batch,)))
            for batch, _ in zip(stream, range(count))]


@pytest.mark.backends
@pytest.mark.parametrize("in_graph_share", [0.25, 0.0], ids=["held in the graph", "read from the file"])
def test_uint8_images_memory_mapped_from_a_file_give_the_batches_of_the_same_images_scaled_beforehand(
        tmp_path, monkeypatch, in_graph_share):
    """A folder's images stay uint8 (memory-mapped from the decode cache, perhaps larger than memory); each batch
    is scaled as it is drawn, bit for bit as when the whole array was scaled first. (tf.data holds images up to
    a share of the memory in the graph and reads larger ones from the file; the numpy streams always read.)"""
    images = np.random.default_rng(0).integers(0, 256, (40, 8, 8, 3), dtype=np.uint8)
    labels = np.arange(40) % 3
    np.save(tmp_path / "images.npy", images)
    mapped = np.load(tmp_path / "images.npy", mmap_mode="r")
    scaled = images.astype(np.float32) / 127.5 - 1.0
    streams = input_pipeline()
    if hasattr(streams, "IN_GRAPH_SHARE"):
        monkeypatch.setattr(streams, "IN_GRAPH_SHARE", in_graph_share)
    elif in_graph_share == 0.0:
        pytest.skip("the numpy streams have one way")
    for with_labels in (None, labels):
        from_file = first_batches(streams.resumable_dataset(mapped, 16, seed=3, start_step=1, labels=with_labels), 4)
        from_memory = first_batches(streams.resumable_dataset(scaled, 16, seed=3, start_step=1, labels=with_labels), 4)
        assert from_file[0][0].dtype == np.float32 and from_file[0][0].shape == (16, 8, 8, 3)
        assert all(np.array_equal(a, b) for got, want in zip(from_file, from_memory) for a, b in zip(got, want))
    labelled = np.arange(0, 40, 4)
    from_file = first_batches(streams.semi_supervised_dataset(mapped, labels, labelled, 16, seed=3), 3)
    from_memory = first_batches(streams.semi_supervised_dataset(scaled, labels, labelled, 16, seed=3), 3)
    assert all(np.array_equal(a, b) for got, want in zip(from_file, from_memory) for a, b in zip(got, want))
