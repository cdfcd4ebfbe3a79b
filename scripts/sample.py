"""Draw new images from a trained generator: the same as ``kerasgan sample`` (``--help`` lists the options)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from kerasgan.cli import run_command  # noqa: E402

if __name__ == "__main__":
    run_command("sample")
