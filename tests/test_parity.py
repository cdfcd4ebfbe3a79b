"""The articles' train_on_batch loop really trains on Keras 3 (the `trainable` trap as a regression test)."""

import numpy as np
import pytest
from conftest import any_changed, weights_of

from kerasgan.models import initialize_model
from kerasgan.training import train


def test_the_articles_freeze_pattern_stops_the_discriminator_training_under_keras_3(tiny_images):
    """Documents the trap: `disc.trainable = False` after compile makes `disc.train_on_batch` a no-op."""
    discriminator, _, _ = initialize_model()
    discriminator.trainable = False
    before = weights_of(discriminator)
    discriminator.train_on_batch(tiny_images[:8], np.ones((8, 1)))
    assert not any_changed(before, weights_of(discriminator))


def test_discriminator_changes_on_its_own_step_and_not_on_the_generator_step(tiny_images):
    discriminator, generator, combined = initialize_model()
    snapshots = {"d_step_changed_d": [], "g_step_changed_d": [], "g_step_changed_g": []}

    def spy(method, on_call):
        def wrapper(*args, **kwargs):
            before_d, before_g = weights_of(discriminator), weights_of(generator)
            result = method(*args, **kwargs)
            on_call(before_d, before_g)
            return result
        return wrapper

    discriminator.train_on_batch = spy(
        discriminator.train_on_batch,
        lambda d, g: snapshots["d_step_changed_d"].append(any_changed(d, weights_of(discriminator))),
    )

    def record_generator_step(d, g):
        snapshots["g_step_changed_d"].append(any_changed(d, weights_of(discriminator)))
        snapshots["g_step_changed_g"].append(any_changed(g, weights_of(generator)))

    combined.train_on_batch = spy(combined.train_on_batch, record_generator_step)
    train(discriminator, generator, combined, tiny_images, epochs=3, batch_size=8, sample_path=None, progress=False)

    assert snapshots["d_step_changed_d"] == [True] * 6
    assert snapshots["g_step_changed_d"] == [False] * 3
    assert snapshots["g_step_changed_g"] == [True] * 3
    assert discriminator.trainable


def test_short_run_gives_finite_losses_and_writes_the_sample_grids(tiny_images, tmp_path):
    discriminator, generator, combined = initialize_model()
    history = train(discriminator, generator, combined, tiny_images, epochs=5, batch_size=8, sample_interval=2,
                    sample_path=str(tmp_path / "%d.png"), progress=False)
    assert set(history) == {"d_loss", "d_acc", "g_loss"}
    assert all(len(values) == 5 for values in history.values())
    assert all(np.isfinite(values).all() for values in history.values())
    assert sorted(path.name for path in tmp_path.glob("*.png")) == ["0.png", "2.png", "4.png"]


@pytest.mark.parametrize("use_predict", [False, True])
def test_predict_and_direct_call_make_the_same_first_fake_batch(tiny_images, use_predict):
    """The fast default (direct call) and strict parity (`predict`) train identically from one seed."""
    results = []
    for predict in (use_predict, not use_predict):
        discriminator, generator, combined = initialize_model()
        generator.set_weights([np.full(w.shape, 0.01, dtype=w.dtype) if w.ndim > 1 else np.asarray(w)
                               for w in generator.get_weights()])
        discriminator.set_weights([np.full(w.shape, 0.01, dtype=w.dtype) if w.ndim > 1 else np.asarray(w)
                                   for w in discriminator.get_weights()])
        history = train(discriminator, generator, combined, tiny_images, epochs=1, batch_size=8,
                        sample_path=None, seed=3, use_predict=predict, progress=False)
        results.append(history["d_loss"][0])
    assert results[0] == pytest.approx(results[1], rel=1e-5)
