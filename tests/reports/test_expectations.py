"""Great Expectations on the marts: suites made from the pandera contract, run in memory on the
frames a load built, offline Data Docs, and the checks published_marts reports per mart."""

import re
from pathlib import Path

import dagster as dg
import pandas as pd
import pandera.pandas as pa
import pytest
from conftest import AS_OF, load_marts, run_at_once
from iro_assets.definitions import defs
from iro_assets.expectations import check_name, expectation_checks
from iro_assets.jobs import nightly_load
from iro_assets.partitions import authority_partitions
from iro_etl.config import Authority, write_authorities
from iro_etl.marts.publish import make_engine, publish_load, read_mart
from iro_etl.pipeline import read_export
from iro_etl.reports import expectation_runs, expectations
from iro_etl.reports.data_docs import build_data_docs, remote_references
from iro_etl.reports.expectation_runs import plans
from iro_etl.reports.expectations import (
    quiet_context,
    suite_for,
    validate_frame,
    validate_frames,
    validate_loads,
)
from iro_schemas.marts import MART_KEYS, MART_MODELS

from iro_etl import pipeline

IN_SET = "expect_column_values_to_be_in_set"
BROKEN = [f"{IN_SET}(review_type)"]
#: What pandera checks on every mart before it is published, so no suite repeats it.
PANDERA_ONLY = {"expect_table_columns_to_match_ordered_list", "expect_column_values_to_not_be_null",
                "expect_column_values_to_be_in_type_list", "expect_column_values_to_be_of_type"}


@pytest.fixture(scope="module")
def load(messy_export):
    """The messy export read, validated and built into marts once for the module."""
    export = read_export(Authority.ad_hoc("LA1", "ssda903", messy_export), AS_OF)
    marts = load_marts(export, b"k")
    return export, marts


@pytest.fixture(scope="module")
def published(tmp_path_factory, load) -> dict[str, pd.DataFrame]:
    """Every mart as the publisher wrote it (the failure history too), in memory."""
    export, marts = load
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('gx') / 'marts.db'}")
    return publish_load(engine, "LA1", marts, export.load_id, AS_OF).written


