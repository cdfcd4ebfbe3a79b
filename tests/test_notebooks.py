"""Every notebook in notebooks/ runs top to bottom at a tiny size, in a temporary folder, and shows its result."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SHARED_DATASETS

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOK_SCALE = "0.002"
CELL_TIMEOUT_S = 600

# What each notebook must show and write at any size: text in its outputs, files in its run folder.
EXPECTED = {
    "01_keras_mnist_gan": {
        "text": ["generator parameters: 1,493,520", "discriminator parameters: 533,505",
                 "article's recipe: D changed on its own step?      False",
                 "kerasgan: D changed on its own step?               True",
                 "kerasgan: D changed on the combined step?          False",
                 "kerasgan: G changed on the combined step?          True"],
        "files": ["images/0.png", "grids_over_training.png", "losses.png"],
    },
    "02_fashion_mnist_gan": {
        "text": ["iterations of batch 32 in", "generator 1,493,520 parameters"],
        "files": ["real.png", "images/0.png", "losses.png", "grids_over_training.png"],
    },
    "03_gan_in_six_minutes": {
        "text": ["of the article's 100 epochs", "247,440 parameters", "233,985 parameters"],
        "files": ["images/step_0000000.png", "samples.gif", "losses.png", "grids_over_training.png"],
    },
    "04_cnn_mnist_classifier": {
        "text": ["422,026 parameters", "test accuracy:"],
        "files": ["curves.png", "confusion_matrix.png", "mistakes.png"],
    },
    "05_gans_for_classification": {
        "text": ["discriminator output shape: (None, 1)", "semi-supervised GAN  100 labels",
                 "synthetic only (CAS)"],
        "files": ["conditional_grid.png"],
    },
    "06_fast_training": {
        "text": ["restored generator identical: True", "fast loop (jit="],
        "files": ["checkpoint.npz", "samples.gif", "images/step_0000000.png", "conditional_grid.png",
                  "fast_path_grids.png"],
    },
    "07_train_on_a_folder": {
        "text": ["training folder: ", "image shape: (32, 32, 3)", "recipe 'folder':", "s of wall time"],
        "files": ["real.png", "diff_augment.png", "run/config.json", "run/images/step_0000000.png",
                  "run/losses.png", "run/generator.keras", "grids_over_training.png"],
    },
}
# Shown only when the real data is there (without it the notebooks say so and use random images).
EXPECTED_WITH_REAL_DATA = {
    "02_fashion_mnist_gan": ["T-shirt/top"],
    "05_gans_for_classification": ["the most it could ever be (share of test labels that are 0 or 1): 0.211"],
    "06_fast_training": ["classifier score (max 10)", "label accuracy (asked-for digit)"],
    "07_train_on_a_folder": ["smileys-and-emotion", "converted 3781 images"],
}


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def output_text(notebook) -> str:
    """Everything a reader sees as text under the code cells: streams, plain-text and Markdown results."""
    pieces = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            pieces.append(output.get("text", ""))
            pieces.append("\n".join(output.get("traceback", [])))
            for kind in ("text/plain", "text/markdown"):
                pieces.append(output.get("data", {}).get(kind, ""))
    return "\n".join(pieces)


def execute_notebook(path: Path, workdir: Path, monkeypatch):
    """Run a fresh copy of the notebook at the tiny size with ``workdir`` as its folder; returns it executed.

    The kernel inherits this process's environment (conftest points it at the shared offline data).
    """
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    monkeypatch.setenv("KERASGAN_NOTEBOOK_SCALE", NOTEBOOK_SCALE)
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=CELL_TIMEOUT_S,
                                     resources={"metadata": {"path": str(workdir)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, if any cell fails
    return notebook


def test_every_notebook_has_expectations():
    assert {path.stem for path in notebook_paths()} == set(EXPECTED)


def test_committed_notebooks_are_small_and_saved_with_outputs():
    for path in notebook_paths():
        assert path.stat().st_size < 2_000_000, f"{path.name} is {path.stat().st_size:,} bytes"
        notebook = nbformat.read(path, as_version=4)
        code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert all(cell.execution_count for cell in code_cells), f"{path.name} has cells that were not run"
        errors = [output for cell in code_cells for output in cell.outputs if output.output_type == "error"]
        assert not errors, f"{path.name} was saved with an error in its outputs"
        assert "Committed run:" in notebook.cells[0].source and "SETTINGS_PLACEHOLDER" not in notebook.cells[0].source
        assert "KERASGAN_NOTEBOOK_SCALE = 1.0" in output_text(notebook), f"{path.name} was not saved at full size"


@pytest.mark.slow
@pytest.mark.parametrize("path", notebook_paths(), ids=lambda path: path.stem)
def test_notebook_runs_top_to_bottom_and_shows_its_results(path, tmp_path, monkeypatch):
    notebook = execute_notebook(path, tmp_path, monkeypatch)

    text = output_text(notebook)
    expected_text = EXPECTED[path.stem]["text"]
    if SHARED_DATASETS.is_dir():
        expected_text = expected_text + EXPECTED_WITH_REAL_DATA.get(path.stem, [])
    for snippet in expected_text:
        assert snippet in text, f"{path.name}: no output contains {snippet!r}"
    run_dir = tmp_path / "runs" / "notebooks" / path.stem
    for name in EXPECTED[path.stem]["files"]:
        assert (run_dir / name).is_file(), f"{path.name} did not write {name}"


@pytest.mark.slow
def test_notebook_without_the_data_says_so_and_uses_random_images(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty-keras-home"))
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "empty-tfds"))
    monkeypatch.setenv("KERASGAN_OFFLINE", "1")
    notebook = execute_notebook(NOTEBOOKS_DIR / "01_keras_mnist_gan.ipynb", tmp_path, monkeypatch)

    text = output_text(notebook)
    assert "note: no copy of 'mnist' found" in text
    assert "Using 1024 random images instead" in text
    assert (tmp_path / "runs" / "notebooks" / "01_keras_mnist_gan" / "losses.png").is_file()
