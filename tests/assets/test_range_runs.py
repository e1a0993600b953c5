"""Several authorities in one Dagster run (a range of partitions), as the nightly schedule and
``iro-etl run`` start them: each gets what a run of its own gives it, and one authority's
broken export holds back its own marts only."""

import datetime as dt
import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from iro_assets.definitions import defs
from iro_assets.partitions import authority_partitions, batches
from iro_assets.resources import IroSettings
from iro_assets.schedules import nightly
from iro_cli.runner import HELD, run_authorities, run_authority
from iro_etl.config import Authority, write_authorities
from iro_etl.marts.publish import make_engine, read_mart
from iro_schemas.marts import MART_MODELS

AS_OF = "2014-03-31"


@pytest.fixture
def exports(tmp_path, clean_export, messy_export) -> dict[str, Path]:
    """Three authorities: two sound exports and one without its reviews (held back by the
    guard); GONE, loaded with them, is not configured (its read fails)."""
    held = tmp_path / "held"
    shutil.copytree(clean_export, held)
    (held / "reviews.csv").unlink()
    return {"CLEAN": clean_export, "MESSY": messy_export, "HELD": held}


def _configure(tmp_path: Path, exports: dict[str, Path], name: str, monkeypatch) -> str:
    config = tmp_path / "authorities.yaml"
    write_authorities(config, [Authority(code, code, "ssda903", path)
                               for code, path in exports.items()])
    db = f"sqlite:///{tmp_path / f'{name}.db'}"
    monkeypatch.setenv("IRO_ETL_CONFIG", str(config))
    monkeypatch.setenv("IRO_ETL_DB_URL", db)
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path / name))
    monkeypatch.setenv("IRO_ETL_AS_OF", AS_OF)
    return db


def _marts(db: str, code: str) -> dict[str, pd.DataFrame]:
    """The authority's published marts, in one row order (a table read has none of its own)."""
    engine = make_engine(db)
    return {name: _sorted(read_mart(engine, name, code)) for name in MART_MODELS}


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    order = frame.astype(str).sort_values(list(frame.columns)).index
    return frame.loc[order].reset_index(drop=True)


def test_a_range_run_gives_each_authority_what_its_own_run_gives(tmp_path, exports, monkeypatch):
    codes = [*exports, "GONE"]
    alone_db = _configure(tmp_path, exports, "alone", monkeypatch)
    with dg.instance_for_test() as instance:
        alone = [run_authority(instance, code) for code in codes]
    # The same key for both: pseudonyms must agree.
    shutil.copy(tmp_path / "alone" / "pseudonym.key", tmp_path / "key")
    together_db = _configure(tmp_path, exports, "together", monkeypatch)
    (tmp_path / "together").mkdir()
    shutil.copy(tmp_path / "key", tmp_path / "together" / "pseudonym.key")
    with dg.instance_for_test() as instance:
        outcomes = run_authorities(instance, codes)
        runs = instance.get_runs()
        assert len(runs) == 1 and runs[0].status == dg.DagsterRunStatus.FAILURE
        materialized = {name: instance.get_materialized_partitions(dg.AssetKey(name))
                        for name in ["export", "review_timeliness", "load_summary",
                                     "annual_report", "failures_workbook"]}
        checks = {(e.asset_key.to_user_string(), e.check_name, e.partition): e.passed
                  for e in _evaluations(instance, runs[0].run_id)}

    # The outcomes people are told, authority by authority, are those of runs of their own.
    def told(o):
        return (o.authority, o.success, o.published, o.held, o.failed_step, o.error)

    assert [told(o) for o in outcomes] == [told(o) for o in alone]
    by_code = {o.authority: o for o in outcomes}
    assert by_code["CLEAN"].success and by_code["MESSY"].success
    assert by_code["HELD"].held and by_code["HELD"].error.startswith(
        f"{HELD}: reviews: no rows read")
    assert by_code["GONE"].failed_step == "export" and not by_code["GONE"].published

    # Every mart of every authority, row for row, as its own run published it.
    for code in codes:
        own, shared = _marts(alone_db, code), _marts(together_db, code)
        for name in MART_MODELS:
            pd.testing.assert_frame_equal(shared[name], own[name], obj=f"{code} {name}")
    assert len(_marts(together_db, "CLEAN")["review_timeliness"]) > 100

    # Dagster records each authority's own outcome: the marts of those published, the
    # held load's summary, nothing for the export that was never read.
    assert materialized["review_timeliness"] == {"CLEAN", "MESSY"}
    assert materialized["load_summary"] == {"CLEAN", "MESSY", "HELD"}
    assert materialized["annual_report"] == {"CLEAN", "MESSY"}
    assert materialized["failures_workbook"] == {"CLEAN", "MESSY", "HELD"}
    assert checks[("load_summary", "publish_guard", "HELD")] is False
    assert checks[("load_summary", "publish_guard", "CLEAN")] is True
    assert checks[("validated_tables", "reviews_valid", "MESSY")] is False
    assert checks[("validated_tables", "reviews_valid", "CLEAN")] is True
    assert {code: checks[("load_log", "load_published", code)] for code in codes} == {
        "CLEAN": True, "MESSY": True, "HELD": False, "GONE": False}
    assert ("validated_tables", "rows_conserved", "GONE") not in checks

    # One line per authority in the runs log, as its own run wrote it.
    lines = (tmp_path / "together" / "runs.log").read_text().splitlines()
    said = sorted(line.split(" ", 1)[1] for line in lines)
    assert said == sorted(line.split(" ", 1)[1]
                          for line in (tmp_path / "alone" / "runs.log").read_text().splitlines())
    assert len(said) == 4 and any(s.startswith("GONE FAILED at export: Authority GONE is not in")
                                  for s in said)


