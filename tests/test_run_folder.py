"""The run folder and the run's settings: a new run gets a clean folder, config.json holds the settings that resume
needs, and a resumed run keeps what shapes its model while its length may grow."""

import json

import pytest

from kerasgan.errors import UserError
from kerasgan.recipes import get_recipe
from kerasgan.run_folder import RunFolder
from kerasgan.settings import RunSettings
from kerasgan.training.checkpoint import CHECKPOINT_NAME


def saved_run(tmp_path, recipe: str = "default", **settings) -> RunFolder:
    """A run folder holding the settings of a run of ``recipe`` and a (placeholder) checkpoint."""
    folder = RunFolder(tmp_path / "run").prepare()
    folder.write_settings(RunSettings(get_recipe(recipe).replace(steps=20, batch_size=16), **settings))
    folder.checkpoint.write_bytes(b"checkpoint")
    return folder


def test_the_settings_come_back_from_config_json_as_they_were_saved(tmp_path):
    settings = RunSettings(get_recipe("acgan-mnist").replace(steps=30), seed=3, checkpoint_interval_steps=7,
                           deterministic=True)
    folder = RunFolder(tmp_path / "run").prepare()
    folder.write_settings(settings)

    assert folder.read_settings() == settings
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["architecture"] == "conditional-ac" and saved["steps"] == 30 and saved["grid"] == [10, 10]
    assert (saved["seed"], saved["checkpoint_interval_steps"], saved["deterministic"]) == (3, 7, True)
    assert "eval_samples" not in saved and "progress" not in saved  # this run's choices, not the model's


def test_the_settings_not_saved_are_given_again_when_read(tmp_path):
    folder = saved_run(tmp_path)
    assert folder.read_settings(eval_samples=500, progress=False).eval_samples == 500


def test_a_new_run_may_not_reuse_a_folder_without_overwrite(tmp_path):
    folder = saved_run(tmp_path)
    with pytest.raises(UserError, match="already exists \\(use --resume to continue it or --overwrite\\)"):
        RunFolder(folder.path).prepare()


def test_overwrite_clears_what_kerasgan_wrote_and_refuses_a_folder_with_other_files(tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "images").mkdir(parents=True)
    (run_dir / "images" / "step_0000000.png").write_bytes(b"png")
    for name in ("config.json", "losses.csv", "generator.keras", CHECKPOINT_NAME):
        (run_dir / name).write_text("old")
    assert RunFolder(run_dir).prepare(overwrite=True) == RunFolder(run_dir)
    assert list(run_dir.iterdir()) == []

    (run_dir / "losses.csv").write_text("old")
    (run_dir / "my-notes.txt").write_text("mine")
    with pytest.raises(UserError, match=r"--overwrite refused: .* holds files kerasgan did not write \(my-notes.txt\)"):
        RunFolder(run_dir).prepare(overwrite=True)
    assert (run_dir / "my-notes.txt").read_text() == "mine" and (run_dir / "losses.csv").read_text() == "old"


def test_the_default_folder_is_numbered_when_taken(tmp_path):
    saved_run(tmp_path)
    (tmp_path / "run-2").mkdir()  # empty: free
    assert RunFolder.next_free(tmp_path / "run") == RunFolder(tmp_path / "run-2")
    assert RunFolder.next_free(tmp_path / "other") == RunFolder(tmp_path / "other")


def test_a_resumed_run_keeps_its_settings_and_may_grow_its_length(tmp_path):
    folder = saved_run(tmp_path, seed=4, checkpoint_interval_steps=10)

    settings = folder.resume_settings(None, {"steps": 40}, None, None, False, eval_samples=0)

    assert settings.recipe == get_recipe("default").replace(steps=40, batch_size=16)
    assert (settings.seed, settings.checkpoint_interval_steps, settings.deterministic) == (4, 10, False)
    assert folder.resume_settings("default", {"batch_size": 16}, 4, 5, True).checkpoint_interval_steps == 5


@pytest.mark.parametrize("recipe_name,overrides,seed,message", [
    ("gan-in-6-min", {}, None, "it was trained with recipe 'default', not 'gan-in-6-min'"),
    (None, {"batch_size": 32}, None, "it was trained with batch_size 16, not 32"),
    (None, {}, 5, "it was trained with seed 4, not 5"),
])
def test_a_resumed_run_refuses_another_recipe_model_setting_or_seed(tmp_path, recipe_name, overrides, seed, message):
    folder = saved_run(tmp_path, seed=4)
    with pytest.raises(UserError, match=message):
        folder.resume_settings(recipe_name, overrides, seed, None, False)


def test_a_folder_without_checkpoint_or_with_a_corrupt_config_cannot_be_resumed(tmp_path):
    with pytest.raises(UserError, match="cannot resume: no checkpoint.npz in"):
        RunFolder(tmp_path).resume_settings(None, {}, None, None, False)
    folder = saved_run(tmp_path)
    folder.config.write_text("{not json")
    with pytest.raises(UserError, match="cannot resume: .*config.json is corrupt \\(JSONDecodeError"):
        folder.resume_settings(None, {}, None, None, False)


def test_a_run_saved_before_a_setting_existed_reads_back_with_that_settings_default(tmp_path):
    folder = saved_run(tmp_path, seed=2, checkpoint_interval_steps=5, deterministic=True)
    config = json.loads(folder.config.read_text())
    del config["checkpoint_interval_steps"], config["deterministic"]
    folder.config.write_text(json.dumps(config))

    settings = folder.read_settings()

    assert (settings.seed, settings.checkpoint_interval_steps, settings.deterministic) == (2, 1000, False)
