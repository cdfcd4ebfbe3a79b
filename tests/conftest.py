"""Shared test set-up: quiet TensorFlow, no network, the shared offline datasets, small synthetic data."""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO_ROOT.parent / "shared" / "datasets"
sys.path.insert(0, str(REPO_ROOT))  # benchmarks/ lives beside the package, outside it

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["KERASGAN_OFFLINE"] = "1"
if SHARED_DATASETS.is_dir():
    _keras_home = Path(tempfile.mkdtemp(prefix="kerasgan-keras-home-"))
    atexit.register(shutil.rmtree, _keras_home, ignore_errors=True)
    (_keras_home / "datasets").symlink_to(SHARED_DATASETS / "keras" / "datasets")
    os.environ["KERAS_HOME"] = str(_keras_home)
    os.environ["TFDS_DATA_DIR"] = str(SHARED_DATASETS / "tensorflow_datasets")

from kerasgan.cli import quiet_backend  # noqa: E402

quiet_backend()

# Test modules that import TensorFlow (its pipelines, the TensorFlow benchmark, the notebooks' kernels). An
# environment without it (JAX or PyTorch only) runs the rest: ``pytest -m backends`` there.
NEEDS_TENSORFLOW = ["test_benchmark.py", "test_data.py", "test_fast_path.py", "test_notebooks.py"]
if importlib.util.find_spec("tensorflow") is None:
    collect_ignore = NEEDS_TENSORFLOW


@pytest.fixture
def shared_datasets() -> Path:
    """The real MNIST / Fashion-MNIST copy beside the checkout (``../shared/datasets``), or skip."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"real data not present: {SHARED_DATASETS} is missing (see the README's Data section)")
    return SHARED_DATASETS


@pytest.fixture
def tiny_images() -> np.ndarray:
    """64 random images in the generator's range [-1, 1], shaped like MNIST."""
    return random_images(64)


@pytest.fixture
def tiny_labels() -> np.ndarray:
    """Labels for the 64 ``tiny_images``: the classes 0-9 in turn."""
    return np.arange(64) % 10


@pytest.fixture
def idx_folder(tmp_path) -> Path:
    """A folder of synthetic IDX .gz files laid out like the original MNIST download (128 train, 32 test)."""
    from kerasgan.data import write_idx

    rng = np.random.default_rng(0)
    for prefix, count in (("train", 128), ("t10k", 32)):
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 256, (count, 28, 28)))
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte.gz", np.arange(count) % 10)
    return tmp_path


@pytest.fixture
def no_data_env(monkeypatch, tmp_path):
    """An environment where no source holds any dataset."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty-keras-home"))
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "empty-tfds"))
    monkeypatch.setenv("KERASGAN_OFFLINE", "1")


def random_images(count: int = 128, seed: int = 0) -> np.ndarray:
    """``count`` random images in [-1, 1] shaped like MNIST (the ``tiny_images`` fixture holds 64 of them)."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (count, 28, 28, 1)).astype(np.float32)


def tiny_run(recipe: str = "default", steps: int = 20, sample_interval: int = 10, checkpoint_interval_steps: int = 10,
             **settings):
    """The settings of a tiny fast-loop run: ``recipe`` for ``steps`` steps at batch 16, a grid every
    ``sample_interval`` steps, a checkpoint every ``checkpoint_interval_steps``, no progress lines, no scores."""
    from kerasgan.recipes import get_recipe
    from kerasgan.settings import RunSettings

    return RunSettings(get_recipe(recipe).replace(steps=steps, batch_size=16, sample_interval=sample_interval),
                       checkpoint_interval_steps=checkpoint_interval_steps, progress=False, **settings)


STEPS = 3  # the length of the short fit() calls of the step tests (fit_steps)


def fit_steps(gan, images, labels=None, steps: int = STEPS):
    """``gan.fit()`` for ``steps`` steps on the backend's resumable stream of ``images`` (and ``labels``) in batches
    of 16; returns the history."""
    from kerasgan.training.driver import input_pipeline

    stream = input_pipeline().resumable_dataset(images, 16, seed=0, labels=labels)
    return gan.fit(stream, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False).history


@pytest.fixture
def run_in_process(capsys):
    """``kerasgan COMMAND ARGS`` run in this process, where a subprocess would add only its start-up: returns the
    exit code (the command must exit) and what it wrote to stderr."""
    from kerasgan.cli import run_command

    def run(command: str, *args: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as exited:
            run_command(command, list(args))
        return exited.value.code, capsys.readouterr().err

    return run


def run_script(name: str, *args: str, env: dict | None = None, timeout_s: int = 300) -> subprocess.CompletedProcess:
    """Run ``scripts/NAME`` with this Python; returns the finished process (text output captured)."""
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / name), *args],
        capture_output=True, text=True, timeout=timeout_s, env={**os.environ, **(env or {})}, cwd=REPO_ROOT,
    )


def checkpoint_arrays(path: Path) -> dict:
    """Every array of a ``checkpoint.npz``, by name."""
    with np.load(path, allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def resume_beside_the_uninterrupted_run(run: Path, idx_folder: Path, reference: subprocess.Popen,
                                        uninterrupted: Path) -> tuple[dict, dict]:
    """Resume ``run`` to its end with ``scripts/train.py``, wait for the ``reference`` process training
    ``uninterrupted``, and return both final checkpoints' arrays."""
    resumed = run_script("train.py", "--resume", str(run), "--data-dir", str(idx_folder), "--no-progress",
                         "--eval-samples", "0")
    assert resumed.returncode == 0, resumed.stderr
    assert reference.wait(timeout=180) == 0, reference.stderr.read()
    return checkpoint_arrays(run / "checkpoint.npz"), checkpoint_arrays(uninterrupted / "checkpoint.npz")


def weights_of(model) -> list[np.ndarray]:
    """A copy of every weight of a model (to compare before and after a step)."""
    return [np.array(weight) for weight in model.weights]


def any_changed(before: list[np.ndarray], after: list[np.ndarray]) -> bool:
    return any(not np.array_equal(old, new) for old, new in zip(before, after))


# Several processes training one run (test_multi_worker, test_multi_process).
def free_ports(count: int) -> list[int]:
    """Ports on localhost that nothing listens on right now."""
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("localhost", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def train_command(*arguments) -> list[str]:
    return [sys.executable, str(REPO_ROOT / "scripts" / "train.py"), *arguments]


def finish(processes, timeout=240) -> list[tuple[str, str]]:
    results = [process.communicate(timeout=timeout) for process in processes]
    assert [process.returncode for process in processes] == [0] * len(processes), \
        "\n".join(stderr[-2000:] for _, stderr in results)
    return results


def network_weights(run_dir) -> dict:
    from kerasgan.training.checkpoint import CHECKPOINT_NAME

    with np.load(run_dir / CHECKPOINT_NAME) as npz:
        return {name: npz[name] for name in npz.files if name.startswith(("generator/", "discriminator/"))}


def assert_same_weights(run_dir, reference_dir, tolerance=1e-5):
    """Every network weight within ``tolerance`` of the reference run's (0: bit for bit)."""
    weights, reference = network_weights(run_dir), network_weights(reference_dir)
    assert weights.keys() == reference.keys() and weights
    worst = max(float(np.abs(weights[name] - reference[name]).max()) for name in weights)
    assert worst <= tolerance, worst
