"""Each backend is imported only where it is meant to be: its train step, and for TensorFlow the tf.data
pipelines, strategies and TensorBoard images. Networks, losses, the GAN family, data loading, evaluation,
plotting, recipes and errors stay backend-agnostic: the same code trains on TensorFlow, JAX and PyTorch."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kerasgan"
# Every module allowed to import each backend, and why.
BACKEND_MODULES = {
    "tensorflow": {
        "training/step_tensorflow.py": "the TensorFlow train step (GradientTape, replica context)",
        "training/pipeline_tensorflow.py": "the tf.data input pipelines",
        "data_tensorflow.py": "the README's make_dataset (tf.data from arrays)",
        "training/distribute.py": "tf.distribute strategies",
        "training/callbacks.py": "TensorBoard sample images (tf.summary), where TensorFlow is installed",
        "run.py": "op determinism for --deterministic",
        "cli.py": "imported quietly where installed (its start-up lines), also beside another backend",
    },
    "jax": {
        "training/step_jax.py": "the JAX train step (jax.vjp, value_and_grad)",
        "training/distribute.py": "jax.distributed for --strategy multi-process, its heartbeat and local copies",
    },
    "torch": {
        "training/step_torch.py": "the PyTorch train step (torch.autograd.grad)",
        "run.py": "deterministic algorithms for --deterministic",
    },
}
BACKEND_AGNOSTIC = ["nets/__init__.py", "nets/mlp.py", "nets/dcgan.py", "nets/conditional.py", "nets/sgan.py",
                    "nets/classifier.py", "losses.py", "gans.py", "data.py", "evaluation.py", "plotting.py",
                    "recipes.py", "errors.py", "sampling.py", "settings.py", "run_folder.py",
                    "data_spec.py", "latents.py", "image_folder.py", "training/stopping.py", "memory.py"]


def imported_roots(path: Path, module_level_only: bool = False) -> set[str]:
    """The top-level package of every import in a module, at any depth (functions included) or, with
    ``module_level_only``, those run when the module is imported (its body, ``if``/``try`` blocks included)."""
    roots = set()
    tree = ast.parse(path.read_text())
    nodes = module_level_nodes(tree) if module_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def module_level_nodes(tree: ast.Module) -> list[ast.AST]:
    """The statements run at import time: the module body, descending into blocks but not into functions."""
    nodes, pending = [], list(tree.body)
    while pending:
        node = pending.pop()
        nodes.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            pending.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
    return nodes


def package_modules() -> list[str]:
    return sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("backend", sorted(BACKEND_MODULES))
def test_only_the_listed_modules_import_each_backend(backend):
    importing = [module for module in package_modules() if backend in imported_roots(PACKAGE / module)]
    assert sorted(importing) == sorted(BACKEND_MODULES[backend])


def test_the_backend_agnostic_modules_exist_and_import_no_backend():
    for module in BACKEND_AGNOSTIC:
        assert module in package_modules(), module
        assert not set(BACKEND_MODULES) & imported_roots(PACKAGE / module), module


def test_the_import_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "sneaky.py"
    module.write_text("def load():\n    from tensorflow.keras import layers\n    import tensorflow_datasets\n")
    assert imported_roots(module) == {"tensorflow", "tensorflow_datasets"}


def test_only_plotting_imports_matplotlib_and_only_when_it_draws():
    importing = [module for module in package_modules() if "matplotlib" in imported_roots(PACKAGE / module)]
    assert importing == ["plotting.py"]
    assert "matplotlib" not in imported_roots(PACKAGE / "plotting.py", module_level_only=True)


def test_the_module_level_check_skips_function_bodies(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("import os\ntry:\n    import numpy\nexcept ImportError:\n    pass\n"
                      "def draw():\n    import matplotlib\n")
    assert imported_roots(module, module_level_only=True) == {"os", "numpy"}
    assert imported_roots(module) == {"os", "numpy", "matplotlib"}


def loaded_after_import(module: str, backend: str = "jax") -> dict:
    """What importing ``module`` in a fresh process loads: kerasgan's modules, and which heavy packages."""
    script = (f"import sys, json, {module}\n"
              "print(json.dumps({'kerasgan': sorted(m for m in sys.modules if m.split('.')[0] == 'kerasgan'),"
              " 'heavy': sorted(m for m in ('keras', 'tensorflow', 'torch', 'jax', 'matplotlib') if m in sys.modules)}))")
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={**os.environ, "KERAS_BACKEND": backend}, cwd=PACKAGE.parent)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_importing_the_checkpoint_module_loads_neither_keras_nor_matplotlib_nor_the_parity_loop():
    loaded = loaded_after_import("kerasgan.training.checkpoint")
    assert loaded == {"kerasgan": ["kerasgan", "kerasgan.errors", "kerasgan.training", "kerasgan.training.checkpoint"],
                      "heavy": []}


def test_the_train_commands_options_are_parsed_without_keras():
    assert loaded_after_import("kerasgan.commands.train")["heavy"] == []


def test_the_gan_family_on_jax_loads_no_other_backend_and_no_plotting():
    pytest.importorskip("jax")
    loaded = loaded_after_import("kerasgan.gans", backend="jax")
    assert "tensorflow" not in loaded["heavy"] and "torch" not in loaded["heavy"], loaded["heavy"]
    assert not {"kerasgan.plotting", "kerasgan.training.parity"} & set(loaded["kerasgan"])


def test_the_data_description_and_the_image_folder_load_no_backend_and_no_keras():
    assert loaded_after_import("kerasgan.image_folder")["heavy"] == []
    assert loaded_after_import("kerasgan.data_spec")["kerasgan"] == ["kerasgan", "kerasgan.data_spec"]
