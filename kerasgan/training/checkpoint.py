"""Crash-safe checkpoints of a fast-path GAN: one ``.npz`` file, written to a temporary name then renamed.

A checkpoint holds the generator's and discriminator's weights, both optimizers' variables, the
sampling seed's state, the step reached and the loss history. It is plain arrays read back with
``allow_pickle=False``, so loading one never executes code.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from kerasgan.errors import UserError

CHECKPOINT_NAME = "checkpoint.npz"


def _state_groups(gan) -> dict[str, list]:
    return {
        "generator": gan.generator.weights,
        "discriminator": gan.discriminator.weights,
        "d_optimizer": gan.d_optimizer.variables,
        "g_optimizer": gan.g_optimizer.variables,
        "seed": [gan.seed_generator.state],
    }


def save_checkpoint(gan, path: str | os.PathLike, step: int, history: dict[str, list[float]]) -> Path:
    """Write the whole training state to ``path`` atomically (a reader never sees half a file)."""
    path = Path(path)
    arrays = {"step": np.asarray(step, dtype=np.int64)}
    for group, variables in _state_groups(gan).items():
        for index, variable in enumerate(variables):
            arrays[f"{group}/{index}"] = np.asarray(variable)
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

    The GAN must be built with the same architecture and its optimizers built (``gan.build_optimizers()``).
    A truncated, corrupt or mismatched file is a one-line :class:`UserError`.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except FileNotFoundError:
        raise UserError(f"no checkpoint at {path}") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise UserError(f"checkpoint {path} is corrupt or truncated ({error.__class__.__name__})") from None
    for group, variables in _state_groups(gan).items():
        stored = sorted((key for key in arrays if key.startswith(f"{group}/")), key=lambda k: int(k.split("/")[1]))
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
