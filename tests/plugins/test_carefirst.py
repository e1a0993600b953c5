"""The CareFirst plugin on the LAC IRO report as authorities export it: a workbook or CSV files."""

import csv
import shutil
from collections import Counter
from dataclasses import replace
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from conftest import AS_OF
from equivalence import assert_same_as_truth
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_etl.quality.failures import FILE_LEVEL
from iro_etl.sources.registry import available, detect, get_plugin
from iro_plugin_carefirst.plugin import CarefirstPlugin
from iro_plugin_carefirst.tables import SHEET_NAMES, WORKBOOK_NAME
from iro_plugin_carefirst.vocabulary import bare_code, percent_share, words
from iro_plugin_ssda903.plugin import Ssda903Plugin
from iro_schemas.canonical import CANONICAL_MODELS
from iro_testdata.synthetic import generate, text_tables
from iro_testdata.writers import write_export
from iro_testdata.writers.carefirst import SERIAL_DATE_SHEETS, write_csv_files
from openpyxl.utils import get_column_letter

PLUGIN = get_plugin("carefirst")
TABLES = list(CANONICAL_MODELS)
#: Where a failure points: enough to find and correct it in the export.
WHERE = ["table_name", "source_file", "sheet", "row", "column_name", "value", "rule"]


@pytest.fixture(scope="module")
def workbook_export(tmp_path_factory, clean_truth):
    folder = tmp_path_factory.mktemp("carefirst_xlsx")
    write_export("carefirst", clean_truth, folder)
    return folder


@pytest.fixture(scope="module")
def csv_export(tmp_path_factory, clean_truth):
    folder = tmp_path_factory.mktemp("carefirst_csv")
    write_export("carefirst", clean_truth, folder, {"synthetic_format": "csv"})
    return folder


@pytest.fixture(scope="module")
def small_truth():
    """A small truth for the mess tests, which each rewrite and reread their export."""
    return generate(60, as_of=AS_OF, seed=21)


@pytest.fixture(scope="module")
def small_export(tmp_path_factory, small_truth):
    folder = tmp_path_factory.mktemp("carefirst_small")
    write_export("carefirst", small_truth, folder)
    return folder / WORKBOOK_NAME


@pytest.fixture(scope="module")
def workbook_source(small_export):
    """The small workbook as the plugin reads it (before validation), for the lineage tests."""
    return PLUGIN.read(small_export)


@pytest.fixture(scope="module")
def workbook_cells(small_export):
    """The small workbook's cells as Excel holds them."""
    return openpyxl.load_workbook(small_export)


@pytest.fixture
def small_workbook(tmp_path, small_export):
    """A fresh copy of the small workbook, for a test to spoil."""
    (tmp_path / "export").mkdir()
    return shutil.copy(small_export, tmp_path / "export" / WORKBOOK_NAME)


def _validated(path, options=None):
    return validate_export(read_export(Authority.ad_hoc("T", "carefirst", path, options), AS_OF))


def _where(failures: pd.DataFrame) -> list[dict]:
    return failures[WHERE].astype(object).where(failures[WHERE].notna(), None).to_dict("records")


def _edit(path, sheet, edit):
    workbook = openpyxl.load_workbook(path)
    edit(workbook[sheet] if sheet else workbook)
    workbook.save(path)


def _header_row(worksheet):
    """The Excel row of a sheet's header (below the titles): the row starting with its key."""
    return next(r for r in range(1, 10)
                if worksheet.cell(r, 1).value in ("Client ID", "IRO Worker ID"))


# --- Equivalence -------------------------------------------------------------------------------


@pytest.mark.parametrize("export", ["workbook_export", "csv_export"])
def test_export_reads_back_as_the_truth(request, export, clean_truth):
    validated = _validated(request.getfixturevalue(export))
    assert validated.failures.empty, validated.failures.head().to_string()
    assert_same_as_truth(validated.clean, clean_truth, TABLES)


# --- Discovery ---------------------------------------------------------------------------------


def test_plugin_is_installed_and_found():
    assert available()["carefirst"] is CarefirstPlugin
    assert isinstance(PLUGIN, CarefirstPlugin)


