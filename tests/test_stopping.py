"""SIGTERM (a scheduler, a spot machine going away) and Ctrl-C stop a run after the steps it is running, with a
checkpoint there, one line saying how to resume, and the shell's exit code; the resumed run ends with the weights
of a run never stopped. A signal before training stops at once, saying there was nothing to save; a second
signal stops at once."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from conftest import REPO_ROOT, checkpoint_arrays, resume_beside_the_uninterrupted_run

from kerasgan.errors import RunStopped
from kerasgan.training.checkpoint import CHECKPOINT_NAME
from kerasgan.training.stopping import armed, stop_on_signals, stop_requested, training_begins

RUN = ("--steps", "150", "--batch-size", "16", "--sample-interval", "50", "--checkpoint-interval", "50",
       "--no-progress", "--eval-samples", "0")
STATE = ("generator/", "discriminator/", "d_optimizer/", "g_optimizer/", "seed/")  # all but the loss history


@pytest.mark.slow
@pytest.mark.backends
def test_sigterm_stops_the_run_with_a_checkpoint_at_the_step_it_names_and_resume_ends_as_if_never_stopped(
        idx_folder, tmp_path):
    stop_with = signal.SIGTERM  # Ctrl-C (SIGINT) takes the same path, with 130
    stopped, uninterrupted = tmp_path / "stopped", tmp_path / "uninterrupted"
    command = [sys.executable, "-m", "kerasgan", "train", "--data-dir", str(idx_folder), *RUN]
    reference = subprocess.Popen([*command, "--out", str(uninterrupted)], cwd=REPO_ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    run = subprocess.Popen([*command, "--out", str(stopped)], cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while not any((stopped / "images").glob("*.png")) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # the grid of step 0: the fit loop has begun
    run.send_signal(stop_with)
    stderr = run.communicate(timeout=120)[1]
    assert run.returncode == 128 + stop_with, stderr
    last_line = stderr.strip().splitlines()[-1]
    step = int(checkpoint_arrays(stopped / CHECKPOINT_NAME)["step"])
    assert last_line == (f"stopped at step {step} ({stop_with.name}); resume with: kerasgan train --resume "
                         f"{stopped}")
    assert 0 < step < 150

    final, expected = resume_beside_the_uninterrupted_run(stopped, idx_folder, reference, uninterrupted)
    assert int(final["step"]) == 150
    state = [name for name in expected if name.startswith(STATE)]
    assert len(state) > 20
    for name in state:  # weights, both optimizers and the noise seed: bit for bit
        np.testing.assert_array_equal(final[name], expected[name], err_msg=name)


def test_a_signal_before_training_stops_at_once_saying_there_was_nothing_to_save():
    with stop_on_signals() as request:
        training_begins()
        with pytest.raises(RunStopped, match=r"^stopped \(SIGTERM\) before training began: nothing to save$") as stop:
            request.handle(signal.SIGTERM, None)
    assert stop.value.exit_code == 143


def test_a_signal_to_a_command_that_does_not_train_names_only_the_signal():
    with stop_on_signals() as request:
        with pytest.raises(RunStopped, match=r"^stopped \(SIGINT\)$") as stop:
            request.handle(signal.SIGINT, None)
    assert stop.value.exit_code == 130


def test_during_training_the_first_signal_only_asks_and_is_seen_by_the_fit_loop(capsys):
    with stop_on_signals() as request, armed():
        assert stop_requested() is None
        request.handle(signal.SIGINT, None)
        assert stop_requested() == signal.SIGINT
    assert "SIGINT: finishing the running steps and writing a checkpoint" in capsys.readouterr().err
    assert stop_requested() is None  # the fit loop is over


def test_a_second_signal_ends_the_process_at_once():
    program = textwrap.dedent("""
        import os, signal, time
        from kerasgan.training.stopping import armed, stop_on_signals
        with stop_on_signals(), armed():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(30)
        print("not reached")
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert done.returncode == 143
    assert done.stdout == ""
    assert done.stderr.strip().splitlines()[-1] == ("stopped at once (SIGTERM, a second signal): the steps since the "
                                                    "last checkpoint are lost")
