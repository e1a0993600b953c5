"""The files of a CareFirst export, as grids of text cells: each workbook sheet, each CSV file.

A grid keeps what the table is recognised by (the sheet name, or the CSV file's stem),
its lineage (file and sheet) and the failures met while reading it, so the plugin
treats a sheet and a CSV file the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.readers import csv_header, read_csv_rows, read_workbook, workbook_headers

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})
CSV_SUFFIXES = frozenset({".csv"})
#: Excel 97-2003 workbooks: older CareFirst report servers still offer them, openpyxl cannot read them.
OLD_WORKBOOK_SUFFIXES = frozenset({".xls"})


@dataclass
class Grid:
    """One sheet or CSV file: its rows as text, where it came from, and read failures."""

    name: str
    source: str
    sheet: str | None
    rows: list[list[str]]
    failures: list[Failure] = field(default_factory=list)

    def is_blank(self) -> bool:
        return not any(cell.strip() for row in self.rows for cell in row)


def export_files(path: Path) -> list[Path]:
    """The workbooks and CSV files of an export folder (or the one file given)."""
    if not path.is_dir():
        return [path]
    # "~$..." files are the lock files Excel leaves beside a workbook someone has open.
    return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("~$")
                  and p.suffix.lower() in WORKBOOK_SUFFIXES | CSV_SUFFIXES | OLD_WORKBOOK_SUFFIXES)


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of a workbook, or the one grid of a CSV file, read whole."""
    if path.suffix.lower() in OLD_WORKBOOK_SUFFIXES:
        # Reported rather than skipped, so nobody wonders where the data went.
        return [Grid(path.stem, path.name, None, [], [Failure(
            FILE_LEVEL, path.name, "unreadable_file",
            value="an Excel 97-2003 .xls workbook; save it as .xlsx or CSV")])]
    if not is_workbook(path):
        rows, failures = read_csv_rows(path, FILE_LEVEL)
        return [Grid(path.stem, path.name, None, rows, failures)]
    try:
        sheets, failures = read_workbook(path, FILE_LEVEL)
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged workbook
        sheets, failures = {}, [Failure(FILE_LEVEL, path.name, "unreadable_file", value=str(exc))]
    if not sheets:
        return [Grid(path.stem, path.name, None, [], failures)]
    grids = [Grid(sheet, path.name, sheet, rows) for sheet, rows in sheets.items()]
    grids[0].failures = failures
    return grids


def header_grids(path: Path) -> list[Grid]:
    """The first rows of each sheet or CSV file, cheaply, for recognising an export."""
    if path.suffix.lower() in OLD_WORKBOOK_SUFFIXES:
        return []
    if not is_workbook(path):
        return [Grid(path.stem, path.name, None, csv_header(path))]
    return [Grid(title, path.name, title, rows) for title, rows in workbook_headers(path).items()]
