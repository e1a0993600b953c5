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


def _header_positions(path: Path, sheet: str | None) -> dict[str, int]:
    """Normalised header text -> 1-based column, over the first rows of a file or sheet."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        rows = workbook_headers(path).get(sheet or "", [])
    elif path.suffix.lower() in {".csv", ".txt"}:
        rows = csv_header(path)
    else:
        return {}
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
    headers: dict[tuple[str, str], dict[str, int]] = {}
    for source, sheet, column in where.drop_duplicates().itertuples(index=False):
        if source not in by_name or not column:
            continue
        if (source, sheet) not in headers:
            headers[(source, sheet)] = _header_positions(by_name[source], sheet or None)
        position = headers[(source, sheet)].get(normalise_header(column))
        if position:
            found.append((source, sheet, column, get_column_letter(position)))
    table = pd.DataFrame(found, columns=[*where.columns, "column_letter"])
    merged = where.merge(table, how="left", on=list(where.columns))
    return pd.Series(merged["column_letter"].to_numpy(), index=failures.index, dtype=object)
