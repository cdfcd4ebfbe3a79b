"""TensorFlow is imported only where it is meant to be: the backend's train step, its pipelines, strategies and
callbacks, and the script helpers. Networks, losses, the GAN family, data loading, evaluation, plotting,
recipes and errors stay backend-agnostic, so that a JAX or PyTorch step can be added beside the TensorFlow one."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "kerasgan"
# Every module allowed to import tensorflow, and why.
TENSORFLOW_MODULES = {
    "training/step_tensorflow.py": "the TensorFlow train step (GradientTape, replica context)",
    "training/pipeline.py": "the tf.data input pipelines",
    "training/distribute.py": "tf.distribute strategies",
    "training/callbacks.py": "TensorBoard sample images (tf.summary)",
    "run.py": "op determinism for --deterministic",
    "cli.py": "the quiet TensorFlow import of the scripts",
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


def test_only_the_listed_modules_import_tensorflow():
    importing = [module for module in package_modules() if "tensorflow" in imported_roots(PACKAGE / module)]
    assert sorted(importing) == sorted(TENSORFLOW_MODULES)


def test_the_backend_agnostic_modules_exist_and_import_no_tensorflow():
    for module in BACKEND_AGNOSTIC:
        assert module in package_modules(), module
        assert "tensorflow" not in imported_roots(PACKAGE / module), module


def test_the_import_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "sneaky.py"
    module.write_text("def load():\n    from tensorflow.keras import layers\n    import tensorflow_datasets\n")
    assert imported_roots(module) == {"tensorflow", "tensorflow_datasets"}
