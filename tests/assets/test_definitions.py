"""The Dagster code location: loads, runs the nightly job in process, schedules and senses."""

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest
from iro_assets.definitions import defs
from iro_assets.jobs import nightly_load
from iro_assets.partitions import authority_partitions
from iro_assets.resources import IroSettings, MartsDatabase
from iro_assets.schedules import nightly
from iro_assets.sensors import export_drop
from iro_etl.config import Authority, write_authorities
from iro_etl.marts.publish import make_engine, read_mart
from iro_schemas.marts import MART_MODELS


@pytest.fixture
def config(tmp_path, clean_export, messy_export) -> Path:
    path = tmp_path / "authorities.yaml"
    write_authorities(path, [Authority("CLEAN", "Clean LA", "ssda903", clean_export),
                             Authority("MESSY", "Messy LA", "ssda903", messy_export)])
    return path


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("nightly_load")
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"export", "validated_tables", "rule_results", *MART_MODELS} <= keys
    assert job.partitions_def == authority_partitions
    # A backfill from the UI loads its authorities in runs of 25, as the schedule does.
    graph = defs.resolve_asset_graph()
    assert {graph.get(key).backfill_policy for key in graph.get_all_asset_keys()} == {
        dg.BackfillPolicy.multi_run(25)}
    assert nightly.execution_timezone == "Europe/London" and nightly.cron_schedule == "0 2 * * *"


def test_nightly_job_runs_in_process(tmp_path, config, monkeypatch):
    db = tmp_path / "marts.db"
    monkeypatch.setenv("IRO_ETL_CONFIG", str(config))
    monkeypatch.setenv("IRO_ETL_DB_URL", f"sqlite:///{db}")
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("IRO_ETL_AS_OF", "2014-03-31")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(authority_partitions.name, ["MESSY"])
        result = defs.resolve_job_def(nightly_load.name).execute_in_process(
            instance=instance, partition_key="MESSY")
        assert result.success
        checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
        assert checks["rows_conserved"].passed
        assert not checks["reviews_valid"].passed  # the messy export has bad review dates
        meta = checks["reviews_valid"].metadata
        assert meta["rows_in"].value == meta["rows_clean"].value + meta["rows_quarantined"].value
        materialized = {e.asset_key.to_user_string()
                        for e in result.get_asset_materialization_events()}
        assert set(MART_MODELS) <= materialized
    engine = make_engine(f"sqlite:///{db}")
    assert len(read_mart(engine, "review_timeliness", "MESSY")) > 100
    assert (tmp_path / "state" / "pseudonym.key").exists()


def test_schedule_requests_every_configured_authority(config):
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(
            instance=instance, resources={"settings": IroSettings(authorities_file=str(config))},
            scheduled_execution_time=dt.datetime(2026, 11, 24, 2, 0))
        [request] = nightly(context)
        # Both in one run: the range of partitions from the first to the last.
        assert instance.get_dynamic_partitions(authority_partitions.name) == ["CLEAN", "MESSY"]
        assert request.tags["dagster/asset_partition_range_start"] == "CLEAN"
        assert request.tags["dagster/asset_partition_range_end"] == "MESSY"
        # The run says how many it loads and what started it, for the run list's filters.
        assert request.tags["iro/authorities"] == "2" and request.tags["iro/trigger"] == "nightly"


def test_every_asset_has_kinds_owner_and_tags_and_the_marts_a_freshness_window():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.owners == ["team:iro-data"], key
        assert any(tag.startswith("dagster/kind/") for tag in node.tags), key
        assert node.tags.get("domain") == "children-looked-after", key
    for name in MART_MODELS:
        node = graph.get(dg.AssetKey(name))
        assert node.freshness_policy.fail_window.to_timedelta() == dt.timedelta(hours=26), name
        assert node.tags["access"] == ("restricted" if name in {
            "validation_failures", "quarantine", "failure_history", "child_lookup"} else "shared")


def test_sensor_starts_a_run_when_an_export_lands(tmp_path, config, clean_export):
    settings = IroSettings(authorities_file=str(config))
    resources = {"settings": settings,
                 "database": MartsDatabase(url=f"sqlite:///{tmp_path / 'marts.db'}")}
    with dg.instance_for_test() as instance:
        first = export_drop(dg.build_sensor_context(instance=instance, resources=resources))
        assert sorted(r.partition_key for r in first.run_requests) == ["CLEAN", "MESSY"]
        assert first.dynamic_partitions_requests[0].partition_keys == ["CLEAN", "MESSY"]
        quiet = export_drop(dg.build_sensor_context(instance=instance, cursor=first.cursor,
                                                    resources=resources))
        assert quiet.run_requests == []
        later = time.time() + 5
        os.utime(clean_export / "reviews.csv", (later, later))
        fresh = export_drop(dg.build_sensor_context(instance=instance, cursor=first.cursor,
                                                    resources=resources))
        assert [r.partition_key for r in fresh.run_requests] == ["CLEAN"]