def _with_a_fourth_review(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The frames with one review of type 'fourth', which the contract's code list forbids."""
    reviews = frames["review_timeliness"]
    bad = reviews.head(1).assign(child_id="broken", review_type="fourth")
    return {**frames, "review_timeliness": pd.concat([reviews, bad], ignore_index=True)}


def _by_column(suite) -> dict[tuple[str, str | None], dict]:
    return {(e.expectation_type, e.configuration.kwargs.get("column")): e.configuration.kwargs
            for e in suite.expectations}


@pytest.mark.parametrize("name", list(MART_MODELS))
def test_each_suite_follows_its_pandera_schema(name):
    schema = MART_MODELS[name]
    suite = suite_for(name)
    found = _by_column(suite)
    assert suite.name == name
    # Columns, types and nulls are pandera's, checked before publishing: not said again.
    assert not {kind for kind, _ in found} & PANDERA_ONLY
    for column, spec in schema.columns.items():
        for check in spec.checks:
            if check.name == "isin":
                assert found[(IN_SET, column)]["value_set"] == list(check.statistics["allowed_values"])
            if check.name in ("greater_than", "greater_than_or_equal_to"):
                bounds = found[("expect_column_values_to_be_between", column)]
                assert bounds["min_value"] == check.statistics["min_value"]
                assert bounds.get("strict_min", False) is (check.name == "greater_than")
    keys = MART_KEYS.get(name)
    if keys and len(keys) > 1:
        assert found[("expect_compound_columns_to_be_unique", None)]["column_list"] == list(keys)
    elif keys:
        assert ("expect_column_values_to_be_unique", keys[0]) in found
    # Whatever GX cannot say is listed, not dropped: today only load_summary's lambda.
    expected = ["rows_conserved"] if name == "load_summary" else []
    assert suite.meta["untranslated_checks"] == expected


def test_known_expectations_of_the_contract():
    reviews = _by_column(suite_for("review_timeliness"))
    assert reviews[(IN_SET, "review_type")]["value_set"] == ["first", "second", "subsequent"]
    assert reviews[("expect_compound_columns_to_be_unique", None)]["column_list"] == [
        "child_id", "review_date"]
    overdue = _by_column(suite_for("overdue_reviews"))
    assert overdue[("expect_column_values_to_be_between", "days_overdue")]["strict_min"] is True
    # The grain of authorities is the authority itself: one row at most.
    assert _by_column(suite_for("authorities"))[
        ("expect_table_row_count_to_be_between", None)]["max_value"] == 1
    # 388 expectations on the marts before the duplicates of pandera went.
    assert sum(len(suite_for(name).expectations) for name in MART_MODELS) < 120


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


def test_every_suite_passes_the_frames_published_and_a_bad_row_fails_its_own(published):
    results = validate_frames("LA1", published)
    assert set(results) == set(MART_MODELS)
    for name, mart in results.items():
        assert mart.success, (name, mart.failed_expectations)
        assert mart.evaluated == len(suite_for(name).expectations) and mart.failed == 0
    assert results["review_timeliness"].rows == len(published["review_timeliness"]) > 100

    broken = validate_frames("LA1", {name: frame for name, frame in _with_a_fourth_review(
        published).items() if name in ("review_timeliness", "overdue_reviews")})
    assert not broken["review_timeliness"].success
    assert broken["review_timeliness"].failed_expectations == BROKEN
    assert broken["review_timeliness"].failed_types == [IN_SET]
    failing = next(r for r in broken["review_timeliness"].result.results if not r.success)
    assert failing.result["partial_unexpected_list"] == ["fourth"]
    assert broken["overdue_reviews"].success


def test_a_repeated_grain_fails_the_grain_expectation(published):
    reviews = published["review_timeliness"]
    twice = pd.concat([reviews, reviews.head(1)], ignore_index=True)
    mart = validate_frames("LA1", {"review_timeliness": twice})["review_timeliness"]
    assert mart.failed_expectations == ["expect_compound_columns_to_be_unique"]


def _local_target(page: Path, href: str) -> Path:
    return (page.parent / href.split("#")[0]).resolve()


def test_data_docs_build_offline(tmp_path, published):
    results = validate_frames("LA1", _with_a_fourth_review(published))
    index = build_data_docs(tmp_path / "docs", results.values())
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
    build_data_docs(tmp_path / "docs",
                    validate_frames("LA1", _with_a_fourth_review(published)).values())
    assert len(list(site.glob("validations/*/LA1/*/*.html"))) == len(MART_MODELS)


def test_published_marts_checks_each_mart_on_the_frames_it_built(tmp_path, clean_export,
                                                                  monkeypatch):
    config = tmp_path / "authorities.yaml"
    write_authorities(config, [Authority.ad_hoc("CLEAN", "ssda903", clean_export)])
    db = f"sqlite:///{tmp_path / 'marts.db'}"
    monkeypatch.setenv("IRO_ETL_CONFIG", str(config))
    monkeypatch.setenv("IRO_ETL_DB_URL", db)
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("IRO_ETL_AS_OF", "2014-03-31")
    original = pipeline.mart_frames

    def broken(*args, **kwargs):
        frames = original(*args, **kwargs)
        frames["review_timeliness"].loc[0, "review_type"] = "fourth"
        return frames

    monkeypatch.setattr(pipeline, "mart_frames", broken)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(authority_partitions.name, ["CLEAN"])
        result = defs.resolve_job_def(nightly_load.name).execute_in_process(
            instance=instance, partition_key="CLEAN")
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
        assert check.metadata["published"].value is (name != "review_timeliness")
    failed = checks[check_name("review_timeliness")].metadata
    assert failed["failed"].value == 1
    assert failed["failed_expectation_types"].value == [IN_SET]
    # The contract held that mart back, so the database never saw 'fourth': the suite ran on
    # the frame in memory.
    assert read_mart(make_engine(db), "review_timeliness", "CLEAN").empty
    site = tmp_path / "state" / "data_docs" / "site"
    page = next(site.glob("validations/review_timeliness/CLEAN/*/*.html"))
    assert "fourth" in page.read_text(encoding="utf-8")


def test_two_authorities_build_the_shared_site_at_once(tmp_path, load):
    export, marts = load
    url = f"sqlite:///{tmp_path / 'marts.db'}"
    engine = make_engine(url)
    results = {}
    for code in ("EAST", "WEST"):
        renamed = {name: frame.assign(authority=code) for name, frame in marts.items()}
        written = publish_load(engine, code, renamed, export.load_id, AS_OF).written
        results[code] = validate_frames(code, written)
    run_at_once(*(lambda c=code: build_data_docs(tmp_path / "docs", results[c].values())
                  for code in results))
    index = (tmp_path / "docs" / "site" / "index.html").read_text()
    assert "EAST" in index and "WEST" in index


@pytest.fixture
def nights(tmp_path, published, monkeypatch):
    """Which marts each run of LA1's expectation checks validated (the others' last results
    stood), and how to run them on frames."""
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path / "state"))
    validated: list[list[str]] = []

    def spy(loads, context=None):
        validated.append(sorted(loads["LA1"]))
        return validate_loads(loads, context)

    monkeypatch.setattr(expectations, "validate_loads", spy)

    def checks(frames):
        return {c.check_name: c for c in expectation_checks({"LA1": frames},
                                                            {"LA1": set(published)})["LA1"]}

    return validated, checks


