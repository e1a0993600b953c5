"""How long ``iro-etl --help`` and ``--version`` take: a person's first contact with the CLI.

Each command runs in a fresh process several times; the median and the slowest are shown.
The target is under one second (the command line imports only click until a command runs).

    uv run python benchmarks/cli_startup.py --runs 10
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timings(command: list[str], runs: int) -> list[float]:
    """Wall seconds of each run of ``command``."""
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        out.append(time.perf_counter() - began)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command (default 10)")
    args = parser.parse_args()
    beside = Path(sys.executable).with_name("iro-etl")  # this environment's, when not on PATH
    cli = str(beside) if beside.exists() else shutil.which("iro-etl")
    if cli is None:
        sys.exit("iro-etl is not installed in this environment")
    print(f"{'command':24} {'median s':>9} {'slowest s':>9}")
    for flag in ("--help", "--version"):
        took = timings([cli, flag], args.runs)
        print(f"iro-etl {flag:16} {statistics.median(took):9.2f} {max(took):9.2f}")


if __name__ == "__main__":
    main()
