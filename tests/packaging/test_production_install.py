"""A production install (core, code location, CLI and one plugin) loads without any test data.

The distributions are installed from this checkout into a fresh virtual environment by
uv, pinned to the lock file's versions, exactly as a deployment would install them.
"""

import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import UV
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ["schemas", "iro_etl", "assets", "cli", "plugins/ssda903"]


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("production")
    pins = root / "pins.txt"
    exported = subprocess.run([*UV, "export", "--locked", "--no-dev", "--no-emit-workspace",
                               "--no-hashes", "--format", "requirements-txt", "-q"],
                              cwd=ROOT, capture_output=True, text=True, check=True)
    pins.write_text(exported.stdout)
    env = root / "venv"
    subprocess.run([*UV, "venv", "-q", "-p", "3.11", str(env)], check=True)
    # --no-sources: the distributions given here, as wheels, not the workspace's editable copies.
    subprocess.run([*UV, "pip", "install", "-q", "--no-sources", "--python",
                    str(env / "bin" / "python"),
                    "-c", str(pins), *(str(ROOT / d) for d in PRODUCTION)], check=True)
    return env


def test_no_test_data_code_is_installed(venv):
    site = next((venv / "lib").glob("python3.11/site-packages"))
    installed = [p.relative_to(site).as_posix() for p in site.glob("iro_*/**/*.py")]
    assert any(p.startswith("iro_etl/") for p in installed)
    suspects = [p for p in installed
                if any(word in Path(p).stem for word in ("synthetic", "writer", "scenario", "seed"))]
    assert suspects == []
    probe = ("import importlib.util, iro_etl.sources.plugin as p; "
             "print(importlib.util.find_spec('iro_testdata'), hasattr(p.SourcePlugin, 'write_synthetic'))")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", probe], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["None", "False"]


def test_a_load_runs_and_publishes_without_test_data(venv, tmp_path):
    export = tmp_path / "export"
    write_export("ssda903", generate(120, as_of="2014-03-31", seed=5), export)
    db = tmp_path / "marts.db"
    cli = str(venv / "bin" / "iro-etl")
    run = subprocess.run([cli, "load", "--authority", "PROD", "--input", str(export),
                          "--db", f"sqlite:///{db}", "--as-of", "2014-03-31"],
                         cwd=tmp_path, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                              "IRO_ETL_HOME": str(tmp_path / "state")})
    assert run.returncode == 0, run.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        (reviews,) = conn.execute("SELECT count(*) FROM review_timeliness WHERE authority = 'PROD'"
                                  ).fetchone()
    assert reviews > 100
    demo = subprocess.run([cli, "demo", "--dir", str(tmp_path / "demo")], cwd=tmp_path,
                          capture_output=True, text=True)
    assert demo.returncode == 2 and "iro-testdata" in demo.stderr
    assert "Traceback" not in demo.stderr