def test_only_marts_that_changed_since_the_last_run_are_validated(tmp_path, published, nights):
    validated, checks = nights
    first = checks(published)
    again = checks(published)
    changed = checks(_with_a_fourth_review(published))
    # The second run found every frame as it was: no suite ran, the last results stand.
    assert validated == [sorted(published), ["review_timeliness"]]
    assert {k: (c.passed, c.metadata["evaluated"]) for k, c in again.items()} == {
        k: (c.passed, c.metadata["evaluated"]) for k, c in first.items()}
    assert not changed[check_name("review_timeliness")].passed
    assert changed[check_name("overdue_reviews")].passed
    site = tmp_path / "state" / "data_docs" / "site"
    assert len(list(site.glob("validations/review_timeliness/LA1/*/*.html"))) == 1


def test_a_new_load_id_alone_does_not_send_a_mart_through_gx_again(published, nights):
    """The next night's load id is in the grain of load_summary and quarantine, one value on
    every row: no row becomes a duplicate by it, so the marts' last results stand. Two load
    ids in one frame could make one, and are validated."""
    validated, checks = nights
    checks(published)
    summary = published["load_summary"]
    assert len(summary) > 1 and summary["load_id"].nunique() == 1
    checks({**published, "load_summary": summary.assign(load_id="the next night")})
    assert validated == [sorted(published)]
    two = summary.assign(load_id=["one", *["another"] * (len(summary) - 1)])
    checks({**published, "load_summary": two})
    assert validated[1:] == [["load_summary"]]


def test_values_that_still_pass_their_checks_do_not_send_a_mart_through_gx(published, nights):
    """A night later every overdue review is a day more overdue: the range check passes on
    every row as before, so the last result stands. A value that breaks it is validated."""
    validated, checks = nights
    checks(published)
    overdue = published["overdue_reviews"]
    assert len(overdue) and (overdue["days_overdue"] > 0).all()
    checks({**published, "overdue_reviews": overdue.assign(days_overdue=overdue["days_overdue"] + 1)})
    assert validated == [sorted(published)]
    broken = overdue.assign(days_overdue=[0, *overdue["days_overdue"].iloc[1:]])
    assert not checks({**published, "overdue_reviews": broken})[
        check_name("overdue_reviews")].passed
    assert validated[1:] == [["overdue_reviews"]]


def test_fingerprints_worked_out_for_several_authorities_at_once_are_each_ones_alone(
        tmp_path, published):
    """The contract checks behind the fingerprints run, and the rows are hashed, once per
    mart over every authority's rows (of the same dtypes); each authority's fingerprints are
    what it would get alone, whatever its values (one breaks a check) and dtypes (one's days
    overdue are floats with blanks)."""
    overdue = published["overdue_reviews"]
    days = overdue["days_overdue"]
    loads = {
        "EAST": published,
        "WEST": {**published, "overdue_reviews": overdue.assign(days_overdue=[0, *days[1:]])},
        "NORTH": {**published, "overdue_reviews": overdue.assign(
            days_overdue=days.astype("float64").where(days.index % 2 == 0))},
        "SOUTH": {**published, "overdue_reviews": overdue.assign(days_overdue=days + 1)},
    }
    together = {code: p.fingerprints for code, p in plans(tmp_path, loads).items()}
    alone = {code: plans(tmp_path, {code: frames})[code].fingerprints
             for code, frames in loads.items()}
    assert together == alone
    mart = "overdue_reviews"
    # A day more overdue still passes; a 0 does not, nor do the other dtype's values.
    assert together["SOUTH"][mart] == together["EAST"][mart]
    assert len({together[code][mart] for code in ("EAST", "WEST", "NORTH")}) == 3


