"""Two years' whole returns (every CSV table of the return each) in one folder build one history:
the latest return wins for each child and each episode, and the rows it restates are
counted, not silently dropped."""

from dataclasses import replace

import pandas as pd
import pytest
from conftest import load_marts
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_plugin_ssda903.tables import OTHER_TABLES
from iro_schemas.lineage import ROW, SOURCE_FILE
from iro_testdata.synthetic import generate
from iro_testdata.writers.ssda903 import return_of, write_full_return

AS_OF = pd.Timestamp("2014-03-31")


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    truth = generate(400, as_of=AS_OF, seed=41)
    # A child whose two years hold only short breaks has no reviews in them (DfE 399).
    ep = truth.episodes
    window = ep[(ep["decom"] <= AS_OF) & (ep["dec"].isna() | (ep["dec"] >= "2012-04-01"))]
    only_breaks = window["ls"].isin(["V3", "V4"]).groupby(window["child_id"]).all()
    truth = replace(truth, reviews=truth.reviews[
        ~truth.reviews["child_id"].isin(only_breaks.index[only_breaks.to_numpy()])])
    root = tmp_path_factory.mktemp("returns")
    for year in (2013, 2014):
        # Each year's whole return: the three tables the marts read and the eight others.
        write_full_return(return_of(truth, year), root / str(year), seed=year)
    return truth, root


def _looked_after(episodes: pd.DataFrame, day: pd.Timestamp) -> set[str]:
    """Children in an episode at the end of ``day`` other than short breaks (V3/V4)."""
    open_ = (episodes["decom"] <= day) & (episodes["dec"].isna() | (episodes["dec"] > day))
    return set(episodes.loc[open_ & ~episodes["ls"].isin(["V3", "V4"]), "child_id"])


def test_two_returns_make_one_history(returns):
    truth, root = returns
    export = read_export(Authority.ad_hoc("R", "ssda903", root), AS_OF)
    validated = validate_export(export)
    assert validated.failures.empty, validated.failures.head().to_string()
    # No table of either return is taken for another: 2 x 8 read and not used.
    assert sorted(export.source.not_used) == sorted(
        f"{year}/{table}.csv" for year in (2013, 2014) for table in OTHER_TABLES)

    older, newer = return_of(truth, 2013), return_of(truth, 2014)
    children = validated.clean["children"]
    assert set(children["child_id"]) == set(older.children["child_id"]) | set(
        newer.children["child_id"])
    in_both = set(older.children["child_id"]) & set(newer.children["child_id"])
    assert set(children.loc[children["child_id"].isin(in_both), "_source_file"]) == {
        "2014/header.csv"}

    # The history read equals the truth's episodes of the two years, open ones as of 2014.
    window = truth.episodes[(truth.episodes["decom"] <= AS_OF) & (
        truth.episodes["dec"].isna() | (truth.episodes["dec"] >= pd.Timestamp(2012, 4, 1)))]
    got = validated.clean["episodes"][["child_id", "decom", "dec"]]
    want = window[["child_id", "decom", "dec"]].assign(
        dec=window["dec"].where(window["dec"] <= AS_OF))
    key = ["child_id", "decom"]
    pd.testing.assert_frame_equal(got.sort_values(key, ignore_index=True),
                                  want.sort_values(key, ignore_index=True), check_dtype=False)

    # Episodes open at 31 March 2013 and closed since are restated by the 2014 return.
    restated = older.episodes[older.episodes["dec"].isna()
                              & older.episodes["child_id"].isin(newer.episodes["child_id"])]
    superseded = export.source.superseded
    assert sum(superseded["episodes"].values()) >= len(restated) > 0
    assert sum(superseded["children"].values()) == len(in_both)
    assert list(superseded["children"]) == ["2013 (2012/13)"]

    marts = load_marts(export)
    summary = marts["load_summary"].set_index("table_name")
    assert summary.loc["children", "rows_superseded"] == len(in_both)
    population = marts["lac_population"].groupby("year_ending")["children"].sum()
    for year in (2013, 2014):
        assert population[year] == len(_looked_after(window.assign(
            dec=window["dec"].where(window["dec"] <= AS_OF)), pd.Timestamp(year, 3, 31)))


