"""Several processes train one run (``--strategy multi-worker``): two workers on this machine, talking over
``localhost`` ports, train the one-process weights, only the chief writes, and a worker that dies stops the
other with one line that says how to resume, which then finishes.
"""

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest
from conftest import assert_same_weights, finish, free_ports, train_command

from kerasgan.training.distribute import worker_lost_message
from kerasgan.training.checkpoint import CHECKPOINT_NAME

TINY = ("--batch-size", "16", "--checkpoint-interval", "20", "--eval-samples", "0", "--no-progress")
NO_BATCH_NORM = ("--recipe", "gan-in-6-min", "--loop", "fast")  # an MLP without BatchNorm: replicas split exactly


def start_workers(arguments, cwd, scratch=None) -> list[subprocess.Popen]:
    """Two ``scripts/train.py --strategy multi-worker`` processes with a ``TF_CONFIG`` naming two localhost workers;
    ``scratch/INDEX`` is each worker's TMPDIR when given."""
    ports = free_ports(2)
    workers = []
    for index in range(2):
        config = {"cluster": {"worker": [f"localhost:{port}" for port in ports]}, "task": {"type": "worker", "index": index}}
        env = {**os.environ, "TF_CONFIG": json.dumps(config)}
        if scratch is not None:
            (scratch / str(index)).mkdir(parents=True)
            env["TMPDIR"] = str(scratch / str(index))
        workers.append(subprocess.Popen(train_command("--strategy", "multi-worker", *arguments), cwd=cwd, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    return workers


def test_the_lost_worker_line_shows_tensorflows_reason_and_says_how_to_go_on(tmp_path):
    error = RuntimeError("Graph execution error:\n\nDetected at node adam/CollectiveReduceV2\n{{function_node "
                         "__wrapped__CollectiveReduceV2}} Collective ops is aborted by: Socket closed\nmore")
    before = worker_lost_message(error, tmp_path)
    assert before == (f"a worker of this multi-worker run was lost (Collective ops is aborted by: Socket closed) "
                      f"before the first checkpoint; start every worker again with --overwrite {tmp_path}")
    np.savez(tmp_path / CHECKPOINT_NAME, step=np.int64(40))
    assert worker_lost_message(RuntimeError("Graph execution error:"), tmp_path) == (
        f"a worker of this multi-worker run was lost (RuntimeError); the last checkpoint (step 40) is "
        f"{tmp_path / CHECKPOINT_NAME}; start every worker again with --resume {tmp_path}")


@pytest.mark.slow
def test_two_workers_train_the_one_process_weights_and_only_the_chief_writes(idx_folder, tmp_path):
    work, scratch = tmp_path / "work", tmp_path / "scratch"
    work.mkdir()
    arguments = (*NO_BATCH_NORM, "--steps", "40", *TINY, "--data-dir", str(idx_folder))
    workers = start_workers((*arguments, "--out", str(work / "run")), cwd=work, scratch=scratch)
    single = subprocess.Popen(train_command(*arguments, "--out", str(tmp_path / "single")), cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    (chief_out, _), (worker_out, _), _ = finish([*workers, single])
    assert "trained 40 steps" in chief_out and "trained 40 steps" in worker_out
    assert "as a worker; the chief writes" in worker_out and "generator:" not in worker_out
    assert int(np.load(work / "run" / CHECKPOINT_NAME)["step"]) == 40
    assert sorted(path.name for path in work.iterdir()) == ["run"]
    assert not any((scratch / "1").iterdir())  # worker 1 wrote into a temporary folder, since removed
    assert_same_weights(work / "run", tmp_path / "single")


@pytest.mark.slow
@pytest.mark.parametrize("recipe,killed", [(NO_BATCH_NORM, 0), (("--recipe", "acgan-mnist"), 1)],
                         ids=["gan-in-6-min, the chief killed", "acgan-mnist, worker 1 killed"])
def test_a_killed_worker_stops_the_other_with_one_line_and_both_resume_to_the_end(idx_folder, tmp_path, recipe,
                                                                                 killed):
    run_dir = tmp_path / "run"
    data = ("--data-dir", str(idx_folder))
    workers = start_workers((*recipe, "--steps", "5000", *TINY, *data, "--out", str(run_dir)), cwd=tmp_path)
    deadline = time.monotonic() + 180
    while not (run_dir / CHECKPOINT_NAME).is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    workers[killed].send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    survivor = workers[1 - killed]
    _, stderr = survivor.communicate(timeout=120)
    assert time.monotonic() - killed_at < 120
    assert survivor.returncode == 1
    assert stderr.startswith("error: a worker of this multi-worker run was lost") and stderr.count("\n") == 1, stderr
    assert f"--resume {run_dir}" in stderr and "Traceback" not in stderr
    saved = int(np.load(run_dir / CHECKPOINT_NAME)["step"])  # a whole file: np.load reads every array
    assert saved % 20 == 0 and f"(step {saved})" in stderr
    workers[killed].communicate()

    resumed = start_workers((*recipe, "--steps", str(saved + 40), *TINY, *data, "--resume", str(run_dir)),
                            cwd=tmp_path)
    outputs = finish(resumed)
    assert all(f"trained {saved + 40} steps" in stdout for stdout, _ in outputs)
    assert int(np.load(run_dir / CHECKPOINT_NAME)["step"]) == saved + 40
    if recipe == NO_BATCH_NORM:
        # The reference is an uninterrupted two-worker run of the same length, not a one-process run: the step
        # at which the kill lands depends on the machine's load, and the two-worker sums' rounding (about 1e-5
        # after 40 steps) grows with every step, while two runs of the same two workers agree bit for bit.
        uninterrupted = tmp_path / "uninterrupted"
        finish(start_workers((*recipe, "--steps", str(saved + 40), *TINY, *data, "--out", str(uninterrupted)),
                             cwd=tmp_path))
        assert_same_weights(run_dir, uninterrupted, tolerance=0.0)
