"""The run folder: where one training run keeps its settings, pictures, curves, checkpoint, generators and scores.

A run folder holds ``config.json`` (the run's settings), ``images/step_*.png`` (sample grids), ``losses.csv`` and
``losses.png``, ``generator.keras``, ``summary.json``, ``evaluation.json`` and, on the fast loop,
``checkpoint.npz``, ``samples.gif`` and TensorBoard logs under ``logs/``; a semi-supervised run also leaves its
classifier, ``classifier.keras``. :class:`RunFolder` owns these paths, prepares the folder, writes
``config.json`` and decides whether and how a run may be resumed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from kerasgan.errors import UserError
from kerasgan.recipes import Recipe, get_recipe
from kerasgan.settings import RESUME_FIXED_FIELDS, RunSettings
from kerasgan.training.checkpoint import CHECKPOINT_NAME

CONFIG_NAME = "config.json"
# What kerasgan writes in a run folder: --overwrite deletes these and refuses to touch a folder holding anything else.
RUN_FILES = (CONFIG_NAME, "summary.json", "evaluation.json", "losses.csv", "losses.png", "samples.gif",
             "generator.keras", "generator_last.keras", "generator_average.keras", "classifier.keras", CHECKPOINT_NAME,
             f".{CHECKPOINT_NAME}.tmp")
RUN_FOLDERS = ("images", "logs")


class RunFolder:
    """One run's folder: ``folder / "losses.csv"`` is a path in it, ``folder.checkpoint`` its checkpoint."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    def __str__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, RunFolder) and other.path == self.path

    @property
    def checkpoint(self) -> Path:
        return self.path / CHECKPOINT_NAME

    @property
    def config(self) -> Path:
        return self.path / CONFIG_NAME

    @classmethod
    def next_free(cls, base: str | Path) -> "RunFolder":
        """``base`` if it is free, else ``base-2``, ``base-3``, ...: the default ``--out`` never clobbers a run."""
        base = Path(base)
        candidate, number = base, 1
        while candidate.exists() and any(candidate.iterdir()):
            number += 1
            candidate = base.with_name(f"{base.name}-{number}")
        return cls(candidate)

    def prepare(self, overwrite: bool = False) -> "RunFolder":
        """Make the folder ready for a new run: an existing non-empty folder needs ``overwrite``, which deletes
        only what kerasgan writes (``RUN_FILES``, ``images/``, ``logs/``) and refuses, deleting nothing, when the
        folder holds anything else."""
        self.check_is_folder()
        if self.path.is_dir() and any(self.path.iterdir()):
            if not overwrite:
                raise UserError(f"run folder {self} already exists (use --resume to continue it or --overwrite)")
            self.clear()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            probe = self.path / ".write-test"
            probe.write_text("")
            probe.unlink()
        except OSError as error:
            raise UserError(f"cannot write to --out {self} ({error.strerror or error})") from None
        return self

    def check_is_folder(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise UserError(f"--out {self} exists and is not a folder")

    def clear(self) -> None:
        """Delete what kerasgan wrote here, or nothing if the folder holds anything else."""
        unknown = sorted(path.name for path in self.path.iterdir() if path.name not in RUN_FILES + RUN_FOLDERS
                         or (path.name in RUN_FOLDERS) != path.is_dir())
        if unknown:
            raise UserError(f"--overwrite refused: {self} holds files kerasgan did not write ({', '.join(unknown[:3])}"
                            f"{', ...' if len(unknown) > 3 else ''}); move them or choose another --out")
        for path in self.path.iterdir():
            shutil.rmtree(path) if path.is_dir() else path.unlink()

    def check_resumable(self) -> "RunFolder":
        """A run can be resumed from this folder only if it holds a checkpoint."""
        self.check_is_folder()
        if not self.checkpoint.is_file():
            raise UserError(f"cannot resume: no {CHECKPOINT_NAME} in {self}")
        return self

    def write_settings(self, settings: RunSettings) -> None:
        """Save the run's settings as ``config.json`` (once the run has checked them: a refused run changes nothing)."""
        self.config.write_text(json.dumps(settings.config(), indent=2))

    def read_settings(self, **run_only) -> RunSettings:
        """The settings saved in ``config.json``, with the ones never saved (``eval_samples``, ...) from ``run_only``."""
        try:
            return RunSettings.from_config(json.loads(self.config.read_text()), **run_only)
        except FileNotFoundError:
            raise UserError(f"cannot resume: no {CONFIG_NAME} in {self}") from None
        except (ValueError, TypeError, KeyError, OSError) as error:
            raise UserError(f"cannot resume: {self.config} is corrupt ({error.__class__.__name__}: {error})") from None

    def resume_settings(self, recipe_name: str | None, overrides: dict, seed: int | None,
                        checkpoint_interval_steps: int | None, deterministic: bool, **run_only) -> RunSettings:
        """The settings to continue this folder's run with: the saved ones, the command line's ``overrides`` of the
        recipe (its length may grow), a new checkpoint interval, determinism turned on. Asking for another
        recipe, a different model or data setting, or another seed is refused in one line."""
        saved = self.check_resumable().read_settings(**run_only)
        recipe = saved.recipe.replace(**overrides)
        requested = get_recipe(recipe_name, Recipe).replace(**overrides) if recipe_name else recipe
        self.check_same_model(saved.recipe, requested)
        if seed is not None and seed != saved.seed:
            raise UserError(f"cannot resume {self}: it was trained with seed {saved.seed}, not {seed}")
        return saved.replace(recipe=recipe, deterministic=deterministic or saved.deterministic,
                             checkpoint_interval_steps=checkpoint_interval_steps or saved.checkpoint_interval_steps)

    def check_same_model(self, saved: Recipe, requested: Recipe) -> None:
        """A resumed run must keep the settings that shape its models and batches; only its length may change."""
        for field in ("name",) + RESUME_FIXED_FIELDS:
            if getattr(saved, field) != getattr(requested, field):
                raise UserError(f"cannot resume {self}: it was trained with "
                                f"{'recipe' if field == 'name' else field} {getattr(saved, field)!r}, "
                                f"not {getattr(requested, field)!r}")


def generator_record(path: str | Path, requested_dataset: str | None = None, generator=None):
    """``(family, data)``: the GAN class that trained the generator at ``path`` and the data it trained on, as
    its run folder's ``config.json`` records them (``--dataset`` names another built-in set for the class names).

    A .keras file with no readable record beside it is judged by the loaded ``generator`` itself: a conditional
    generator takes two inputs, ``[z, label]``; any other is taken for an unconditional one of N(0, 1) latents.
    """
    from kerasgan.data_spec import BUILT_IN
    from kerasgan.gans import GAN, ConditionalGAN, family_class

    path = Path(path)
    folder = RunFolder(path if path.is_dir() else path.parent)
    try:
        settings = folder.read_settings()
    except UserError:
        two_inputs = generator is not None and len(generator.inputs) == 2
        return ConditionalGAN if two_inputs else GAN, BUILT_IN[requested_dataset or "mnist"]
    data = settings.data or BUILT_IN.get(settings.recipe.dataset, BUILT_IN["mnist"])
    return family_class(settings.recipe.architecture), BUILT_IN[requested_dataset] if requested_dataset else data
