"""The shipped Dagster instances: the production one (deploy/dagster.yaml) keeps its runs in
PostgreSQL and queues one run per authority; the CLI's default queues the same way."""

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
import yaml
from conftest import PG_URL
from iro_assets.definitions import defs
from iro_assets.event_log import PooledSqliteEventLogStorage
from iro_assets.jobs import nightly_load
from iro_assets.partitions import authority_partitions
from iro_assets.pg_event_log import PooledPostgresEventLogStorage
from iro_cli.runner import INSTANCE_SETTINGS
from iro_etl.config import Authority, write_authorities

ROOT = Path(__file__).resolve().parents[2]
PER_AUTHORITY = {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True},
                 "limit": 1}


@pytest.fixture
def dagster_database():
    """A database of its own on the test server, dropped afterwards."""
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"dagster_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no PostgreSQL server: {exc}")
    url = sa.engine.make_url(PG_URL).set(drivername="postgresql+psycopg2", database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_every_shipped_instance_queues_one_run_per_authority():
    # The production one, the CLI's default, and the one the README's `dagster dev` uses.
    for text in ((ROOT / "deploy" / "dagster.yaml").read_text(), INSTANCE_SETTINGS,
                 (ROOT / ".dagster_home" / "dagster.yaml").read_text()):
        settings = yaml.safe_load(text)
        assert settings["telemetry"] == {"enabled": False}
        assert PER_AUTHORITY in settings["run_queue"]["tag_concurrency_limits"]


@pytest.mark.postgres
def test_production_instance_runs_a_load_with_postgres_storage(tmp_path, monkeypatch,
                                                               dagster_database, clean_export):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((ROOT / "deploy" / "dagster.yaml").read_text())
    config = tmp_path / "authorities.yaml"
    write_authorities(config, [Authority("PG", "PG", "ssda903", clean_export)])
    for name, value in {"DAGSTER_HOME": str(home), "DAGSTER_PG_URL": dagster_database,
                        "IRO_ETL_CONFIG": str(config), "IRO_ETL_AS_OF": "2014-03-31",
                        "IRO_ETL_DB_URL": f"sqlite:///{tmp_path / 'marts.db'}",
                        "IRO_ETL_HOME": str(tmp_path / "state")}.items():
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage) is PooledPostgresEventLogStorage
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
        assert PER_AUTHORITY in limits
        instance.add_dynamic_partitions(authority_partitions.name, ["PG"])
        result = defs.resolve_job_def(nightly_load.name).execute_in_process(
            instance=instance, partition_key="PG")
        assert result.success
        assert [r.run_id for r in instance.get_runs()] == [result.run_id]
    engine = sa.create_engine(dagster_database)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT count(*) FROM runs")).scalar_one()
    engine.dispose()
    assert stored == 1


#: A process writing ``n`` materialisations and check evaluations of asset ``m``, one per
#: partition ``<tag><i>``, as a run's worker or the daemon writes beside the others.
WRITER = textwrap.dedent("""
    import sys, warnings
    warnings.simplefilter("ignore")
    import dagster as dg
    tag, n = sys.argv[1], int(sys.argv[2])
    with dg.DagsterInstance.get() as instance:
        for i in range(n):
            instance.report_runless_asset_event(dg.AssetMaterialization(
                "m", partition=f"{tag}{i}", metadata={"rows": i}))
            instance.report_runless_asset_event(dg.AssetCheckEvaluation(
                asset_key=dg.AssetKey("m"), check_name="c", passed=i % 2 == 0,
                partition=f"{tag}{i}"))
""")


@pytest.fixture(params=["cli", pytest.param("production", marks=pytest.mark.postgres)])
def instance_home(request, tmp_path, monkeypatch) -> type:
    """$DAGSTER_HOME with the CLI's settings (SQLite) or the production ones (PostgreSQL, a
    database of its own); the event log storage class they name."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    if request.param == "cli":
        (tmp_path / "dagster.yaml").write_text(INSTANCE_SETTINGS)
        return PooledSqliteEventLogStorage
    (tmp_path / "dagster.yaml").write_text((ROOT / "deploy" / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_PG_URL", request.getfixturevalue("dagster_database"))
    return PooledPostgresEventLogStorage


def test_every_event_two_processes_write_at_once_is_kept(instance_home):
    """The shipped event logs keep connections open per process (iro_assets.event_log,
    iro_assets.pg_event_log); processes writing at the same time lose nothing, and a new
    instance (the webserver's, the next run's) reads it all."""
    dg.DagsterInstance.get().dispose()  # the store made first, as the CLI or daemon does
    n = 80
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, tag, str(n)],
                                stderr=subprocess.PIPE, text=True) for tag in ("A", "B")]
    for writer in writers:
        assert writer.wait(timeout=300) == 0, writer.stderr.read()
    with dg.DagsterInstance.get() as instance:
        assert type(instance.event_log_storage) is instance_home
        expected = {f"{tag}{i}" for tag in "AB" for i in range(n)}
        assert instance.get_materialized_partitions(dg.AssetKey("m")) == expected
        executions = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(dg.AssetKey("m"), "c"), limit=10 * n)
        found = [r.event.dagster_event.event_specific_data for r in executions]
        passed = {e.partition: e.passed for e in found}
        assert len(found) == len(passed)
        assert passed == {key: int(key[1:]) % 2 == 0 for key in expected}


def test_an_event_log_asks_after_a_table_until_it_has_found_it(instance_home, monkeypatch):
    """Dagster asks whether a table exists before nearly every event; the shipped event logs
    ask the database once a table is found (iro_assets.event_tables), and again while not."""
    stock = instance_home.__mro__[2]
    assert "has_table" in vars(stock)
    asked = []
    real = stock.has_table
    monkeypatch.setattr(stock, "has_table",
                        lambda self, name: asked.append(name) or real(self, name))
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        asked.clear()
        assert all(storage.has_table("asset_check_executions") for _ in range(3))
        assert not any(storage.has_table("iro_added_later") for _ in range(2))
        with storage.index_connection() as conn:
            conn.exec_driver_sql("CREATE TABLE iro_added_later (x INTEGER)")
        assert storage.has_table("iro_added_later") and storage.has_table("iro_added_later")
    assert asked == ["asset_check_executions", *["iro_added_later"] * 3]


def test_the_cli_event_log_commits_to_its_write_ahead_log_and_asks_after_columns_once(
        tmp_path, monkeypatch):
    """The CLI's SQLite event log keeps Dagster's write-ahead log and commits without a flush
    to disk each time (iro_assets.event_log); the asset key table's index columns are looked
    for until found, then remembered (iro_assets.event_tables), and every event is kept."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    (tmp_path / "dagster.yaml").write_text(INSTANCE_SETTINGS)
    stock = PooledSqliteEventLogStorage.__mro__[2]
    asked = []
    real = stock._has_asset_key_index_cols_on_connection
    monkeypatch.setattr(stock, "_has_asset_key_index_cols_on_connection",
                        lambda self, conn: asked.append(1) or real(self, conn))

    @dg.asset(partitions_def=dg.StaticPartitionsDefinition(["A", "B", "C"]))
    def m() -> None:
        return None

    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        with storage.index_connection() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        for key in "ABC":
            assert dg.materialize([m], instance=instance, partition_key=key).success
        assert instance.get_materialized_partitions(dg.AssetKey("m")) == {"A", "B", "C"}
    assert len(asked) == 1
