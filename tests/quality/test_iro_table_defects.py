"""Defects in the IRO service's own tables, in a CareFirst workbook: each one reported where a
person can find it, the rows that depend on a quarantined row reported too, no row lost."""

import pandas as pd
import pytest
from conftest import AS_OF
from equivalence import truth_source
from iro_etl.config import Authority
from iro_etl.pipeline import Export, read_export, validate_export
from iro_etl.quality.validation import ValidatedTables, validate
from iro_etl.sources.cells import column_letters
from iro_testdata.synthetic import generate, text_tables
from iro_testdata.writers import write_export
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

IRO_TABLES = ["notifications", "iro_staff", "iro_allocations", "review_records",
              "review_participants", "disputes"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory, messy_truth):
    folder = tmp_path_factory.mktemp("carefirst_messy")
    write_export("carefirst", messy_truth, folder)
    return folder


@pytest.fixture(scope="module")
def export(folder) -> Export:
    return read_export(Authority.ad_hoc("T", "carefirst", folder), AS_OF)


@pytest.fixture(scope="module")
def validated(export) -> ValidatedTables:
    return validate_export(export)


@pytest.fixture(scope="module")
def ledger(messy_truth):
    return text_tables(messy_truth)[1]


def _count(validated: ValidatedTables) -> pd.Series:
    return validated.failures.groupby(["table_name", "rule"]).size()


def test_rows_in_equal_clean_plus_quarantined(validated, messy_truth):
    summary = validated.summary().set_index("table_name").loc[IRO_TABLES]
    assert (summary["rows_in"] == summary["rows_clean"] + summary["rows_quarantined"]).all()
    for table in IRO_TABLES:
        assert summary.loc[table, "rows_in"] == len(messy_truth.iro[table]), table
    assert summary.loc[["notifications", "iro_allocations", "review_records",
                        "review_participants"], "rows_quarantined"].gt(0).all()


def test_each_injected_defect_is_reported_once(validated, ledger):
    count = _count(validated)
    assert ledger.counts["review_records.impossible_date"] > 0
    assert count[("review_records", "date_format")] == ledger.counts[
        "review_records.impossible_date"]
    assert count[("review_records", "code_list")] == ledger.counts["review_records.bad_code"]
    assert count[("review_participants", "code_list")] == ledger.counts[
        "review_participants.bad_code"]
    assert count[("iro_allocations", "unknown_iro")] == ledger.counts[
        "iro_allocations.unknown_iro"]


def test_rows_of_quarantined_children_and_reviews_are_orphans(validated, ledger, messy_truth):
    """A child or review held back takes its IRO rows with it, each reported, none lost."""
    q = validated.quarantine
    children = set(messy_truth.children["child_id"]) - set(validated.clean["children"]["child_id"])
    notifications = messy_truth.iro["notifications"]
    orphans = int(notifications["child_id"].isin(children).sum())
    count = _count(validated)
    assert count[("notifications", "unknown_child")] == (
        ledger.counts["notifications.unknown_child"] + orphans)
    # Participants of a review that was quarantined (impossible date, duplicate) are held too.
    assert count[("review_participants", "unknown_review")] > 0
    held = q[q["table_name"] == "review_participants"]
    assert len(held) == validated.summary().set_index("table_name").loc[
        "review_participants", "rows_quarantined"]


def test_failures_name_sheet_row_column_and_cell(validated, export, folder):
    f = validated.failures.assign(column_letter=column_letters(validated.failures,
                                                               export.source.files))
    dates = f[(f["table_name"] == "review_records") & (f["rule"] == "date_format")]
    assert set(dates["sheet"]) == {"Review Record"}
    assert set(dates["column_name"]) == {"SW Report Received"}
    assert dates["value"].str.startswith("30/02/").all()
    # The cell named in the failure holds the bad value in the workbook itself.
    assert dates["column_letter"].nunique() == 1
    column = column_index_from_string(dates["column_letter"].iloc[0])
    sheet = load_workbook(next(folder.glob("*.xlsx")), read_only=True)["Review Record"]
    cells = [row[0] for row in sheet.iter_rows(min_col=column, max_col=column, values_only=True)]
    assert [cells[row - 1] for row in dates["row"]] == dates["value"].tolist()
    rag = f[(f["table_name"] == "review_records") & (f["rule"] == "code_list")]
    assert set(rag["column_name"]) == {"RAG Rating"} and set(rag["value"]) == {"purple"}
    staff = f[f["rule"] == "unknown_iro"]
    assert set(staff["value"]) == {"IRO999"}
    assert staff["message"].str.len().gt(20).all()


def test_documents_before_their_review_and_ratings_of_cancelled_reviews_are_warned():
    truth = generate(80, as_of=AS_OF, seed=21)
    records = truth.iro["review_records"]
    held = records.index[records["status"] == "held"][:2]
    cancelled = records.index[records["status"] == "cancelled"][0]
    records.loc[held[0], "record_issued"] = records.loc[held[0], "review_date"] - pd.Timedelta(days=3)
    records.loc[held[1], "recommendations_issued"] = (records.loc[held[1], "review_date"]
                                                      - pd.Timedelta(days=1))
    records.loc[cancelled, "rag"] = "green"
    validated = validate(truth_source(truth))
    f = validated.failures
    f = f[f["table_name"] == "review_records"]
    assert sorted(zip(f["rule"], f["column_name"], f["severity"], strict=True)) == [
        ("issued_before_review", "recommendations_issued", "warning"),
        ("issued_before_review", "record_issued", "warning"),
        ("rating_on_cancelled_review", "rag", "warning"),
    ]
    # Warnings: every record stays in the clean table.
    assert len(validated.clean["review_records"]) == len(records)
