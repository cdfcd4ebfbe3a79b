"""Train a digit classifier, the CNN article's or with a GAN's help: the same as ``kerasgan classify`` (``--help`` lists the options)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from kerasgan.cli import run_command  # noqa: E402

if __name__ == "__main__":
    run_command("classify")
