"""Workbooks are read with calamine; openpyxl, which wrote them, is the reference reader.

Every worksheet's cells must come out as openpyxl sees them (from A1, merged cells repeating
their top-left value, dates as ISO text, whole numbers without a decimal point), and a sheet
that holds no cells (a chart sheet) is not a table.
"""

from datetime import date, datetime

import openpyxl
import pytest
from iro_etl.sources.readers import _cell_text, read_workbook


def _openpyxl_cells(path) -> dict[str, list[list[str]]]:
    """The sheets as openpyxl reads them, each cell as CSV text would hold it (the cell's
    text is the readers' own: what differs between the two libraries is the values)."""
    workbook = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for sheet in workbook.worksheets:
        grid = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:
            top = grid[merged.min_row - 1][merged.min_col - 1]
            for r in range(merged.min_row - 1, merged.max_row):
                for c in range(merged.min_col - 1, merged.max_col):
                    grid[r][c] = top
        while grid and not any(cell.strip() for cell in grid[-1]):
            grid.pop()
        out[sheet.title] = grid
    return out


@pytest.fixture
def workbook(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Care Episodes"
    sheet["B2"] = "Looked after children: episodes"
    sheet.merge_cells("B2:F2")
    sheet.append([])
    sheet.append([None, "Client ID", "Start", "Legal status", "Placement", "Weight"])
    sheet.append([None, 1004558, datetime(2013, 4, 1, 9, 30), "C2", "U1", 1.5])
    sheet.append([None, " 1004559 ", date(2013, 5, 2), "V2", None, 2.0])
    sheet.append([None, "1004560", 41400, "E1", "U3", None])
    sheet["D7"] = "Team A"
    sheet.merge_cells("D7:E8")
    sheet.append([])
    other = book.create_sheet("Reviews")
    other.append(["Client ID", "Review Date", "Done"])
    other.append(["1004558", date(2013, 10, 1), True])
    book.create_sheet("Blank")
    path = tmp_path / "export.xlsx"
    book.save(path)
    return path


def test_calamine_reads_every_cell_as_openpyxl_does(workbook):
    sheets, failures = read_workbook(workbook, "episodes")
    assert failures == []
    assert sheets == _openpyxl_cells(workbook)
    assert sheets["Care Episodes"][1][1:6] == ["Looked after children: episodes"] * 5
    assert sheets["Care Episodes"][4][1:6] == ["1004558", "2013-04-01", "C2", "U1", "1.5"]
    assert sheets["Care Episodes"][7][3:5] == ["Team A", "Team A"]


def test_a_damaged_workbook_is_one_failure_naming_the_file(tmp_path):
    path = tmp_path / "LAC_IRO_Report.xlsx"
    path.write_bytes(b"PK\x03\x04 cut short")
    sheets, failures = read_workbook(path, "episodes")
    assert sheets == {}
    assert [(f.source_file, f.rule) for f in failures] == [("LAC_IRO_Report.xlsx",
                                                            "unreadable_file")]
