"""The warehouse rows benchmark still runs: a small Mosaic warehouse given other forms'
answers and other workflows' steps reads the same with and without them fetched, on SQLite
and PostgreSQL (no timings asserted)."""

import re
import subprocess
import sys
from pathlib import Path

from conftest import PG_URL

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "warehouse_rows.py"


def test_kept_and_whole_reads_agree():
    run = subprocess.run([sys.executable, str(SCRIPT), "--children", "40", "--others", "3",
                          "--db", PG_URL], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    rows = re.findall(r"^\| (SQLite|PostgreSQL) \| ([\d,]+) \| ([\d,]+) \|", run.stdout, re.M)
    assert [r[0] for r in rows] == ["SQLite", "PostgreSQL"]
    # Both databases hold the same warehouse: four answers and steps for each of the IRO's.
    assert rows[0][1:] == rows[1][1:]
