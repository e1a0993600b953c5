"""Validation on synthetic exports with injected defects: nothing lost, every defect reported."""

import csv
import json

import pytest
from conftest import AS_OF
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_testdata.synthetic import text_tables


@pytest.fixture(scope="module")
def validated(messy_export):
    return validate_export(read_export(Authority.ad_hoc("T1", "ssda903", messy_export), AS_OF))


def _data_rows(path) -> int:
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    return sum(1 for r in rows if any(c.strip() for c in r))


def test_rows_in_equal_clean_plus_quarantined(validated, messy_export):
    summary = validated.summary().set_index("table_name")
    assert (summary["rows_in"] == summary["rows_clean"] + summary["rows_quarantined"]).all()
    files = {"children": "header.csv", "episodes": "episodes.csv", "reviews": "reviews.csv"}
    for table, name in files.items():
        assert summary.loc[table, "rows_in"] == _data_rows(messy_export / name)
    assert summary.loc[list(files), "rows_quarantined"].gt(0).all()
    # The 903 has no IRO-service tables: they are present, and empty.
    assert summary.drop(index=list(files))["rows_in"].eq(0).all()


def test_each_injected_defect_is_reported(validated, messy_truth):
    _, ledger = text_tables(messy_truth)
    f = validated.failures
    count = f.groupby(["table_name", "rule"]).size()
    assert count[("reviews", "date_format")] == ledger.counts["reviews.impossible_date"]
    assert count[("reviews", "duplicate_review")] == ledger.counts["reviews.duplicate"]
    assert count[("episodes", "code_list")] >= ledger.counts["episodes.bad_code"]
    assert count[("episodes", "episode_ends_before_start")] == ledger.counts[
        "episodes.ends_before_start"]
    assert count[("children", "code_list")] == ledger.counts["children.bad_code"]
    assert count[("reviews", "blank_row")] == ledger.counts["blank_rows"]
    # Every quarantined child is one the ledger broke; ids padded with spaces load fine.
    bad = ledger.bad_rows["children"]
    assert len(validated.quarantine.query("table_name == 'children'")) == len(bad)


def test_failure_records_name_file_row_column_and_value(validated):
    f = validated.failures
    dates = f[f["rule"] == "date_format"]
    assert (dates["source_file"] == "reviews.csv").all()
    assert (dates["column_name"] == "REVIEW").all()
    assert dates["value"].str.startswith("31/02/").all()
    assert dates["message"].str.contains("is not a date").all()
    assert dates["row"].ge(2).all()
    codes = f[(f["rule"] == "code_list") & (f["table_name"] == "episodes")]
    assert set(codes["value"]) == {"ZZ"} and set(codes["column_name"]) == {"LS"}


def test_quarantine_keeps_rows_whole(validated, messy_export):
    q = validated.quarantine
    row = q[q["table_name"] == "reviews"].iloc[0]
    with (messy_export / "reviews.csv").open(newline="") as fh:
        original = list(csv.reader(fh))[int(row["row"]) - 1]
    record = json.loads(row["record"])
    assert record["child_id"] == original[0].strip()
    assert record["review_date"] == original[2].strip()
    assert row["rules"]


def test_orphans_of_quarantined_children_are_quarantined(validated):
    quarantined = validated.quarantine.query("table_name == 'children'")["record"]
    bad_children = {json.loads(r)["child_id"] for r in quarantined}
    for table in ("episodes", "reviews"):
        assert not validated.clean[table]["child_id"].isin(bad_children).any()
    orphans = validated.failures[validated.failures["rule"] == "unknown_child"]
    assert set(orphans["value"]) <= bad_children
    assert len(orphans) > 0


def test_clean_tables_are_typed_and_trimmed(validated):
    episodes = validated.clean["episodes"]
    assert str(episodes["decom"].dtype).startswith("datetime64")
    assert not episodes["child_id"].str.contains(" ").any()


def test_clean_export_has_no_failures(clean_export):
    validated = validate_export(read_export(Authority.ad_hoc("T2", "ssda903", clean_export), AS_OF))
    assert validated.failures.empty
    assert validated.quarantine.empty


def test_an_export_with_no_usable_child_still_validates(tmp_path, clean_export):
    import shutil

    folder = tmp_path / "nochild"
    shutil.copytree(clean_export, folder)
    (folder / "header.csv").write_text("CHILD,SEX,DOB\n1,,01/01/2010\n")
    validated = validate_export(read_export(Authority.ad_hoc("T3", "ssda903", folder), AS_OF))
    summary = validated.summary().set_index("table_name")
    assert summary.loc["children", "rows_quarantined"] == 1
    assert summary.loc["reviews", "rows_clean"] == 0
    assert (summary["rows_in"] == summary["rows_clean"] + summary["rows_quarantined"]).all()