def test_one_return_alone_is_read_as_before(returns):
    _, root = returns
    export = read_export(Authority.ad_hoc("R", "ssda903", root / "2014"), AS_OF)
    assert export.source.superseded == {}
    assert set(export.source.tables["children"]["_source_file"]) == {"header.csv"}


def test_a_row_without_a_child_id_is_kept_for_validation_to_report(returns, tmp_path):
    import shutil

    _, root = returns
    folder = tmp_path / "returns"
    shutil.copytree(root, folder)
    header = folder / "2013" / "header.csv"
    lines = header.read_text().splitlines(keepends=True)
    lines[1] = "," + lines[1].split(",", 1)[1]  # the first child's CHILD left blank
    header.write_text("".join(lines))
    export = read_export(Authority.ad_hoc("R", "ssda903", folder), AS_OF)
    validated = validate_export(export)
    blank = validated.failures[(validated.failures["table_name"] == "children")
                               & (validated.failures["rule"] == "required")]
    assert blank["source_file"].tolist() == ["2013/header.csv"] and blank["row"].tolist() == [2]


def test_several_locations_read_as_one_export(returns, tmp_path):
    """Each year's return given as its own location (several --input) makes the same history
    as the folder holding both; files are named by their location's folder."""
    _, root = returns
    together = validate_export(read_export(Authority.ad_hoc("R", "ssda903", root), AS_OF))
    apart_export = read_export(
        Authority.ad_hoc("R", "ssda903", (root / "2014", root / "2013")), AS_OF)
    apart = validate_export(apart_export)
    for table, frame in together.clean.items():
        def ordered(f):
            return f.sort_values([SOURCE_FILE, ROW], ignore_index=True)
        pd.testing.assert_frame_equal(ordered(apart.clean[table]), ordered(frame))
    assert list(apart_export.source.superseded["children"]) == ["2013 (2012/13)"]


def test_several_locations_from_the_command_line(returns, tmp_path, monkeypatch):
    from click.testing import CliRunner
    from iro_cli.cli import main

    _, root = returns
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path / "state"))
    run = CliRunner().invoke(main, ["validate", "--input", str(root / "2013"),
                                    "--input", str(root / "2014")])
    assert run.exit_code == 0, run.output
    assert "2013/uasc.csv" in run.output and "2014/uasc.csv" in run.output
    # A system that reads one location refuses two, in one line, before any work.
    refused = CliRunner().invoke(main, ["validate", "--system", "carefirst", "--input",
                                        str(root / "2013"), "--input", str(root / "2014")])
    assert refused.exit_code == 2 and "give --input once" in refused.output
    assert "Traceback" not in refused.output and len(refused.output.strip().splitlines()) == 1


def test_two_locations_whose_folders_share_a_name_are_two_returns(returns, tmp_path):
    import shutil

    _, root = returns
    for year in (2013, 2014):
        shutil.copytree(root / str(year), tmp_path / f"y{year}" / "903")
    together = validate_export(read_export(Authority.ad_hoc("R", "ssda903", root), AS_OF))
    apart = validate_export(read_export(Authority.ad_hoc(
        "R", "ssda903", (tmp_path / "y2014" / "903", tmp_path / "y2013" / "903")), AS_OF))
    assert apart.failures.empty, apart.failures.head().to_string()
    for table in ("children", "episodes", "reviews"):
        assert len(apart.clean[table]) == len(together.clean[table]), table
    assert set(apart.clean["children"]["_source_file"]) <= {"y2013/903/header.csv",
                                                             "y2014/903/header.csv"}
