"""Great Expectations on the marts: suites made from the pandera contract, run on published loads,
offline Data Docs, and the Dagster asset that reports one check per mart."""

import re
from datetime import date
from pathlib import Path

import dagster as dg
import pandas as pd
import pandera.pandas as pa
import pytest
import sqlalchemy as sa
from conftest import AS_OF, load_marts, run_at_once
from iro_assets.definitions import defs
from iro_assets.expectations import check_name
from iro_assets.partitions import authority_partitions
from iro_etl.config import Authority
from iro_etl.marts.publish import make_engine, publish_load, sql_table
from iro_etl.pipeline import read_export
from iro_etl.reports.data_docs import build_data_docs, remote_references
from iro_etl.reports.expectations import quiet_context, suite_for, validate_frame, validate_marts
from iro_schemas.marts import MART_MODELS

IN_SET = "expect_column_values_to_be_in_set"
BROKEN = [f"{IN_SET}(review_type)"]


@pytest.fixture(scope="module")
def load(messy_export):
    """The messy export read, validated and built into marts once for the module."""
    export = read_export(Authority.ad_hoc("LA1", "ssda903", messy_export), AS_OF)
    marts = load_marts(export, b"k")
    return export, marts


def _publish(url: str, load) -> sa.Engine:
    export, marts = load
    engine = make_engine(url)
    publish_load(engine, "LA1", marts, export.load_id, AS_OF)
    return engine


def _break_a_review(engine: sa.Engine) -> None:
    """A row the contract forbids, put straight into the table past the publisher's validation."""
    table = sql_table("review_timeliness", sa.MetaData())
    day = date(2013, 6, 1)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{
            "authority": "LA1", "child_id": "broken", "period_start": day, "cycle_start": day,
            "review_date": day, "review_number": 4, "review_type": "fourth"}])


@pytest.fixture(scope="module")
def broken_db(tmp_path_factory, load) -> str:
    """A SQLite marts database holding the load plus one review of type 'fourth'."""
    url = f"sqlite:///{tmp_path_factory.mktemp('gx') / 'marts.db'}"
    _break_a_review(_publish(url, load))
    return url


def _by_column(suite) -> dict[tuple[str, str | None], dict]:
    return {(e.expectation_type, e.configuration.kwargs.get("column")): e.configuration.kwargs
            for e in suite.expectations}


@pytest.mark.parametrize("name", list(MART_MODELS))
def test_each_suite_follows_its_pandera_schema(name):
    schema = MART_MODELS[name]
    suite = suite_for(name)
    found = _by_column(suite)
    assert suite.name == name
    assert found[("expect_table_columns_to_match_ordered_list", None)]["column_list"] == list(
        schema.columns)
    for column, spec in schema.columns.items():
        assert (("expect_column_values_to_not_be_null", column) in found) is not spec.nullable
        for check in spec.checks:
            if check.name == "isin":
                assert found[(IN_SET, column)]["value_set"] == list(check.statistics["allowed_values"])
            if check.name in ("greater_than", "greater_than_or_equal_to"):
                bounds = found[("expect_column_values_to_be_between", column)]
                assert bounds["min_value"] == check.statistics["min_value"]
                assert bounds.get("strict_min", False) is (check.name == "greater_than")
    # Whatever GX cannot say is listed, not dropped: today only load_summary's lambda.
    expected = ["rows_conserved"] if name == "load_summary" else []
    assert suite.meta["untranslated_checks"] == expected


def test_known_expectations_of_the_contract():
    reviews = _by_column(suite_for("review_timeliness"))
    assert reviews[(IN_SET, "review_type")]["value_set"] == ["first", "second", "subsequent"]
    assert ("expect_column_values_to_not_be_null", "due_date") not in reviews  # nullable
    assert reviews[("expect_column_values_to_be_in_type_list", "on_time")]["type_list"] == [
        "BooleanDtype"]
    overdue = _by_column(suite_for("overdue_reviews"))
    assert overdue[("expect_column_values_to_be_between", "days_overdue")]["strict_min"] is True


PARITY = pa.DataFrameSchema({
    "a": pa.Column(int, checks=pa.Check.in_range(1, 5, include_min=False)),
    "b": pa.Column(int, checks=pa.Check.le(4)),
    "c": pa.Column(int, checks=pa.Check.lt(4)),
    "d": pa.Column(str, checks=pa.Check.notin(["x"])),
    "e": pa.Column(int, checks=pa.Check.equal_to(3)),
    "f": pa.Column(str, checks=pa.Check.str_matches("^a")),
}, name="parity")
GOOD = {"a": 5, "b": 4, "c": 3, "d": "y", "e": 3, "f": "ab"}
#: One value per column that its pandera check rejects (f's regex has no translation).
BAD = {"a": 1, "b": 5, "c": 4, "d": "x", "e": 2}


def test_translated_checks_judge_values_as_pandera_does(monkeypatch):
    monkeypatch.setitem(MART_MODELS, "parity", PARITY)
    assert suite_for("parity").meta["untranslated_checks"] == ["f.str_matches"]
    context = quiet_context()
    assert validate_frame(context, "parity", pd.DataFrame([GOOD])).success
    PARITY.validate(pd.DataFrame([GOOD]))
    for column, value in BAD.items():
        frame = pd.DataFrame([GOOD, {**GOOD, column: value}])
        with pytest.raises(pa.errors.SchemaError):
            PARITY.validate(frame)
        failed = validate_frame(context, "parity", frame).failed_expectations
        assert len(failed) == 1 and failed[0].endswith(f"({column})"), failed