def test_rows_hashed_together_hash_as_each_frame_alone():
    """Frames are hashed stacked only with frames of the same dtypes: stacked with floats,
    a frame's whole numbers would become floats and hash as floats do."""
    frames = [pd.DataFrame({"a": [1, 2], "b": ["x", None]}),
              pd.DataFrame({"a": [1.0, 2.0], "b": ["x", None]}),
              pd.DataFrame({"a": [3], "b": pd.Categorical(["x"], categories=["x", "y"])}),
              pd.DataFrame({"a": [4, 5], "b": pd.Categorical(["x", "z"])}),
              pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype=object)}),
              pd.DataFrame({"a": [6], "b": ["y"]})]
    together = expectation_runs._row_hashes(frames)
    for frame, hashes in zip(frames, together, strict=True):
        assert hashes.tolist() == pd.util.hash_pandas_object(frame, index=False).tolist()


def _as(code: str, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: frame.assign(authority=code) for name, frame in frames.items()}


def _judged(mart) -> tuple:
    return mart.success, mart.evaluated, mart.failed, mart.failed_expectations, mart.rows


def test_several_authorities_validated_together_are_judged_as_alone(published):
    # Three copies of one authority's marts: every grain key repeats across them, which
    # must not count against any (the grain is per authority); one has a bad code, one
    # a repeated grain row in the same mart.
    reviews = published["review_timeliness"]
    loads = {
        "EAST": _as("EAST", published),
        "WEST": _as("WEST", _with_a_fourth_review(published)),
        "NORTH": _as("NORTH", {**published, "review_timeliness": pd.concat(
            [reviews, reviews.head(1)], ignore_index=True)}),
    }
    together = validate_loads(loads)
    for code, frames in loads.items():
        alone = validate_frames(code, frames)
        assert {n: _judged(m) for n, m in together[code].items()} == {
            n: _judged(m) for n, m in alone.items()}, code
    assert together["WEST"]["review_timeliness"].failed_expectations == BROKEN
    assert together["NORTH"]["review_timeliness"].failed_expectations == [
        "expect_compound_columns_to_be_unique"]
    # A mart every authority met is one validation for all of them; a mart one broke is
    # validated authority by authority, so each failure (and page) is its own.
    shared = together["EAST"]["overdue_reviews"].result
    assert shared is together["WEST"]["overdue_reviews"].result
    assert shared.meta["run_id"].run_name == "EAST,NORTH,WEST"
    assert together["WEST"]["review_timeliness"].result.meta["run_id"].run_name == "WEST"


def test_data_docs_keep_each_authoritys_latest_result(tmp_path, published):
    site = tmp_path / "docs" / "site"

    def pages(mart: str) -> list[str]:
        return sorted(p.parent.parent.name for p in site.glob(f"validations/{mart}*/*/*/*.html"))

    east, west = _as("EAST", published), _as("WEST", published)
    build_data_docs(tmp_path / "docs", [m for marts in validate_loads(
        {"EAST": east, "WEST": west}).values() for m in marts.values()])
    assert pages("overdue_reviews") == ["EAST,WEST"]
    # EAST alone again: WEST still stands on the shared result, so it stays beside EAST's.
    build_data_docs(tmp_path / "docs", validate_frames("EAST", east).values())
    assert pages("overdue_reviews") == ["EAST", "EAST,WEST"]
    # Both together again: the newer shared result replaces both older ones.
    build_data_docs(tmp_path / "docs", [m for marts in validate_loads(
        {"EAST": east, "WEST": west}).values() for m in marts.values()])
    assert pages("overdue_reviews") == ["EAST,WEST"]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "EAST,WEST" in index
