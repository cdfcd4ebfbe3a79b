"""scripts/train.py as a user runs it: help, a tiny real run, one-line errors with exit code 2."""

import json

import pytest
from conftest import run_script


def test_help_lists_the_recipes_and_options():
    result = run_script("train.py", "--help")
    assert result.returncode == 0
    for option in ("--recipe", "--dataset", "--steps", "--epochs", "--batch-size", "--sample-interval", "--out",
                   "--seed", "keras-gan-mnist", "fashion-gan", "gan-in-6-min"):
        assert option in result.stdout


@pytest.mark.slow
@pytest.mark.backends
@pytest.mark.parametrize("loop", ["fast", "parity"])
def test_tiny_run_writes_grids_curves_generator_and_summary(idx_folder, tmp_path, loop):
    out = tmp_path / "run"
    result = run_script("train.py", "--data-dir", str(idx_folder), "--steps", "4", "--batch-size", "16",
                        "--sample-interval", "2", "--loop", loop, "--out", str(out), "--no-progress",
                        "--eval-samples", "0")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "cudart" not in result.stderr
    for name in ("losses.csv", "losses.png", "generator.keras", "summary.json", "config.json"):
        assert (out / name).is_file(), name
    assert len(list((out / "images").glob("*.png"))) >= 2
    if loop == "fast":
        assert (out / "samples.gif").is_file()
        assert any((out / "logs").rglob("events.out.tfevents.*")) or "TensorBoard logs skipped" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["loop"] == loop and summary["steps"] >= 4
    assert str(out / "generator.keras") in result.stdout


@pytest.mark.slow
@pytest.mark.backends
def test_run_ends_with_the_quality_table_and_evaluation_json(shared_datasets, idx_folder, tmp_path):
    out = tmp_path / "run"
    result = run_script("train.py", "--data-dir", str(idx_folder), "--steps", "2", "--batch-size", "16",
                        "--out", str(out), "--no-progress", "--eval-samples", "200")
    assert result.returncode == 0, result.stderr
    evaluation = json.loads((out / "evaluation.json").read_text())
    assert evaluation["fd"] > evaluation["floors"]["fd"] > 0
    assert "FD (evaluator features)" in result.stdout
    assert json.loads((out / "summary.json").read_text())["evaluation"]["fd"] == evaluation["fd"]


def test_missing_data_gives_one_sentence_and_exit_code_2(tmp_path, no_data_env):
    import os
    result = run_script("train.py", "--out", str(tmp_path / "run"),
                        env={k: os.environ[k] for k in ("KERAS_HOME", "TFDS_DATA_DIR")})
    assert result.returncode == 2
    assert result.stderr.startswith("error: no copy of 'mnist' found") and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


@pytest.mark.slow
def test_progress_is_shown_in_steps_and_real_epochs_in_a_few_lines_when_not_on_a_terminal(idx_folder, tmp_path):
    result = run_script("train.py", "--data-dir", str(idx_folder), "--steps", "40", "--batch-size", "16",
                        "--checkpoint-interval", "2", "--out", str(tmp_path / "run"), "--eval-samples", "0")
    assert result.returncode == 0, result.stderr
    progress = [line for line in result.stdout.splitlines() if line.startswith("step ")]
    assert 5 <= len(progress) <= 11  # about ten lines, not one per chunk of two steps
    assert progress[-1].startswith("step 40/40 (epoch 5.00/5.00)") and "d_loss" in progress[-1] and "ETA" in progress[-1]
    assert "Epoch 1/" not in result.stdout and "\r" not in result.stdout
    assert "changed here: 40 steps (recipe: 26 epochs), batch_size 16 (recipe: 64)\n" in result.stdout


@pytest.mark.slow
def test_classify_refuses_an_unconditional_generator_for_synthetic_data_in_one_line(tmp_path, run_in_process):
    from kerasgan.gans import build_gan

    build_gan("gan-in-6-min", seed=0).generator.save(tmp_path / "generator.keras")
    code, error = run_in_process("classify", "--method", "synthetic", "--generator", str(tmp_path / "generator.keras"))
    assert code == 2
    assert error.startswith(f"error: {tmp_path / 'generator.keras'} is not a conditional generator")
    assert error.count("\n") == 1


def test_classify_refuses_a_generator_that_is_not_a_keras_file_in_one_line(tmp_path, run_in_process):
    not_a_model = tmp_path / "hostname"
    not_a_model.write_text("my-machine\n")
    code, error = run_in_process("classify", "--method", "synthetic", "--generator", str(not_a_model), "--epochs", "1")
    assert code == 2
    assert error.strip() == f"error: {not_a_model} is not a .keras file (kerasgan loads models only from .keras files)"
