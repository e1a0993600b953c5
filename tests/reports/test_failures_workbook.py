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
    assert headers[:6] == ["Status", "File", "Sheet", "Row", "Column", "Value"]
    cells = [row[5] for row in children.iter_rows(min_row=2) if row[5].value == INJECTED]
    assert len(cells) == 1 and cells[0].data_type == "s"
    assert children.cell(row=cells[0].row, column=4).value == 6  # the Excel row of the edit
    assert children.cell(row=cells[0].row, column=7).value == "D6"  # ETHNIC is column D
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