def test_recognises_its_exports_and_only_them(workbook_export, csv_export, clean_export, tmp_path):
    assert PLUGIN.recognise(workbook_export)
    assert PLUGIN.recognise(workbook_export / WORKBOOK_NAME)
    assert PLUGIN.recognise(csv_export)
    assert PLUGIN.recognise(str(csv_export / "Client Details.csv"))
    assert not PLUGIN.recognise(clean_export)
    assert not PLUGIN.recognise(clean_export / "header.csv")
    assert not PLUGIN.recognise(tmp_path / "missing")
    other = openpyxl.Workbook()
    other.active.append(["Name", "Date of Birth", "Gender"])
    other.save(tmp_path / "other.xlsx")
    assert not PLUGIN.recognise(tmp_path / "other.xlsx")
    ssda903 = Ssda903Plugin()
    assert not ssda903.recognise(workbook_export) and not ssda903.recognise(csv_export)


def test_detect_picks_the_right_plugin(workbook_export, csv_export, clean_export):
    assert isinstance(detect(workbook_export), CarefirstPlugin)
    assert isinstance(detect(csv_export), CarefirstPlugin)
    assert isinstance(detect(clean_export), Ssda903Plugin)


# --- The report's own mess ---------------------------------------------------------------------


def test_merged_titles_above_the_header_and_lineage_to_the_excel_row(workbook_source, workbook_cells):
    source = workbook_source
    for table, sheet_name in SHEET_NAMES.items():
        sheet = workbook_cells[sheet_name]
        merged = {str(r) for r in sheet.merged_cells.ranges}
        assert f"A1:{get_column_letter(sheet.max_column)}1" in merged
        frame = source.tables[table]
        assert set(frame["_sheet"]) == {sheet_name} and set(frame["_source_file"]) == {WORKBOOK_NAME}
        # The first column is the key: each row's lineage points at the cell it came from.
        key = "iro_id" if table == "iro_staff" else "child_id"
        for row in frame.iloc[[0, -1]].to_dict("records"):
            assert str(sheet.cell(row["_row"], 1).value).strip() == row[key]
    assert source.tables["children"]["_row"].iloc[0] == 5  # two titles, a blank line, the header


def test_dates_stored_as_serial_numbers_reach_the_core_as_serials(workbook_source, workbook_cells):
    for table in SERIAL_DATE_SHEETS:
        sheet = workbook_cells[SHEET_NAMES[table]]
        assert isinstance(sheet.cell(_header_row(sheet) + 1, 2).value, int)  # a number cell
        assert workbook_source.tables[table]["review_date" if table != "episodes" else "decom"
                                             ].str.fullmatch(r"\d{5}").all()
    # Elsewhere dates are real Excel dates; the equivalence test shows both read the same.
    assert isinstance(workbook_cells["Client Details"].cell(5, 3).value, datetime)
    assert workbook_source.tables["children"]["dob"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()


def test_an_implausible_serial_date_is_reported_at_its_cell(small_workbook, small_truth):
    sheet_name = SHEET_NAMES["episodes"]

    def spoil(sheet):
        row = _header_row(sheet) + 1
        sheet.cell(row, 2).value = 12  # 12/01/1900: a day count typed where a date belongs

    _edit(small_workbook, sheet_name, spoil)
    validated = _validated(small_workbook.parent)
    assert _where(validated.failures) == [{
        "table_name": "episodes", "source_file": WORKBOOK_NAME, "sheet": sheet_name, "row": 4,
        "column_name": "Episode Start Date", "value": "12", "rule": "date_format"}]
    assert len(validated.clean["episodes"]) == len(small_truth.episodes) - 1
    assert_same_as_truth(validated.clean, small_truth, [t for t in TABLES if t != "episodes"])


def test_blank_rows_are_reported_and_skipped(small_workbook, small_truth):
    _edit(small_workbook, SHEET_NAMES["reviews"], lambda sheet: sheet.insert_rows(10))
    validated = _validated(small_workbook.parent)
    assert _where(validated.failures) == [{
        "table_name": "reviews", "source_file": WORKBOOK_NAME, "sheet": "LAC Reviews", "row": 10,
        "column_name": None, "value": None, "rule": "blank_row"}]
    assert set(validated.failures["severity"]) == {"warning"}
    assert_same_as_truth(validated.clean, small_truth, TABLES)
    assert 10 not in set(validated.clean["reviews"]["_row"]) and 11 in set(
        validated.clean["reviews"]["_row"])


def test_a_renamed_sheet_is_known_by_its_header(small_workbook, small_truth):
    def rename(workbook):
        workbook["Client Details"].title = "Clients (LAC)"

    _edit(small_workbook, None, rename)
    validated = _validated(small_workbook.parent)
    assert validated.failures.empty
    assert set(validated.clean["children"]["_sheet"]) == {"Clients (LAC)"}
    assert_same_as_truth(validated.clean, small_truth, TABLES)


def _rewrite_csv(path, transform, encoding="utf-8"):
    with path.open(newline="", encoding=encoding) as fh:
        rows = list(csv.reader(fh))
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(transform(rows))


def test_renamed_and_reordered_headers_through_the_columns_option(tmp_path, small_truth):
    write_csv_files(small_truth, tmp_path)
    path = tmp_path / "Client Details.csv"

    def transform(rows):
        header_at = next(i for i, r in enumerate(rows) if r[:1] == ["Client ID"])
        renamed = {"Gender": "Sex (M/F)", "Date of Birth": "Birth dt"}
        rows[header_at] = [renamed.get(h, h) for h in rows[header_at]]
        # Columns reversed below the header; the titles above stay as they are.
        return rows[:header_at] + [list(reversed(r)) for r in rows[header_at:]]

    _rewrite_csv(path, transform)
    # Without the option the renamed columns are missing from the header row (row 4).
    failures = PLUGIN.read(tmp_path).failures
    assert [(f.table_name, f.source_file, f.sheet, f.row, f.column_name, f.rule) for f in failures] == [
        ("children", "Client Details.csv", None, 4, name, "missing_column")
        for name in ("Gender", "Date of Birth")]
    options = {"columns": {"children": {"sex": ["Sex (M/F)"], "dob": ["Birth dt"]}}}
    validated = _validated(tmp_path, options)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, small_truth, TABLES)