def _evaluations(instance: dg.DagsterInstance, run_id: str):
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=10_000).records
    return [r.event_log_entry.dagster_event.event_specific_data for r in records]


def test_a_run_of_sound_exports_succeeds_and_batches_cut_it(tmp_path, exports, monkeypatch):
    sound = {code: exports[code] for code in ("CLEAN", "MESSY")}
    _configure(tmp_path, sound, "sound", monkeypatch)
    with dg.instance_for_test() as instance:
        outcomes = run_authorities(instance, list(sound), batch=1)
        runs = instance.get_runs()
    assert [o.success for o in outcomes] == [True, True]
    assert len(runs) == 2 and {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
    assert sorted(r.tags["dagster/partition"] for r in runs) == ["CLEAN", "MESSY"]


def test_batches_are_ranges_of_the_partitions_in_dagsters_order():
    known = ["B", "A", "X", "C", "D", "E"]
    assert batches(known, ["A", "B", "C", "D", "E"], 2) == [["B", "A"], ["C", "D"], ["E"]]
    # A partition not wanted (an authority no longer configured) ends a range.
    assert batches(known, ["A", "C"], 10) == [["A"], ["C"]]
    assert batches(known, [], 10) == []
    with pytest.raises(ValueError, match="not partitions yet: Z"):
        batches(known, ["Z"], 10)


def test_the_schedule_requests_ranges_of_configured_authorities(tmp_path, clean_export):
    codes = [f"LA{i:02d}" for i in range(30)]
    config = tmp_path / "authorities.yaml"
    write_authorities(config, [Authority(code, code, "ssda903", clean_export) for code in codes])
    with dg.instance_for_test() as instance:
        # LA05 was added long ago; RETIRED is a partition no longer configured.
        instance.add_dynamic_partitions(authority_partitions.name, ["LA05", "RETIRED"])
        context = dg.build_schedule_context(
            instance=instance, resources={"settings": IroSettings(authorities_file=str(config))},
            scheduled_execution_time=dt.datetime(2026, 11, 24, 2, 0),
            repository_def=defs.get_repository_def())
        # As the daemon evaluates a tick: each request resolved against the job.
        requests = nightly.evaluate_tick(context).run_requests
        known = list(instance.get_dynamic_partitions(authority_partitions.name))
    ranges = [(r.tags.get("dagster/asset_partition_range_start", r.partition_key),
               r.tags.get("dagster/asset_partition_range_end", r.partition_key))
              for r in requests]
    covered = [code for start, end in ranges
               for code in known[known.index(start):known.index(end) + 1]]
    assert sorted(covered) == codes  # each once, RETIRED never
    assert ranges[0] == ("LA05", "LA05") and requests[0].partition_key == "LA05"
    assert [int(r.tags.get("iro/authorities", 1)) for r in requests] == [1, 25, 4]
    assert {r.tags["iro/trigger"] for r in requests} == {"nightly"}
    assert {r.tags["dagster/schedule_name"] for r in requests} == {"nightly"}
    assert len({r.run_key for r in requests}) == 3


def test_a_run_whose_authorities_all_fail_tells_each_its_own_reason(tmp_path, exports,
                                                                     monkeypatch):
    _configure(tmp_path, exports, "none", monkeypatch)
    with dg.instance_for_test() as instance:
        outcomes = run_authorities(instance, ["NOPE1", "NOPE2"])
        [run] = instance.get_runs()
    assert run.status == dg.DagsterRunStatus.FAILURE
    for outcome, code in zip(outcomes, ["NOPE1", "NOPE2"], strict=True):
        assert (outcome.success, outcome.published, outcome.failed_step) == (False, False,
                                                                              "export")
        assert outcome.error.startswith(f"Authority {code} is not in")
    lines = (tmp_path / "none" / "runs.log").read_text().splitlines()
    assert [line.split(" ", 1)[1].split(":")[0] for line in lines] == [
        "NOPE1 FAILED at export", "NOPE2 FAILED at export"]
