"""The Shropshire seed, through the 903 plugin and the rules, gives the 2014/15 report's figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from iro_etl.marts import RuleResults, apply_rules
from iro_etl.pipeline import build_marts, read_export, validate_export
from iro_etl.publish import make_engine, publish_load
from iro_etl.registry import get_plugin
from iro_etl.scenario_shropshire import (
    PUBLISHED,
    SEED_POPULATION_2012,
    compare_with_published,
    shropshire_2013_14,
)
from iro_etl.workdays import WorkingCalendar

AS_OF = pd.Timestamp("2014-03-31")


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest: Path = tmp_path_factory.mktemp("sh")
    get_plugin("ssda903").write_synthetic(shropshire_2013_14(), dest)
    return dest


@pytest.fixture(scope="module")
def results(export_dir: Path) -> RuleResults:
    export = read_export("SH", "ssda903", export_dir, AS_OF)
    validated = validate_export(export)
    assert validated.failures.empty, validated.failures.head(20).to_string()
    return apply_rules(validated.clean, AS_OF, WorkingCalendar())


@pytest.mark.parametrize("year", [2012, 2013, 2014])
def test_reviewed_within_timescales(results: RuleResults, year: int) -> None:
    row = results.indicator.set_index("year_ending").loc[year]
    assert row["cohort"] == PUBLISHED["timeliness_cohort"][year]
    assert row["reviewed_on_time"] == PUBLISHED["reviewed_on_time"][year]
    assert row["percent"] == PUBLISHED["timeliness_percent"][year]


@pytest.mark.parametrize("year", [2012, 2013, 2014])
def test_late_reviews_are_first_reviews(results: RuleResults, year: int) -> None:
    t = results.timeliness
    in_year = t[(t["review_date"] > pd.Timestamp(year=year - 1, month=3, day=31))
                & (t["review_date"] <= pd.Timestamp(year=year, month=3, day=31))]
    late = in_year[~in_year["on_time"].astype(bool)]
    cohort = PUBLISHED["timeliness_cohort"][year] - PUBLISHED["reviewed_on_time"][year]
    assert late["child_id"].nunique() == len(late) == cohort
    assert set(late["review_type"]) == {"first"}


def test_population_at_31_march(results: RuleResults) -> None:
    totals = results.population.groupby("year_ending")["children"].sum()
    for year, children in PUBLISHED["population"].items():
        assert totals[year] == children
    # Not in the report: the seed's own count.
    assert totals[2012] == SEED_POPULATION_2012
    assert results.overdue.empty


def test_compare_with_published(export_dir: Path, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'marts.db'}")
    export = read_export("SH", "ssda903", export_dir, AS_OF)
    _, marts = build_marts(export, validate_export(export), WorkingCalendar(), b"k")
    publish_load(engine, "SH", marts, export.load_id, AS_OF)
    table = compare_with_published(engine, "SH")
    assert list(table.columns) == ["measure", "published", "reproduced", "same"]
    assert len(table) == 5
    assert (table["same"] == "yes").all(), table.to_string()
