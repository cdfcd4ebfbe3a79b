"""The compiled GAN step: same numbers as an eager reference, resumable, and its callbacks write their files."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import weights_of

from kerasgan.errors import UserError
from kerasgan.nets.sgan import WeightNormDense
from kerasgan.training.callbacks import GANMonitor, RunState
from kerasgan.training.checkpoint import load_checkpoint, save_checkpoint
from kerasgan.training.compiled import build_gan


def reference_step(gan, real_images, noise):
    """One simultaneous D and G update written out eagerly, independent of GAN.train_step."""
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
        fake_images = gan.generator(noise, training=True)
        real_logits = gan.discriminator(real_images, training=True)
        fake_logits = gan.discriminator(fake_images, training=True)
        d_loss = 0.5 * (bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits))
        g_loss = bce(tf.ones_like(fake_logits), fake_logits)
    for tape, loss, model, optimizer in ((d_tape, d_loss, gan.discriminator, gan.d_optimizer),
                                         (g_tape, g_loss, gan.generator, gan.g_optimizer)):
        variables = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return float(d_loss), float(g_loss)


@pytest.mark.parametrize("jit_compile", [True, False])
def test_compiled_step_gives_the_same_new_weights_as_an_eager_reference_step(tiny_images, jit_compile):
    compiled = build_gan(seed=7, jit_compile=jit_compile)
    reference = build_gan(seed=7)
    reference.set_weights(compiled.get_weights())
    real = tiny_images[:16]
    noise = tf.constant(np.random.default_rng(7).normal(size=(16, 100)).astype("float32"))
    compiled.sample_noise = lambda batch_size: noise

    logs = compiled.train_on_batch(real, return_dict=True)
    d_loss, g_loss = reference_step(reference, tf.constant(real), noise)

    assert logs["d_loss"] == pytest.approx(d_loss, rel=1e-4)
    assert logs["g_loss"] == pytest.approx(g_loss, rel=1e-4)
    for new, expected in zip(weights_of(compiled.generator) + weights_of(compiled.discriminator),
                             weights_of(reference.generator) + weights_of(reference.discriminator)):
        np.testing.assert_allclose(new, expected, rtol=1e-4, atol=1e-5)


def test_resume_restores_step_weights_optimizer_state_and_the_next_step(tiny_images, tmp_path):
    original = build_gan(seed=3)
    for _ in range(2):
        original.train_on_batch(tiny_images[:16])
    save_checkpoint(original, tmp_path / "checkpoint.npz", step=2, history={"d_loss": [0.7, 0.6]})

    restored = build_gan(seed=99)
    step, history = load_checkpoint(restored, tmp_path / "checkpoint.npz")
    assert step == 2 and history == {"d_loss": [0.7, 0.6]}
    assert restored.optimizer_steps() == 2
    for group in ("generator", "discriminator", "d_optimizer", "g_optimizer"):
        left = getattr(original, group)
        right = getattr(restored, group)
        left_values = [np.array(v) for v in (left.weights if group.endswith("ator") else left.variables)]
        right_values = [np.array(v) for v in (right.weights if group.endswith("ator") else right.variables)]
        for a, b in zip(left_values, right_values):
            np.testing.assert_array_equal(a, b)

    original.train_on_batch(tiny_images[16:32])
    restored.train_on_batch(tiny_images[16:32])
    for a, b in zip(weights_of(original.generator), weights_of(restored.generator)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_checkpoint_whose_weights_come_in_another_order_is_refused_not_loaded(tmp_path, monkeypatch):
    """The SGAN's hidden scales created trainable and frozen afterwards (as a script patching the net might) are
    stored before the biases of the same shape; the shipped net stores them after."""
    build = WeightNormDense.build

    def build_trainable_then_freeze(layer, input_shape):
        train_scale, layer.train_scale = layer.train_scale, True
        build(layer, input_shape)
        layer.scale.trainable = layer.train_scale = train_scale

    monkeypatch.setattr(WeightNormDense, "build", build_trainable_then_freeze)
    patched = build_gan("sgan", seed=0, optimizer="adam-3e-3")
    monkeypatch.undo()
    shipped = build_gan("sgan", seed=0, optimizer="adam-3e-3")
    shapes = [[tuple(weight.shape) for weight in gan.discriminator.weights] for gan in (patched, shipped)]
    assert shapes[0] == shapes[1]
    save_checkpoint(patched, tmp_path / "checkpoint.npz", step=1, history={})

    with pytest.raises(UserError, match=r"discriminator/1 is 'scale' there and 'bias' here"):
        load_checkpoint(shipped, tmp_path / "checkpoint.npz")
    assert load_checkpoint(build_gan("sgan", seed=1, optimizer="adam-3e-3"), save_checkpoint(
        shipped, tmp_path / "shipped.npz", step=1, history={}))[0] == 1


def test_callbacks_write_grids_gif_checkpoint_and_tensorboard_events(tiny_images, tmp_path):
    gan = build_gan(seed=0)
    noise = np.random.default_rng(0).normal(size=(4, 100)).astype("float32")
    run_state = RunState(tmp_path / "checkpoint.npz", clock=2, every_chunks=1)
    callbacks = [
        GANMonitor(noise, tmp_path / "images", clock=2, grid=(2, 2),
                   tensorboard_dir=tmp_path / "logs" / "samples", gif_path=tmp_path / "samples.gif"),
        run_state,
        keras.callbacks.TensorBoard(log_dir=str(tmp_path / "logs")),
    ]
    dataset = tf.data.Dataset.from_tensor_slices(tiny_images).batch(8, drop_remainder=True).repeat()
    gan.fit(dataset, epochs=2, steps_per_epoch=2, callbacks=callbacks, verbose=0, shuffle=False)

    assert sorted(p.name for p in (tmp_path / "images").glob("*.png")) == [
        "step_0000000.png", "step_0000002.png", "step_0000004.png"]
    assert (tmp_path / "samples.gif").stat().st_size > 0
    assert load_checkpoint(build_gan(), tmp_path / "checkpoint.npz")[0] == 4
    assert run_state.history["step"] == [2, 4] and len(run_state.history["g_loss"]) == 2
    tags = set()
    for event_file in (tmp_path / "logs").rglob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            tags.update(value.tag for value in event.summary.value)
    assert "samples" in tags and any("d_loss" in tag for tag in tags)


def test_nan_loss_stops_training_and_names_the_step(tiny_images, tmp_path):
    gan = build_gan(seed=0)
    run_state = RunState(tmp_path / "checkpoint.npz", clock=2)
    poisoned = tiny_images.copy()
    poisoned[:] = np.nan
    dataset = tf.data.Dataset.from_tensor_slices(poisoned).batch(8, drop_remainder=True).repeat()
    gan.fit(dataset, epochs=3, steps_per_epoch=2, callbacks=[run_state], verbose=0, shuffle=False)
    assert run_state.failed_step == 1
    assert not (tmp_path / "checkpoint.npz").exists()
