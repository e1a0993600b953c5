"""Where a failure sits in the export as a person opens it: the column letter of its cell.

Failure records name the column by the header the export shows; the letter is found
by looking that header up in the file's (or sheet's) header row. Only files that have
failures are opened again, and only their first rows (workbook sheets are streamed).
Database sources have no cells: no letter.
"""

from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from iro_etl.sources.readers import csv_header, normalise_header, workbook_headers


def _header_rows(path: Path) -> dict[str, list[list[str]]]:
    """The first rows of each sheet of a workbook, or of a CSV file (as sheet "")."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return workbook_headers(path)
    if path.suffix.lower() in {".csv", ".txt"}:
        return {"": csv_header(path)}
    return {}


def _header_positions(rows: list[list[str]]) -> dict[str, int]:
    """Normalised header text -> 1-based column, over a file's or sheet's first rows."""
    positions: dict[str, int] = {}
    for cells in rows:
        for j, cell in enumerate(cells, start=1):
            positions.setdefault(normalise_header(cell), j)
    return positions


def column_letters(failures: pd.DataFrame, files: list[Path]) -> pd.Series:
    """The column letter of each failure's cell (blank where there is none to point at)."""
    by_name = {path.name: path for path in files if path.is_file()}
    where = failures[["source_file", "sheet", "column_name"]].astype(object).fillna("")
    found = []
    # Each file opened once, though its sheets' failures are looked up one sheet at a time.
    files_rows: dict[str, dict[str, list[list[str]]]] = {}
    headers: dict[tuple[str, str], dict[str, int]] = {}
    for source, sheet, column in where.drop_duplicates().itertuples(index=False):
        if source not in by_name or not column:
            continue
        if source not in files_rows:
            files_rows[source] = _header_rows(by_name[source])
        if (source, sheet) not in headers:
            # A CSV file has one header, whatever sheet a failure names.
            rows = files_rows[source]
            headers[(source, sheet)] = _header_positions(rows.get(sheet, rows.get("", [])))
        position = headers[(source, sheet)].get(normalise_header(column))
        if position:
            found.append((source, sheet, column, get_column_letter(position)))
    table = pd.DataFrame(found, columns=[*where.columns, "column_letter"])
    merged = where.merge(table, how="left", on=list(where.columns))
    return pd.Series(merged["column_letter"].to_numpy(), index=failures.index, dtype=object)
