"""Crash-safe checkpoints of a fast-loop GAN: one ``.npz`` file, written to a temporary name then renamed.

A checkpoint holds the generator's and discriminator's weights and their names, both optimizers' variables,
the sampling seed's state, the seed states of the random layers (Dropout, GaussianNoise), the step reached and
the loss history. It is plain arrays read back with ``allow_pickle=False``, so loading one never executes code.

Whole models are read only by :func:`load_keras_model`: ``.keras`` files, inspected before Keras sees them
and loaded with ``safe_mode=True``, so a model file from elsewhere never runs code.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from kerasgan.errors import UserError

CHECKPOINT_NAME = "checkpoint.npz"
CHECKPOINT_INTERVAL_STEPS = 1000  # the default steps between two checkpoints


# Groups a checkpoint from before they existed may lack; restoring such a file keeps their fresh values.
OPTIONAL_GROUPS = ("layer_seeds",)
# The networks, whose weights' names are stored too (optimizer variables' names depend on layer auto-names).
NAMED_GROUPS = ("generator", "discriminator")


def _state_groups(gan) -> dict[str, list]:
    return {
        "generator": gan.generator.weights,
        "discriminator": gan.discriminator.weights,
        "d_optimizer": gan.d_optimizer.variables,
        "g_optimizer": gan.g_optimizer.variables,
        "seed": [gan.seed_generator.state],
        "layer_seeds": _layer_seed_states(gan.generator) + _layer_seed_states(gan.discriminator),
    }


def _weight_names(gan, group: str) -> list[str]:
    return [variable.name for variable in getattr(gan, group).weights]


def _check_weight_names(gan, arrays: dict[str, np.ndarray], path: Path) -> None:
    """Weights are stored by position, so two of one shape in another order (a bias where a scale was) would
    load silently; the names stored beside them catch it. Checkpoints from before the names are not checked."""
    for group in NAMED_GROUPS:
        stored = arrays.get(f"names/{group}")
        if stored is None:
            continue
        for index, (saved, here) in enumerate(zip(stored.tolist(), _weight_names(gan, group))):
            if saved != here:
                raise UserError(f"checkpoint {path} does not match this model ({group}/{index} is '{saved}' there "
                                f"and '{here}' here: the weights come in another order)")


def _layer_seed_states(model) -> list:
    """The seed states of a network's random layers (Dropout, GaussianNoise): variables that are not weights."""
    weights = {id(weight) for weight in model.weights}
    return [variable for variable in model.variables if id(variable) not in weights]


def save_checkpoint(gan, path: str | os.PathLike, step: int, history: dict[str, list[float]]) -> Path:
    """Write the whole training state to ``path`` atomically (a reader never sees half a file)."""
    path = Path(path)
    arrays = {"step": np.asarray(step, dtype=np.int64)}
    for group, variables in _state_groups(gan).items():
        for index, variable in enumerate(variables):
            arrays[f"{group}/{index}"] = np.asarray(variable)
    for group in NAMED_GROUPS:
        arrays[f"names/{group}"] = np.asarray(_weight_names(gan, group))
    for name, values in history.items():
        arrays[f"history/{name}"] = np.asarray(values, dtype=np.float64)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        np.savez(handle, **arrays)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return path


def load_checkpoint(gan, path: str | os.PathLike) -> tuple[int, dict[str, list[float]]]:
    """Restore a state written by :func:`save_checkpoint` into ``gan``; returns ``(step, history)``.

    The GAN must be built with the same architecture and compiled (which builds its optimizers).
    A truncated, corrupt or mismatched file is a one-line :class:`UserError`.
    """
    path = Path(path)
    arrays = _read_arrays(path)
    _check_weight_names(gan, arrays, path)
    for group, variables in _state_groups(gan).items():
        stored = sorted((key for key in arrays if key.startswith(f"{group}/")), key=lambda k: int(k.split("/")[1]))
        if not stored and group in OPTIONAL_GROUPS:
            continue
        if len(stored) != len(variables):
            raise UserError(f"checkpoint {path} does not match this model ({group}: {len(stored)} arrays, "
                            f"model has {len(variables)})")
        for variable, key in zip(variables, stored):
            if tuple(variable.shape) != arrays[key].shape:
                raise UserError(f"checkpoint {path} does not match this model ({key} has shape "
                                f"{arrays[key].shape}, model expects {tuple(variable.shape)})")
            variable.assign(arrays[key])
    history = {key.split("/", 1)[1]: arrays[key].tolist() for key in arrays if key.startswith("history/")}
    return int(arrays["step"]), history


def checkpoint_step(path: str | os.PathLike) -> int:
    """The step a checkpoint was written at, read without building a model."""
    return int(_read_arrays(Path(path), names=("step",))["step"])


def _read_arrays(path: Path, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in (names or npz.files)}
    except FileNotFoundError:
        raise UserError(f"no checkpoint at {path}") from None
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise UserError(f"checkpoint {path} is corrupt or truncated ({error.__class__.__name__})") from None


UNSAFE_LAYERS = ("Lambda", "__lambda__", "TFOpLambda")
# Classes a saved model may name: Keras' own, and kerasgan's layers (installed code; the file only names them).
TRUSTED_PACKAGES = ("keras", "kerasgan")


def load_keras_model(path: str | os.PathLike):
    """Load a ``.keras`` model without ever running code stored in it; bad files are a one-line :class:`UserError`.

    Refused before Keras reads the file: a missing file, another format (legacy ``.h5`` and SavedModel can
    carry code), a truncated or corrupt archive, and any layer or object that is a ``Lambda`` or comes from a
    module outside ``keras`` and ``kerasgan`` (custom code). What remains is loaded with ``safe_mode=True`` and not compiled.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"no model file at {path}")
    if path.suffix != ".keras":
        raise UserError(f"{path} is not a .keras file (kerasgan loads models only from .keras files)")
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
            archive.getinfo("model.weights.h5")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as error:
        raise UserError(f"model file {path} is corrupt or truncated ({error.__class__.__name__})") from None
    unsafe = _unsafe_object(config)
    if unsafe is not None:
        raise UserError(f"refusing to load {path}: it contains {unsafe}, which could run code from the file")
    import keras

    try:
        return keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as error:  # any failure to rebuild a model from a file is the file's fault
        first_line = (str(error).strip().splitlines() or [error.__class__.__name__])[0]
        raise UserError(f"cannot load model file {path}: {first_line}") from None


def _unsafe_object(config) -> str | None:
    """The first object in a saved model's config that could carry code, described in words, or ``None``."""
    if isinstance(config, dict):
        class_name = config.get("class_name")
        module = config.get("module")
        if class_name in UNSAFE_LAYERS:
            return f"a {class_name} layer"
        if isinstance(module, str) and module.split(".")[0] not in TRUSTED_PACKAGES:
            return f"'{class_name}' from module '{module}'"
        children = config.values()
    elif isinstance(config, list):
        children = config
    else:
        return None
    for child in children:
        found = _unsafe_object(child)
        if found is not None:
            return found
    return None
