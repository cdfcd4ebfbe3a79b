"""Speed measurements of kerasgan, kept outside the installable package (run by ``scripts/benchmark.py``)."""
