"""After a load, no restricted data lies around: no raw child id, UPN or date of birth in any
file under DAGSTER_HOME or IRO_ETL_HOME but the marts database and the failures workbooks
(restricted by design), and every file written is readable by its owner only."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export

#: Where raw values belong: the restricted tables (validation_failures, quarantine) and the
#: quality officers' failures workbooks.
RESTRICTED = ("iro_etl.db", "iro_etl.db-wal", "iro_etl.db-shm")


def _restricted(path: Path, state: Path) -> bool:
    return path.name in RESTRICTED or (path.suffix == ".xlsx" and "failures" in path.name
                                      and path.is_relative_to(state / "reports"))


def test_no_raw_identifiers_outside_the_restricted_stores(tmp_path):
    truth = generate(120, as_of="2014-03-31", seed=8, defect_rate=0.02)
    export = tmp_path / "export"
    write_export("ssda903", truth, export)
    home, state = tmp_path / "dagster_home", tmp_path / "state"
    env = {**os.environ, "DAGSTER_HOME": str(home), "IRO_ETL_HOME": str(state)}
    env.pop("IRO_ETL_DB_URL", None)
    cli = str(Path(sys.executable).parent / "iro-etl")
    run = subprocess.run([cli, "load", "--authority", "PRIV", "--input", str(export),
                          "--as-of", "2014-03-31"], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]

    children = truth.children
    tokens = {*children["child_id"].astype(str), *children["upn"].dropna().astype(str),
              *children["dob"].dt.strftime("%Y-%m-%d"), *children["dob"].dt.strftime("%d/%m/%Y")}
    tokens = {t.encode() for t in tokens if len(t) >= 7}
    written = [p for root in (home, state) for p in root.rglob("*") if p.is_file()]
    restricted = b"".join(p.read_bytes() for p in written if _restricted(p, state))
    assert any(t in restricted for t in tokens)  # the scan would see them if they leaked
    leaks = {}
    for path in written:
        if _restricted(path, state):
            continue
        data = path.read_bytes()
        found = [t.decode() for t in tokens if t in data]
        if found:
            leaks[str(path.relative_to(tmp_path))] = found[:3]
    assert leaks == {}

    loose = [str(p.relative_to(tmp_path)) for p in written
             if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert loose == []
    folders = [p for root in (home, state) for p in (root, *root.rglob("*")) if p.is_dir()]
    assert [str(p) for p in folders if stat.S_IMODE(p.stat().st_mode) & 0o077] == []
    # The intermediates were never stored: Dagster's file IO manager names them by asset.
    assert not {"export", "validated_tables", "rule_results"} & {p.name for p in written}
