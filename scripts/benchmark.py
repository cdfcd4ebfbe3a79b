"""Measure training speed: the articles' loop, the parity loop, the compiled fast loop and PyTorch eager.

    python scripts/benchmark.py                  # batch sizes 32, 128, 256; a few minutes; runs/benchmark.json
    python scripts/benchmark.py --quick          # seconds: batch 32, tiny counts (checks that it runs)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kerasgan.cli import ArgumentParser, positive_int, quiet_backend, run_main  # noqa: E402


def parse_args():
    parser = ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--architecture", default="keras-gan", metavar="NAME",
                        help="an unconditional name from kerasgan.nets.ARCHITECTURES; default: %(default)s")
    parser.add_argument("--batch-sizes", type=positive_int, nargs="+", help="default: 32 128 256")
    parser.add_argument("--seconds", type=float, default=3.0, help="timed seconds per variant and batch size")
    parser.add_argument("--rounds", type=positive_int, default=3, help="interleaved timed chunks per variant")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if it is installed")
    parser.add_argument("--quick", action="store_true", help="tiny counts at batch 32: checks it runs, times nothing")
    parser.add_argument("--json", type=Path, default=Path("runs/benchmark.json"), help="default: %(default)s")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    quiet_backend()
    import json

    from benchmarks.gan_speed import QUICK_SETTINGS, format_summary, format_table, run_benchmark
    from kerasgan.nets import UNCONDITIONAL, get_architecture

    get_architecture(args.architecture, UNCONDITIONAL)

    settings = dict(QUICK_SETTINGS) if args.quick else {"seconds_per_variant": args.seconds, "rounds": args.rounds}
    if args.batch_sizes:
        settings["batch_sizes"] = tuple(args.batch_sizes)
    report = run_benchmark(args.architecture, with_torch=False if args.no_torch else None,
                           log=lambda line: print(line, file=sys.stderr, flush=True), **settings)
    report["command"] = " ".join(["python", *sys.argv])
    print(format_table(report))
    print(format_summary(report))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    run_main(main)
