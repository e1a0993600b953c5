"""The national benchmark still runs: three tiny authorities on different systems, generated
and loaded through the core library in two passes, each one's marts published (no timings
asserted)."""

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from iro_etl.config import load_authorities
from iro_etl.marts.publish import read_mart

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "national.py"


def test_generate_and_run_publish_every_authority(tmp_path):
    options = ["--authorities", "3", "--children", "20", "--cache", str(tmp_path / "cache")]
    subprocess.run([sys.executable, str(SCRIPT), "generate", *options], check=True,
                   capture_output=True)
    run = subprocess.run([sys.executable, str(SCRIPT), "run", *options, "--core-only", "--batch", "2",
                          "--db", f"sqlite:///{tmp_path / 'bench.db'}"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "| core library, 3 authorities, 2 at a time |" in run.stdout

    config = next((tmp_path / "cache").glob("national-3-*")) / "authorities.yaml"
    authorities = load_authorities(config)
    assert {a.system for a in authorities.values()} == {"ssda903", "ssd", "liquidlogic"}
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'bench-core.db'}")
    for mart in ("load_summary", "authorities", "review_timeliness"):
        assert set(read_mart(engine, mart)["authority"]) == set(authorities), mart
