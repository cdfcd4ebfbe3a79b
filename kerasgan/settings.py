"""The settings of one training run: the recipe and everything the command line adds to it, in one object.

``kerasgan train`` builds a :class:`RunSettings` from its options, and the run, the fit driver and the run folder
take it whole. A new setting is a field here, an option in ``commands/train.py`` and the one place that uses it.
What a resumed run must keep is saved in the run folder's ``config.json`` (:meth:`RunSettings.config`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from kerasgan.data_spec import DataSpec
from kerasgan.recipes import Recipe
from kerasgan.training.checkpoint import CHECKPOINT_INTERVAL_STEPS

RUN_ONLY = ("eval_samples", "progress", "data_dir", "allow_data_change")  # this run's choices, not saved with it
# Recipe fields a resumed run must share with the run it continues (the length may grow).
RESUME_FIXED_FIELDS = ("dataset", "architecture", "optimizer", "loop", "batch_size", "latent_dim", "label_smoothing",
                       "labels", "jit_compile", "generator_average", "balance_weight")


@dataclass(frozen=True)
class RunSettings:
    """One run's settings: the ``recipe`` (the model, its data and its length) and how this run trains it.

    ``seed`` seeds the weights, the noise and the batch order; ``checkpoint_interval_steps`` is the steps between
    checkpoints (fast loop); ``deterministic`` asks the backend for deterministic kernels; ``eval_samples``
    generated images are scored at the end (0: none); ``progress`` prints progress lines; ``data_dir`` is a
    folder of the original IDX files; ``allow_data_change`` lets a resumed run go on when its images changed;
    ``data_folder`` is a folder of the user's images (or an .npz/.npy file of them), read as the recipe's
    ``image_size`` squares with ``channels`` channels and transparency laid on ``background``; ``data`` describes
    the images (the run fills it in when it loads them). All but the ``RUN_ONLY`` ones are saved with the run and
    kept on resume.
    """

    recipe: Recipe
    seed: int = 0
    checkpoint_interval_steps: int = CHECKPOINT_INTERVAL_STEPS
    deterministic: bool = False
    eval_samples: int = 0
    progress: bool = True
    data_dir: Path | None = None
    allow_data_change: bool = False
    data_folder: Path | None = None
    channels: int | None = None
    background: str = "white"
    data: DataSpec | None = None

    def replace(self, **changes) -> "RunSettings":
        """A copy with some settings changed."""
        return dataclasses.replace(self, **changes)

    def config(self) -> dict:
        """What the run folder's ``config.json`` holds: the recipe's fields, then every saved setting."""
        saved = {field.name: getattr(self, field.name) for field in saved_fields()}
        if self.data is not None:
            saved["data"] = self.data.to_dict()
        if self.data_folder is not None:
            saved["data_folder"] = str(self.data_folder)
        return {**dataclasses.asdict(self.recipe), **saved}

    @classmethod
    def from_config(cls, config: dict, **run_only) -> "RunSettings":
        """The settings :meth:`config` saved (a setting newer than the run takes its default), with the
        ``RUN_ONLY`` ones from ``run_only``."""
        config = dict(config)
        if "z_size" in config:  # a run saved before the latent size was called latent_dim
            config["latent_dim"] = config.pop("z_size")
        saved = {field.name: config.pop(field.name) for field in saved_fields() if field.name in config}
        if "seed" not in saved:
            raise KeyError("seed")
        if saved.get("data") is not None:
            saved["data"] = DataSpec.from_dict(saved["data"])
        if saved.get("data_folder") is not None:
            saved["data_folder"] = Path(saved["data_folder"])
        return cls(Recipe(**{**config, "grid": tuple(config["grid"])}), **saved, **run_only)


def saved_fields() -> list[dataclasses.Field]:
    """The settings saved with a run, in ``config.json``'s order."""
    return [field for field in dataclasses.fields(RunSettings) if field.name not in ("recipe", *RUN_ONLY)]
