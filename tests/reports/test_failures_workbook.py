"""The failures workbook: its sheets and tables, and values that look like formulas stay inert."""

import csv
import shutil

import pandas as pd
from conftest import AS_OF, load_marts
from iro_etl.config import Authority
from iro_etl.marts.publish import make_engine, publish_load
from iro_etl.pipeline import read_export
from iro_etl.reports.latest import write_latest_failures_workbook
from openpyxl import load_workbook

INJECTED = '=HYPERLINK("http://example.invalid/x","click")'


def test_workbook_sheets_and_formula_injection(tmp_path, messy_export):
    folder = tmp_path / "export"
    shutil.copytree(messy_export, folder)
    path = folder / "header.csv"
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    rows[5][3] = INJECTED  # ETHNIC: not a code, so a warning quoting the value
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)

    export = read_export(Authority.ad_hoc("WB", "ssda903", folder), AS_OF)
    marts = load_marts(export, b"k")
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    publish_load(engine, "WB", marts, export.load_id, AS_OF)
    book_path = write_latest_failures_workbook(engine, "WB", tmp_path / "reports")
    book = load_workbook(book_path)

    assert book.sheetnames[0] == "Summary"
    assert {"children", "episodes", "reviews"} <= set(book.sheetnames)
    summary = book["Summary"]
    assert summary["A4"].value == "new" and summary["B4"].value == len(
        marts["validation_failures"].drop_duplicates(["table_name", "record_key", "rule",
                                                      "column_name"]))
    children = book["children"]
    assert children.freeze_panes == "A2" and children.auto_filter.ref.startswith("A1:")
    headers = [c.value for c in children[1]]
    assert headers[:7] == ["Status", "Record", "File", "Sheet", "Row", "Column", "Value"]
    cells = [row[6] for row in children.iter_rows(min_row=2) if row[6].value == INJECTED]
    assert len(cells) == 1 and cells[0].data_type == "s"
    at = cells[0].row
    assert children.cell(row=at, column=5).value == 6  # the Excel row of the edit
    assert children.cell(row=at, column=8).value == "D6"  # ETHNIC is column D
    # The record is named by the child's own id, as the export has it.
    assert children.cell(row=at, column=2).value == rows[5][0]
    # A wrong code comes with the valid ones.
    fix = children.cell(row=at, column=headers.index("What to fix") + 1).value
    assert "Valid codes: ABAN, AIND," in fix and "WBRI" in fix
    # The summary says what each rule means and how to put it right.
    table = [[c.value for c in row] for row in summary.iter_rows(min_row=9, max_col=6)]
    assert table[0] == ["Table", "Rule", "Severity", "Failures", "What it means", "How to fix it"]
    ethnic = next(r for r in table[1:] if r[:2] == ["children", "code_list_warning"])
    assert ethnic[5].startswith("Choose one of the valid codes")
    assert all(r[4] and r[5] for r in table[1:])
    # Every sheet prints landscape, one page wide, with its header on each page.
    for sheet in book:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert children.print_title_rows == "$1:$1"
    # Nothing in the workbook is a formula.
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)


def test_csv_output_neutralises_formulas():
    from iro_etl.reports.failures_workbook import csv_safe

    frame = pd.DataFrame({"value": ["=HYPERLINK(\"http://x\")", "@SUM(A1)", "+1", "-2", "\tx",
                                    "ok", None], "row": range(7)})
    out = csv_safe(frame)
    assert out["value"].tolist()[:6] == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'+1", "'-2",
                                         "'\tx", "ok"]
    assert out["value"].isna().tolist()[-1] and out["row"].tolist() == list(range(7))
