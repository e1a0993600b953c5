"""Three years' whole returns, each with every table of its year's layout (social workers'
episodes from 2023/24, deprivation of liberty orders from 2026/27), as CSV folders and as
XML files: one history, and the yearly figures equal to an independent computation
(tests/reference.py) on what the returns hold."""

from dataclasses import replace

import pandas as pd
import pytest
import reference
from conftest import load_marts
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_plugin_ssda903.tables import tables_of
from iro_schemas.lineage import SOURCE_FILE
from iro_testdata.synthetic import generate
from iro_testdata.writers.ssda903 import return_of, write_returns

YEARS = [2025, 2026, 2027]
AS_OF = pd.Timestamp("2027-03-31")
WINDOW = (pd.Timestamp("2024-04-01"), AS_OF)


@pytest.fixture(scope="module")
def truth():
    truth = generate(700, as_of=AS_OF, seed=62)
    # A child whose years hold only short breaks has no reviews in them (DfE 399).
    ep = truth.episodes
    ep = ep[(ep["decom"] <= AS_OF) & (ep["dec"].isna() | (ep["dec"] >= WINDOW[0]))]
    only_breaks = ep["ls"].isin(["V3", "V4"]).groupby(ep["child_id"]).all()
    return replace(truth, reviews=truth.reviews[
        ~truth.reviews["child_id"].isin(only_breaks.index[only_breaks.to_numpy()])])


@pytest.fixture(scope="module")
def expected(truth):
    """What the returns hold, taken from the truth directly: the episodes open at some time
    in the three years and the reviews held in them, and the figures computed from them."""
    ep = truth.episodes
    ep = ep[(ep["decom"] <= AS_OF) & (ep["dec"].isna() | (ep["dec"] >= WINDOW[0]))]
    reviews = truth.reviews[truth.reviews["review_date"].between(*WINDOW)]
    found = reference.periods(ep, reviews)
    return {year: {"looked_after": reference.looked_after(found, year),
                   "ni66": reference.reviewed_within_timescales(found, year),
                   "reviews": reference.reviews_on_time(found, year)} for year in YEARS}


@pytest.fixture(scope="module", params=["csv", "xml"])
def loaded(request, truth, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    ledger = write_returns(truth, root, YEARS, form=request.param)
    export = read_export(Authority.ad_hoc("H", "ssda903", root), AS_OF)
    return request.param, ledger, export


def test_every_table_of_every_year_is_recognised(loaded):
    form, ledger, export = loaded
    if form == "csv":
        want = {f"{year}/{table}.csv" for year in YEARS for table in tables_of(year)}
        assert set(export.source.not_used) == want
    else:
        # The XML sections read and not used, counted per return (DoLo has no XML form yet).
        counted = {key for key in export.source.not_used}
        assert {f"{year}.xml <OC2> x{ledger.rows[year]['oc2']}" for year in YEARS} <= counted
        assert f"2025.xml <SWEPISODE> x{ledger.rows[2025]['sw_episodes']}" in counted
    assert "dolo" in tables_of(2027) and "dolo" not in tables_of(2026)
    assert "sw_episodes" in tables_of(2024) and "sw_episodes" not in tables_of(2023)


def test_one_history_with_nothing_counted_twice(loaded, truth):
    form, ledger, export = loaded
    validated = validate_export(export)
    assert validated.failures.empty, validated.failures.head().to_string()
    # Each child once, from the latest return that has it.
    latest = {}
    for year in YEARS:
        for child in return_of(truth, year).children["child_id"]:
            latest[child] = year
    children = validated.clean["children"].set_index("child_id")
    assert sorted(children.index) == sorted(latest)
    name = "{}/header.csv" if form == "csv" else "{}.xml"
    assert children[SOURCE_FILE].to_dict() == {c: name.format(y) for c, y in latest.items()}
    # The episodes each later return restates are superseded, exactly.
    superseded = export.source.superseded["episodes"]
    suffix = "" if form == "csv" else ".xml"
    assert {int(key.split()[0].removesuffix(suffix)) + 1: n
            for key, n in superseded.items()} == ledger.restated
    assert len(validated.clean["episodes"]) == sum(
        ledger.rows[y]["episodes"] for y in YEARS) - sum(ledger.restated.values())


def test_yearly_figures_equal_an_independent_computation(loaded, expected):
    _, _, export = loaded
    marts = load_marts(export)
    population = marts["lac_population"].groupby("year_ending")["children"].sum()
    ni66 = marts["review_timeliness_indicator"].set_index("year_ending")
    timeliness = marts["review_timeliness"]
    for year in YEARS:
        want = expected[year]
        assert population[year] == want["looked_after"], year
        assert (ni66.loc[year, "reviewed_on_time"], ni66.loc[year, "cohort"]) == want["ni66"], year
        in_year = timeliness[timeliness["review_date"].between(
            pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31))
            & timeliness["excluded_reason"].isna()]
        assert (int(in_year["on_time"].sum()), len(in_year)) == want["reviews"], year
    # Figures large enough to mean something.
    assert all(expected[y]["ni66"][1] > 100 for y in YEARS)