def test_windows_1252_csv_files_are_read_and_reported(tmp_path, small_truth):
    staff = small_truth.iro["iro_staff"]
    truth = replace(small_truth, iro={**small_truth.iro,
                                      "iro_staff": staff.assign(team=staff["team"] + " – Café")})
    paths = write_csv_files(truth, tmp_path, encoding="cp1252")
    assert "Café".encode("cp1252") in (tmp_path / "IRO Staff.csv").read_bytes()
    validated = _validated(tmp_path)
    found = set(validated.failures[["table_name", "source_file", "rule"]].itertuples(index=False))
    assert found == {(table, f"{sheet}.csv", "not_utf8") for table, sheet in SHEET_NAMES.items()}
    assert len(validated.failures) == len(paths)
    assert_same_as_truth(validated.clean, truth, TABLES)


def test_foreign_extra_and_empty_files_are_reported_and_the_rest_loads(
        small_workbook, small_truth, clean_export):
    folder = small_workbook.parent
    shutil.copy(clean_export / "header.csv", folder / "header.csv")
    (folder / "notes.csv").write_bytes(b"")
    (folder / "Dispute Resolution.csv").write_text("\n\n")

    def add_sheets(workbook):
        workbook.create_sheet("Report Parameters").append(["Service", "Children Looked After"])
        workbook.create_sheet("Sheet2")

    _edit(small_workbook, None, add_sheets)
    validated = _validated(folder)
    assert sorted(_where(validated.failures), key=lambda f: (f["source_file"], f["sheet"] or "")) == [
        {"table_name": "disputes", "source_file": "Dispute Resolution.csv", "sheet": None,
         "row": None, "column_name": None, "value": None, "rule": "empty_file"},
        {"table_name": FILE_LEVEL, "source_file": WORKBOOK_NAME, "sheet": "Report Parameters",
         "row": None, "column_name": None, "value": None, "rule": "unrecognised_file"},
        {"table_name": FILE_LEVEL, "source_file": WORKBOOK_NAME, "sheet": "Sheet2",
         "row": None, "column_name": None, "value": None, "rule": "empty_file"},
        {"table_name": FILE_LEVEL, "source_file": "header.csv", "sheet": None,
         "row": None, "column_name": None, "value": None, "rule": "unrecognised_file"},
        {"table_name": FILE_LEVEL, "source_file": "notes.csv", "sheet": None,
         "row": None, "column_name": None, "value": None, "rule": "empty_file"},
    ]
    assert set(validated.failures["severity"]) == {"warning"}
    assert_same_as_truth(validated.clean, small_truth, TABLES)


@pytest.mark.parametrize("name", [WORKBOOK_NAME, "LAC_IRO_Report.xls", "missing_folder"])
def test_unreadable_or_missing_input_is_a_failure_not_a_crash(tmp_path, name):
    if name != "missing_folder":
        (tmp_path / name).write_text("not a zip file")
    source = PLUGIN.read(tmp_path / name)
    assert [(f.table_name, f.source_file, f.rule) for f in source.failures] == [
        (FILE_LEVEL, name, "unreadable_file")]
    assert set(source.tables) == set(TABLES)
    assert all(len(frame) == 0 for frame in source.tables.values())


