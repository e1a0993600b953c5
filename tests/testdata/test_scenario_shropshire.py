"""The Shropshire seed, through the generic plugin and the rules, gives the 2014/15 report's figures."""

from __future__ import annotations

import pandas as pd
import pytest
from iro_etl.marts.build import RuleResults
from iro_schemas.indicators import BASIS_LATEST, BASIS_YEAR, QUALITY_CHECKLIST, SW_REPORT_BY_DATES
from iro_testdata.scenario_shropshire import PUBLISHED, SEED_POPULATION_2012
from seed_loading import LoadedSeed, assert_read_back_whole, published_comparison

SEED = "shropshire-2013-14"
AS_OF = pd.Timestamp("2014-03-31")


def test_written_through_the_generic_mapping_and_read_back_whole(seed: LoadedSeed) -> None:
    assert_read_back_whole(SEED, seed, "generic")


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


def test_snapshot_at_31_march_2014(results: RuleResults) -> None:
    pop = results.population[results.population["year_ending"] == 2014]
    legal = pop.groupby("legal_status_group")["children"].sum()
    assert round(100 * legal["section 20"] / legal.sum()) == PUBLISHED["section_20_percent"]
    placed = pop.groupby("placement_group")["children"].sum()
    assert placed["foster with relative or friend"] == PUBLISHED["foster_relative_or_friend"]
    marts = results.indicators["population_breakdowns"]
    far = marts[(marts["year_ending"] == 2014) & (marts["category"] == "over 20 miles")]
    assert far["children"].item() == PUBLISHED["placed_at_distance"]


@pytest.mark.parametrize("basis", [BASIS_LATEST, BASIS_YEAR])
def test_review_checklist_as_at_31_march_2014(seed: LoadedSeed, results: RuleResults,
                                              basis: str) -> None:
    mart = results.indicators["review_quality"]
    rows = mart[(mart["year_ending"] == 2014) & (mart["basis"] == basis)].set_index("measure")
    for column, published in PUBLISHED["checklist_percent"].items():
        assert round(rows.loc[QUALITY_CHECKLIST[column], "percent"]) == published, column
    # The report deadline worked out from the dates agrees with the IRO's tick.
    by_dates, ticked = rows.loc[SW_REPORT_BY_DATES], rows.loc[QUALITY_CHECKLIST["sw_report_on_time"]]
    assert (by_dates["numerator"], by_dates["denominator"]) == (ticked["numerator"],
                                                                ticked["denominator"])
    assert not rows["not_recorded"].any()
    if basis == BASIS_LATEST:
        # One latest review per child looked after at 31 March 2014 who had one in the year.
        clean = seed.validated.clean
        still = clean["episodes"].loc[clean["episodes"]["dec"].isna(), "child_id"]
        reviews = clean["reviews"]
        in_year = reviews[(reviews["review_date"] > pd.Timestamp("2013-03-31"))
                          & (reviews["review_date"] <= AS_OF)]
        expected = in_year.loc[in_year["child_id"].isin(still), "child_id"].nunique()
        assert rows.loc[QUALITY_CHECKLIST["child_informed"], "denominator"] == expected


def test_rag_ratings_of_the_year(results: RuleResults) -> None:
    mart = results.indicators["rag_distribution"]
    rows = mart[(mart["year_ending"] == 2014) & (mart["basis"] == BASIS_YEAR)].set_index("rag")
    assert {rag: round(rows.loc[rag, "percent"]) for rag in PUBLISHED["rag_percent"]} == (
        PUBLISHED["rag_percent"])
    assert rows.loc["amber", "percent"] < 10


def test_iros_in_2013_14(results: RuleResults) -> None:
    workforce = results.indicators["iro_workforce"].set_index("year_ending")
    assert workforce.loc[2014, "fte"] == pytest.approx(PUBLISHED["fte"])
    # The extra IRO joined on 1 April 2013.
    assert workforce.loc[2013, "fte"] == pytest.approx(PUBLISHED["fte"] - 1)


def test_published_marts_match_the_report(seed: LoadedSeed, db_url: str) -> None:
    table = published_comparison(SEED, seed, db_url)
    assert list(table.columns) == ["measure", "published", "reproduced", "same"]
    assert len(table) == 18
    assert (table["same"] == "yes").all(), table.to_string()
