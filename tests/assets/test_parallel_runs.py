"""Authorities load in parallel through Dagster's own machinery: the daemon takes the queued
runs of the nightly job (the shipped run queue: two at once) and the default run launcher
starts each in a process of its own, so two runs use both cores: here a run of one
authority and a run of a range of two, as the schedule starts them. No scheduler or
worker pool of ours is involved."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
from conftest import AS_OF, postgres_schema, sqlite_warehouse
from iro_assets.partitions import authority_partitions
from iro_cli.runner import INSTANCE_SETTINGS
from iro_etl.config import Authority, write_authorities
from iro_etl.marts.publish import make_engine, read_mart
from iro_testdata.synthetic import generate
from iro_testdata.writers.liquidlogic import write_database

ROOT = Path(__file__).resolve().parents[2]
CODES = ("PARA", "PARB", "PARC")
#: The runs launched: one authority, and a range of two (the nightly schedule's kind).
RUNS = ({"dagster/partition": "PARA"},
        {"dagster/asset_partition_range_start": "PARB",
         "dagster/asset_partition_range_end": "PARC"})
#: Long enough for the daemon to start and both runs to import Dagster and load.
DEADLINE_S = 240


def _launch(env: dict[str, str], tags: dict[str, str]) -> None:
    """Submit a nightly run as a person or a schedule would: to the queue."""
    subprocess.run(
        [sys.executable, "-m", "dagster", "job", "launch", "-w", str(ROOT / "workspace.yaml"),
         "-j", "nightly_load", "--tags", json.dumps(tags)],
        env=env, check=True, capture_output=True, timeout=120)


def test_two_runs_load_at_once_under_the_daemon(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_SETTINGS)
    authorities = []
    for i, code in enumerate(CODES):
        # Warehouse databases, which the export sensor leaves to the schedule: the daemon
        # then launches only the runs queued here.
        url = sqlite_warehouse(tmp_path / f"{code}.db", write_database,
                               generate(150, as_of=AS_OF, seed=40 + i))
        authorities.append(Authority(code, code, "liquidlogic", url))
    config = tmp_path / "authorities.yaml"
    write_authorities(config, authorities)
    with postgres_schema() as (_, _, url):
        env = {**os.environ, "DAGSTER_HOME": str(home), "IRO_ETL_CONFIG": str(config),
               "IRO_ETL_DB_URL": url, "IRO_ETL_AS_OF": str(AS_OF.date()),
               "IRO_ETL_HOME": str(tmp_path / "state")}
        os.environ["DAGSTER_HOME"], saved = str(home), os.environ.get("DAGSTER_HOME")
        try:
            with dg.DagsterInstance.get() as instance:
                instance.add_dynamic_partitions(authority_partitions.name, list(CODES))
                for tags in RUNS:
                    _launch(env, tags)
                assert {r.status for r in instance.get_runs()} == {dg.DagsterRunStatus.QUEUED}
                daemon = subprocess.Popen(
                    [sys.executable, "-m", "dagster._daemon", "run", "-w",
                     str(ROOT / "workspace.yaml")],
                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True)
                try:
                    runs = _finished(instance)
                finally:
                    daemon.terminate()
                    daemon.wait(timeout=60)
                    # The code server it started is in its session: it must not outlive it.
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(daemon.pid, signal.SIGKILL)
                assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS] * 2, [
                    r.status for r in runs]
                stats = [instance.get_run_stats(r.run_id) for r in runs]
        finally:
            if saved is None:
                del os.environ["DAGSTER_HOME"]
            else:
                os.environ["DAGSTER_HOME"] = saved
        engine = make_engine(url)
        published = {code for code in CODES
                     if len(read_mart(engine, "review_timeliness", code))}
    # Each run started before the other ended: they ran side by side, in two processes.
    first, second = stats
    assert first.start_time < second.end_time and second.start_time < first.end_time
    assert published == set(CODES)


def _finished(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    done = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE,
            dg.DagsterRunStatus.CANCELED}
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        runs = instance.get_runs()
        if len(runs) == 2 and all(r.status in done for r in runs):
            return runs
        time.sleep(1)
    pytest.fail(f"runs not finished in {DEADLINE_S} s: {[r.status for r in runs]}")