def test_a_missing_required_column_in_a_named_sheet_is_named(small_workbook, small_truth):
    def drop_status(sheet):
        header = _header_row(sheet)
        at = next(c.column for c in sheet[header] if c.value == "Review Status")
        sheet.delete_cols(at)

    _edit(small_workbook, SHEET_NAMES["review_records"], drop_status)
    validated = _validated(small_workbook.parent)
    missing = validated.failures.query("rule == 'missing_column'")
    assert _where(missing) == [{
        "table_name": "review_records", "source_file": WORKBOOK_NAME, "sheet": "Review Record",
        "row": 4, "column_name": "Review Status", "value": None, "rule": "missing_column"}]
    summary = validated.summary().set_index("table_name")
    assert summary.loc["review_records", "rows_quarantined"] == len(
        small_truth.iro["review_records"])
    assert_same_as_truth(validated.clean, small_truth, [t for t in TABLES if t != "review_records"])


# --- CareFirst's vocabulary --------------------------------------------------------------------


def test_carefirst_words_become_codes_and_unknown_ones_are_reported_as_written(small_workbook):
    edits = [("Client Details", "Gender", "FEMALE"), ("Client Details", "Gender", "Unknown"),
             ("IRO Staff", "IRO Time %", "n/a"),
             ("Review Participants", "Participation", "Did Not Attend")]
    rows = {}

    def spoil(workbook):
        used = Counter()
        for sheet_name, column, value in edits:
            sheet = workbook[sheet_name]
            header = _header_row(sheet)
            at = next(c.column for c in sheet[header] if c.value == column)
            used[sheet_name] += 1
            rows[value] = header + used[sheet_name]
            sheet.cell(rows[value], at).value = value

    _edit(small_workbook, None, spoil)
    validated = _validated(small_workbook.parent)
    children = validated.clean["children"].set_index("_row")
    assert children.loc[rows["FEMALE"], "sex"] == "2"
    assert rows["Unknown"] not in children.index

    failures = validated.failures
    reported = failures[failures["rule"].isin(["code_list", "number_format"])]
    assert _where(reported) == [
        {"table_name": "children", "source_file": WORKBOOK_NAME, "sheet": "Client Details",
         "row": rows["Unknown"], "column_name": "Gender", "value": "Unknown", "rule": "code_list"},
        {"table_name": "iro_staff", "source_file": WORKBOOK_NAME, "sheet": "IRO Staff",
         "row": rows["n/a"], "column_name": "IRO Time %", "value": "n/a", "rule": "number_format"},
        {"table_name": "review_participants", "source_file": WORKBOOK_NAME,
         "sheet": "Review Participants", "row": rows["Did Not Attend"],
         "column_name": "Participation", "value": "Did Not Attend", "rule": "code_list"},
    ]
    # An authority's local word is translated by its codes option, after the plugin's own words.
    options = {"codes": {"review_participants": {"status": {"Did Not Attend": "no consultation"}}}}
    failures = _validated(small_workbook.parent, options).failures
    assert "review_participants" not in set(failures.query("rule == 'code_list'")["table_name"])


def test_vocabulary_helpers_on_tiny_cases():
    text = pd.Series([" Step  Parent", "FATHER", "Aunt", None], dtype="string")
    assert words(text.str.strip(), {"step parent": "step parent", "father": "father"}).tolist() == [
        "step parent", "father", "Aunt", pd.NA]
    codes = pd.Series(["C2 - Full care order", "E4A", "U1 - Foster, long term", None], dtype="string")
    assert bare_code(codes).tolist() == ["C2", "E4A", "U1", pd.NA]
    share = pd.Series(["48", "100%", "80.5", "n/a", None], dtype="string")
    assert percent_share(share).tolist() == ["0.48", "1.0", "0.805", "n/a", pd.NA]


def test_a_messy_truth_loses_only_its_faulty_rows(tmp_path, small_truth):
    truth = replace(small_truth, defect_rate=0.05)
    _, ledger = text_tables(truth)
    write_export("carefirst", truth, tmp_path)
    validated = _validated(tmp_path)
    failures = validated.failures
    blank = failures.query("rule == 'blank_row'")
    assert len(blank) == ledger.counts["blank_rows"] and set(blank["sheet"]) == {"LAC Reviews"}
    assert {"code_list", "date_format", "duplicate_review"} <= set(failures["rule"])
    summary = validated.summary().set_index("table_name")
    assert summary.loc["children", "rows_quarantined"] == len(ledger.bad_rows["children"])
    assert (summary["rows_in"] == summary["rows_clean"] + summary["rows_quarantined"]).all()