def test_a_new_sensor_does_not_reload_what_was_just_loaded(tmp_path, clean_export, messy_export,
                                                            monkeypatch):
    # Copies written now: the shared exports' times are moved by other tests.
    clean = tmp_path / "clean"
    shutil.copytree(clean_export, clean, copy_function=shutil.copy)
    config = tmp_path / "authorities.yaml"
    write_authorities(config, [Authority("CLEAN", "Clean LA", "ssda903", clean),
                               Authority("MESSY", "Messy LA", "ssda903", messy_export)])
    db = f"sqlite:///{tmp_path / 'marts.db'}"
    monkeypatch.setenv("IRO_ETL_CONFIG", str(config))
    monkeypatch.setenv("IRO_ETL_DB_URL", db)
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("IRO_ETL_AS_OF", "2014-03-31")
    resources = {"settings": IroSettings(authorities_file=str(config)),
                 "database": MartsDatabase(url=db)}
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(authority_partitions.name, ["CLEAN"])
        job = defs.resolve_job_def(nightly_load.name)
        assert job.execute_in_process(instance=instance, partition_key="CLEAN").success
        # Dagster starts after the load: only the authority never loaded is requested.
        first = export_drop(dg.build_sensor_context(instance=instance, resources=resources))
        assert [r.partition_key for r in first.run_requests] == ["MESSY"]
        later = time.time() + 5
        os.utime(clean / "episodes.csv", (later, later))
        fresh = export_drop(dg.build_sensor_context(instance=instance, cursor=first.cursor,
                                                    resources=resources))
        assert [r.partition_key for r in fresh.run_requests] == ["CLEAN"]


def test_missing_config_is_a_skip_not_an_error(tmp_path):
    settings = IroSettings(authorities_file=str(tmp_path / "none.yaml"))
    with dg.instance_for_test() as instance:
        tick = export_drop(dg.build_sensor_context(
            instance=instance, resources={"settings": settings, "database": MartsDatabase()}))
        assert isinstance(tick, dg.SkipReason) and "no such file" in tick.skip_message
        context = dg.build_schedule_context(instance=instance,
                                            resources={"settings": settings})
        assert isinstance(nightly(context), dg.SkipReason)


def test_hooks_write_one_line_per_authority_and_run(tmp_path, config, monkeypatch):
    monkeypatch.setenv("IRO_ETL_CONFIG", str(config))
    monkeypatch.setenv("IRO_ETL_DB_URL", f"sqlite:///{tmp_path / 'marts.db'}")
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("IRO_ETL_AS_OF", "2014-03-31")
    job = defs.resolve_job_def(nightly_load.name)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(authority_partitions.name, ["CLEAN", "GONE"])
        assert job.execute_in_process(instance=instance, partition_key="CLEAN").success
        failed = job.execute_in_process(instance=instance, partition_key="GONE",
                                        raise_on_error=False)
        assert not failed.success
    lines = (tmp_path / "state" / "runs.log").read_text().splitlines()
    assert len(lines) == 2
    assert " CLEAN published load " in lines[0] and " 0 errors" in lines[0]
    assert " GONE FAILED at export: Authority GONE is not in" in lines[1]


def test_a_mart_that_breaks_its_contract_is_held_back(tmp_path, config, monkeypatch):
    from iro_etl import pipeline

    db = tmp_path / "marts.db"
    monkeypatch.setenv("IRO_ETL_CONFIG", str(config))
    monkeypatch.setenv("IRO_ETL_DB_URL", f"sqlite:///{db}")
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path / "state"))
    job = defs.resolve_job_def(nightly_load.name)
    engine = make_engine(f"sqlite:///{db}")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(authority_partitions.name, ["CLEAN"])
        monkeypatch.setenv("IRO_ETL_AS_OF", "2014-03-31")
        assert job.execute_in_process(instance=instance, partition_key="CLEAN").success
        before = read_mart(engine, "review_timeliness", "CLEAN")

        original = pipeline.mart_frames

        def broken(*args, **kwargs):
            frames = original(*args, **kwargs)
            frames["review_timeliness"].loc[0, "review_type"] = "fourth"
            return frames

        monkeypatch.setattr(pipeline, "mart_frames", broken)
        monkeypatch.setenv("IRO_ETL_AS_OF", "2014-04-30")
        result = job.execute_in_process(instance=instance, partition_key="CLEAN")
        assert result.success
        checks = {(e.asset_key.to_user_string(), e.check_name): e
                  for e in result.get_asset_check_evaluations()}
        held = checks[("review_timeliness", "review_timeliness_contract")]
        assert not held.passed and "review_type" in held.metadata["problems"].value
        assert checks[("load_summary", "load_summary_contract")].passed
        materialized = {e.asset_key.to_user_string()
                        for e in result.get_asset_materialization_events()}
        assert "review_timeliness" not in materialized and "load_summary" in materialized
    # Readers keep the previous timeliness rows; the rest moved on to the new load.
    after = read_mart(engine, "review_timeliness", "CLEAN")
    assert len(after) == len(before)
    assert str(read_mart(engine, "load_summary", "CLEAN")["as_of"].iloc[0].date()) == "2014-04-30"
