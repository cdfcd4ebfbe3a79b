"""Each backend is imported only where it is meant to be: its train step, and for TensorFlow the tf.data
pipelines, strategies and TensorBoard images. Networks, losses, the GAN family, data loading, evaluation,
plotting, recipes and errors stay backend-agnostic: the same code trains on TensorFlow, JAX and PyTorch."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kerasgan"
# Every module allowed to import each backend, and why.
BACKEND_MODULES = {
    "tensorflow": {
        "training/step_tensorflow.py": "the TensorFlow train step (GradientTape, replica context)",
        "training/pipeline.py": "the tf.data input pipelines",
        "training/distribute.py": "tf.distribute strategies",
        "training/callbacks.py": "TensorBoard sample images (tf.summary), where TensorFlow is installed",
        "run.py": "op determinism for --deterministic",
    },
    "jax": {
        "training/step_jax.py": "the JAX train step (jax.vjp, value_and_grad)",
    },
    "torch": {
        "training/step_torch.py": "the PyTorch train step (torch.autograd.grad)",
        "run.py": "deterministic algorithms for --deterministic",
    },
}
BACKEND_AGNOSTIC = ["nets/__init__.py", "nets/mlp.py", "nets/dcgan.py", "nets/conditional.py", "nets/sgan.py",
                    "nets/classifier.py", "losses.py", "gans.py", "data.py", "evaluation.py", "plotting.py",
                    "recipes.py", "errors.py", "sampling.py"]


def imported_roots(path: Path) -> set[str]:
    """The top-level package of every import in a module, at any depth (functions included)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


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
