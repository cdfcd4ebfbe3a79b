"""The compiled GAN step on every Keras backend: TensorFlow, JAX and PyTorch train the same algorithm.

The tests marked ``backends`` run on the backend of this pytest process (CI also runs them under
``KERAS_BACKEND=jax`` and ``KERAS_BACKEND=torch`` without TensorFlow); they catch the JAX traps that train wrong
silently (lost optimizer updates, the same noise at every step, frozen BatchNorm statistics). The cross-backend
tests start a process per backend from the TensorFlow suite.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from conftest import REPO_ROOT, STEPS, any_changed, fit_steps, run_script, weights_of

from kerasgan.gans import build_gan
from kerasgan.training.driver import input_pipeline

BACKEND = keras.config.backend()
OTHER_BACKENDS = [backend for backend in ("tensorflow", "jax", "torch") if backend != BACKEND]


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def batchnorm_statistics(model) -> list[np.ndarray]:
    return [np.array(weight) for weight in model.non_trainable_weights if "moving" in weight.path]


@pytest.mark.backends
@pytest.mark.parametrize("architecture", ["keras-gan", "conditional-ac", "dcgan-small-classes", "sgan"])
def test_every_step_advances_both_optimizers_and_changes_both_networks(architecture, tiny_images):
    gan = build_gan(architecture, seed=0, steps_per_execution=1)
    generator_before, discriminator_before = weights_of(gan.generator), weights_of(gan.discriminator)
    labels = np.arange(len(tiny_images)) % 10
    stream = (input_pipeline().semi_supervised_dataset(tiny_images, labels, np.arange(20), 16, seed=0)
              if architecture == "sgan" else input_pipeline().resumable_dataset(
                  tiny_images, 16, seed=0, labels=None if architecture == "keras-gan" else labels))
    history = gan.fit(stream, epochs=1, steps_per_epoch=STEPS, verbose=0, shuffle=False).history
    assert int(gan.d_optimizer.iterations) == STEPS
    assert int(gan.g_optimizer.iterations) == STEPS
    assert any_changed(generator_before, weights_of(gan.generator))
    assert any_changed(discriminator_before, weights_of(gan.discriminator))
    moments = [np.array(variable) for variable in gan.g_optimizer.variables if "momentum" in variable.path]
    assert moments and all(np.any(moment != 0) for moment in moments), "the generator's Adam moments never moved"
    assert all(np.isfinite(values[-1]) for values in history.values())


@pytest.mark.backends
def test_the_noise_seed_advances_once_per_step_so_every_step_draws_new_noise(tiny_images):
    gan = build_gan("keras-gan", seed=3, steps_per_execution=1)
    start = np.array(gan.seed_generator.state)
    fit_steps(gan, tiny_images)
    np.testing.assert_array_equal(np.array(gan.seed_generator.state), start + np.array([0, STEPS]))


@pytest.mark.backends
def test_batchnorm_moving_statistics_move_at_every_step(tiny_images):
    gan = build_gan("keras-gan", seed=0, steps_per_execution=1)
    seen = [batchnorm_statistics(gan.generator)]
    for _ in range(STEPS):
        fit_steps(gan, tiny_images, steps=1)
        seen.append(batchnorm_statistics(gan.generator))
    assert len(seen[0]) == 6  # three BatchNorm layers, a moving mean and variance each
    for before, after in zip(seen, seen[1:]):
        assert all(not np.array_equal(old, new) for old, new in zip(before, after))


@pytest.mark.backends
def test_a_chunk_of_steps_in_one_call_trains_like_single_steps(tiny_images):
    chunked = build_gan("keras-gan", seed=0, steps_per_execution=STEPS)
    single = build_gan("keras-gan", seed=0, steps_per_execution=1)
    single.set_weights(chunked.get_weights())
    fit_steps(chunked, tiny_images)
    fit_steps(single, tiny_images)
    for got, expected in zip(weights_of(chunked), weights_of(single)):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.backends
def test_the_input_gradient_of_the_backend_is_the_slope_a_gradient_penalty_needs():
    from kerasgan.gans import step_module
    from kerasgan.losses import gradient_penalty

    images = keras.ops.convert_to_tensor(np.ones((4, 28, 28, 1), np.float32))
    slopes = step_module().input_gradient(lambda x: 3.0 * keras.ops.sum(keras.ops.square(x), axis=(1, 2, 3)), images)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(slopes), 6.0)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(gradient_penalty(slopes)), (6.0 * 28 - 1) ** 2, rtol=1e-6)


def relative_difference(result: dict, reference: dict, initial: dict) -> float:
    """The largest difference between two sets of weights after a step from ``initial``, per tensor, relative to
    the reference tensor's norm or, for a tensor smaller than the whole step (a bias moved from zero by a
    gradient that nearly cancels), to the norm of the whole step: float32 rounding is not relative to the size
    of such a tensor, but to that of the sums that moved it."""
    keys = [key for key in reference if key.startswith("weight/")]
    step = np.sqrt(sum(np.sum(np.square(reference[key] - initial[key])) for key in keys))
    return max(np.linalg.norm(result[key] - reference[key]) / max(np.linalg.norm(reference[key]), step)
               for key in keys)


@pytest.fixture(scope="module")
def one_step_on_each_backend(tmp_path_factory) -> tuple:
    """One SGD and one Adam step of four GANs on every installed backend, from the same weights, batch and noise."""
    backends = [backend for backend in ("tensorflow", "jax", "torch") if installed(backend)]
    if backends[:1] != ["tensorflow"] or len(backends) < 2:
        pytest.skip(f"the reference is TensorFlow's step; installed: {backends}")
    folder = tmp_path_factory.mktemp("one-step")
    helper = [sys.executable, str(REPO_ROOT / "tests" / "backend_step.py")]

    def start(mode: str, backend: str) -> subprocess.Popen:
        return subprocess.Popen([*helper, mode, str(folder), *CROSS_BACKEND_ARCHITECTURES], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, env={**os.environ, "KERAS_BACKEND": backend})

    def finish(*processes: subprocess.Popen) -> None:
        for process in processes:
            stderr = process.communicate(timeout=600)[1]
            assert process.returncode == 0, stderr[-3000:]

    finish(start("init", backends[0]))
    finish(*[start("step", backend) for backend in backends])  # side by side: each is mostly one core's work
    return folder, backends


ONE_UPDATE_ARCHITECTURES = ("keras-gan", "dcgan", "conditional")  # one D and one G update per step
CROSS_BACKEND_ARCHITECTURES = (*ONE_UPDATE_ARCHITECTURES, "dcgan-small", "dcgan-small-classes", "wgan-gp")


def load_step(folder, name: str) -> dict:
    return dict(np.load(folder / f"{name}.npz"))


@pytest.mark.slow
@pytest.mark.parametrize("architecture", CROSS_BACKEND_ARCHITECTURES)
def test_one_sgd_step_on_jax_and_pytorch_gives_the_weights_tensorflow_gives(one_step_on_each_backend, architecture):
    """The articles' MLP (with BatchNorm), the DCGAN, the CPU-sized DCGAN (the minibatch stddev on feature maps) with
    and without a class head, the conditional GAN and WGAN-GP (three critic steps with a gradient penalty, a
    second derivative): same losses (1e-5 relative, 1e-6 absolute for a WGAN mean score near zero), same gradients
    (within 1e-4 per tensor, see ``relative_difference``), same BatchNorm statistics; the step itself moves them by
    far more."""
    folder, backends = one_step_on_each_backend
    initial, reference = load_step(folder, f"initial-{architecture}"), load_step(folder, f"{backends[0]}-{architecture}-sgd")
    assert max(np.linalg.norm(reference[key] - initial[key]) / (np.linalg.norm(initial[key]) + 1e-8)
               for key in reference if key.startswith("weight/")) > 1e-2
    for backend in backends[1:]:
        result = load_step(folder, f"{backend}-{architecture}-sgd")
        assert relative_difference(result, reference, initial) < 1e-4, backend
        for name in (key for key in reference if key.startswith("log/")):
            np.testing.assert_allclose(result[name], reference[name], rtol=1e-5, atol=1e-6, err_msg=(backend, name))


@pytest.mark.slow
@pytest.mark.parametrize("architecture", ONE_UPDATE_ARCHITECTURES)
def test_one_adam_step_agrees_across_backends_except_where_a_gradient_is_too_small_to_have_a_sign(
        one_step_on_each_backend, architecture):
    """Adam's first step moves every weight by about the learning rate in the direction of its gradient's sign;
    where a gradient is within float32 rounding of zero, backends that sum in another order may pick the other
    sign. Everywhere else (at least 99.5 % of the weights) they agree within 1e-6. Not WGAN-GP: its step takes
    three critic updates, and after a first sign step the later ones start from critics that differ by the
    learning rate wherever a sign flipped (its SGD step is compared above)."""
    folder, backends = one_step_on_each_backend
    reference = load_step(folder, f"{backends[0]}-{architecture}-adam")
    for backend in backends[1:]:
        result = load_step(folder, f"{backend}-{architecture}-adam")
        keys = [key for key in reference if key.startswith("weight/")]
        differing = sum(int(np.sum(np.abs(result[key] - reference[key]) > 1e-6)) for key in keys)
        assert differing / sum(reference[key].size for key in keys) < 0.005, backend
        assert max(float(np.max(np.abs(result[key] - reference[key]))) for key in keys) < 2 * 2e-4 + 1e-6


TINY_RUN = ("--steps", "20", "--batch-size", "16", "--checkpoint-interval", "10", "--eval-samples", "0",
            "--no-progress")


@pytest.mark.slow
@pytest.mark.skipif(not installed("jax"), reason="JAX is not installed")
def test_data_parallel_on_two_jax_cpu_devices_gives_the_one_device_weights(idx_folder, tmp_path):
    env = {"KERAS_BACKEND": "jax", "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    command = ("--recipe", "gan-in-6-min", "--loop", "fast", "--data-dir", str(idx_folder), *TINY_RUN)
    one = run_script("train.py", *command, "--out", str(tmp_path / "one"), env=env)
    two = run_script("train.py", *command, "--strategy", "mirrored", "--out", str(tmp_path / "two"), env=env)
    assert one.returncode == 0 and two.returncode == 0, one.stderr[-2000:] + two.stderr[-2000:]
    assert "strategy 'mirrored': 2 devices share each batch of 16" in two.stdout
    single, parallel = (dict(np.load(tmp_path / run / "checkpoint.npz")) for run in ("one", "two"))
    assert int(parallel["step"]) == 20
    for name in single:
        if name.startswith(("generator/", "discriminator/")):
            np.testing.assert_allclose(parallel[name], single[name], atol=1e-5, err_msg=name)


@pytest.mark.slow
def test_a_run_continues_on_the_other_backends_and_their_generator_loads_on_this_one(idx_folder, tmp_path):
    """The run folder is portable: a checkpoint written here continues under each other installed backend in turn
    (not bitwise: other kernels) without TensorFlow's CUDA start-up lines where it is installed beside them, and the
    generator the last one saves loads and samples here."""
    others = [backend for backend in OTHER_BACKENDS if installed(backend)]
    if not others:
        pytest.skip("no other backend is installed")
    from kerasgan.training.checkpoint import load_keras_model

    run_dir = tmp_path / "run"
    first = run_script("train.py", "--data-dir", str(idx_folder), *TINY_RUN, "--out", str(run_dir))
    assert first.returncode == 0, first.stderr[-2000:]
    for index, backend in enumerate(others, start=2):
        continued = run_script("train.py", "--resume", str(run_dir), "--steps", str(20 * index), "--data-dir",
                               str(idx_folder), "--no-progress", "--eval-samples", "0", env={"KERAS_BACKEND": backend})
        assert continued.returncode == 0, continued.stderr[-2000:]
        assert "cudart" not in continued.stderr and "cuInit" not in continued.stderr, continued.stderr[:2000]
        assert int(np.load(run_dir / "checkpoint.npz")["step"]) == 20 * index
    generator = load_keras_model(run_dir / "generator.keras")
    images = keras.ops.convert_to_numpy(generator(np.zeros((4, 100), "float32")))
    assert images.shape == (4, 28, 28, 1) and np.all(np.abs(images) <= 1)