def test_published_load_passes_every_suite_and_a_bad_row_fails_its_own(db_url, load):
    engine = _publish(db_url, load)
    results = validate_marts(engine, "LA1")
    assert set(results) == set(MART_MODELS)
    for name, mart in results.items():
        assert mart.success, (name, mart.failed_expectations)
        assert mart.evaluated == len(suite_for(name).expectations) and mart.failed == 0
    assert results["review_timeliness"].rows == len(load[1]["review_timeliness"]) > 100

    _break_a_review(engine)
    broken = validate_marts(engine, "LA1", names=["review_timeliness", "overdue_reviews"])
    assert not broken["review_timeliness"].success
    assert broken["review_timeliness"].failed_expectations == BROKEN
    assert broken["review_timeliness"].failed_types == [IN_SET]
    failing = next(r for r in broken["review_timeliness"].result.results if not r.success)
    assert failing.result["partial_unexpected_list"] == ["fourth"]
    assert broken["overdue_reviews"].success


def _local_target(page: Path, href: str) -> Path:
    return (page.parent / href.split("#")[0]).resolve()


def test_data_docs_build_offline(tmp_path, broken_db):
    results = validate_marts(make_engine(broken_db), "LA1")
    index = build_data_docs(tmp_path / "docs", results)
    assert index == (tmp_path / "docs" / "site" / "index.html").resolve() and index.is_file()
    site = index.parent
    files = [p for p in site.rglob("*") if p.suffix in (".html", ".css", ".js")]
    pages = [p for p in files if p.suffix == ".html"]
    assert len(pages) == 1 + 2 * len(MART_MODELS)  # the index, a suite and a result per mart
    for path in files:
        text = path.read_text(encoding="utf-8")
        # No address at all: GX's static SVGs keep their XML namespace URIs (names, never
        # fetched), but no page, stylesheet or script needs one.
        assert not re.search(r"https?://", text), path
        assert not re.search(r"""(?:src|href)\s*=\s*["']//|url\(\s*["']?//""", text), path
        assert "<script" not in text, path
    assert remote_references(site) == {}
    html = index.read_text(encoding="utf-8")
    # The index tables are drawn at build time, not by bootstrap-table in the browser.
    links = re.findall(r'href="([^"#][^"]*)"', html)
    for name in MART_MODELS:
        assert f"expectations/{name}.html" in links
    assert all(_local_target(index, href).is_file() for href in links)
    icons = re.findall(r'<i class="fas (fa-[a-z-]+)', html)
    assert sorted(icons) == ["fa-check-circle"] * (len(MART_MODELS) - 1) + ["fa-times"]
    page = next(site.glob("validations/review_timeliness/LA1/*/*.html")).read_text(encoding="utf-8")
    assert "fourth" in page and "static/images/logo-long.png" in page

    # A later run replaces the authority's results rather than piling up beside them.
    build_data_docs(tmp_path / "docs", validate_marts(make_engine(broken_db), "LA1"))
    assert len(list(site.glob("validations/*/LA1/*/*.html"))) == len(MART_MODELS)


def test_mart_expectations_asset_reports_a_check_per_mart(tmp_path, broken_db, monkeypatch):
    monkeypatch.setenv("IRO_ETL_DB_URL", broken_db)
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path / "state"))
    # The suites alone, on marts already published: the checks without their assets.
    job = defs.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection=set(), asset_check_selection={
            dg.AssetCheckKey(dg.AssetKey(name), check_name(name)) for name in MART_MODELS})
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(authority_partitions.name, ["LA1"])
        # A job of checks alone has no partitions: the run names the authority in its tag.
        result = job.execute_in_process(instance=instance, tags={"dagster/partition": "LA1"})
        assert result.success  # a WARN check that fails does not fail the run
        evaluations = result.get_asset_check_evaluations()
        checks = {e.check_name: e for e in evaluations if e.check_name.endswith("expectations")}
    assert set(checks) == {check_name(name) for name in MART_MODELS}
    for name in MART_MODELS:
        check = checks[check_name(name)]
        # Each suite is a check on its own mart, beside the mart's contract check.
        assert check.asset_key == dg.AssetKey(name)
        assert check.severity == dg.AssetCheckSeverity.WARN
        assert check.metadata["evaluated"].value == len(suite_for(name).expectations)
        assert check.passed is (name != "review_timeliness")
    failed = checks[check_name("review_timeliness")].metadata
    assert failed["failed"].value == 1
    assert failed["failed_expectation_types"].value == [IN_SET]
    assert (tmp_path / "state" / "data_docs" / "site" / "index.html").is_file()


def test_two_authorities_build_the_shared_site_at_once(tmp_path, load):
    export, marts = load
    url = f"sqlite:///{tmp_path / 'marts.db'}"
    engine = make_engine(url)
    results = {}
    for code in ("EAST", "WEST"):
        renamed = {name: frame.assign(authority=code) for name, frame in marts.items()}
        publish_load(engine, code, renamed, export.load_id, AS_OF)
        results[code] = validate_marts(engine, code)
    run_at_once(*(lambda c=code: build_data_docs(tmp_path / "docs", results[c])
                  for code in results))
    index = (tmp_path / "docs" / "site" / "index.html").read_text()
    assert "EAST" in index and "WEST" in index
