"""``python -m kerasgan``: the ``kerasgan`` command."""

from kerasgan.cli import main

main()
