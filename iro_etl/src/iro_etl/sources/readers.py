"""Reading tabular exports with lineage: encodings, title rows, renamed headers, ragged rows.

A reader never raises on bad data: what it cannot read becomes a failure
record naming the file, row and column, and every row it can read is kept.
Fully blank rows carry no data; they are reported and left out.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from iro_schemas.lineage import ROW, SHEET, SOURCE_FILE
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from iro_etl.quality.failures import Failure
from iro_etl.sources.distinct import per_distinct
from iro_etl.sources.grid import TextGrid, csv_grid, stripped

#: How far down a sheet to look for the header row (exports put titles above it).
HEADER_SEARCH_ROWS = 15
#: The csv module refuses a whole file at its first cell over 128 KiB. A cell that large is
#: one bad value (a pasted document, a runaway quote caught later), so it is read and left
#: to validation, which reports it at its row; the bound keeps memory finite.
CSV_FIELD_LIMIT = 64 * 2**20
csv.field_size_limit(CSV_FIELD_LIMIT)


@dataclass(frozen=True)
class TableSpec:
    """How one canonical table appears in an export: accepted header names per column."""

    table: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...] = ()

    def extended(self, extra: dict[str, list[str]]) -> TableSpec:
        """The same table accepting more header names (an authority's renamed columns)."""
        unknown = set(extra) - set(self.columns)
        if unknown:
            raise ValueError(f"{self.table}: no such columns {sorted(unknown)}")
        columns = {col: (*aliases, *extra.get(col, ())) for col, aliases in self.columns.items()}
        return TableSpec(self.table, columns, self.required)

    def display(self, column: str) -> str:
        """The name a person sees in the export: the first accepted header."""
        return (self.columns[column] or (column,))[0]

    def lookup(self) -> dict[str, str]:
        """Normalised header name -> canonical column."""
        return {normalise_header(alias): col for col, aliases in self.columns.items()
                for alias in (col, *aliases)}


def normalise_header(name: object) -> str:
    """Header text compared case-, space- and punctuation-insensitively."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def normalised(values: pd.Series) -> pd.Series:
    """A column of codes or words as :func:`normalise_header` compares them, vectorised
    (blanks stay blank)."""
    return per_distinct(values, lambda text: text.str.lower().str.replace(
        r"[^0-9a-z]", "", regex=True)).rename(values.name)


def decode(data: bytes) -> tuple[str, bool]:
    """Text of an export: UTF-16 with its byte order mark (as Excel's "Unicode text" saves it),
    UTF-8 (with or without BOM), else Windows-1252. Second value: fell back to Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), False
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), True


def find_header(rows: list[list[str]], spec: TableSpec) -> tuple[int, dict[int, str]]:
    """Index of the header row among the first rows, and its cell position -> canonical column."""
    lookup = spec.lookup()
    best, best_map = -1, {}
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping = {j: lookup[h] for j, cell in enumerate(cells)
                   if (h := normalise_header(cell)) in lookup}
        if len(set(mapping.values())) > len(set(best_map.values())):
            best, best_map = i, mapping
    return best, best_map


def frame_from_rows(
    rows: list[list[str]], spec: TableSpec, source: str, sheet: str | None = None,
) -> tuple[pd.DataFrame, list[Failure]]:
    """Canonical text frame from a grid of cells (header row found among the first rows)."""
    return frame_from_grid(TextGrid.from_rows(rows), spec, source, sheet)


def _text_array(cells: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Stripped cells as a string array, blank ones missing."""
    cells = stripped(cells)
    cells[cells == ""] = None
    return pd.array(cells, dtype="string")


def _shape_failures(body: TextGrid, width: int, first_row: int, spec: TableSpec, source: str,
                    sheet: str | None) -> list[Failure]:
    """A row with cells past the header's width, or short of it, that holds a value."""
    failures = []
    for i in np.flatnonzero(body.lengths != width).tolist():
        cells = [str(c[i]) for c in body.columns[:int(body.lengths[i])]]
        extra = any(c.strip() for c in cells[width:])
        if extra or (len(cells) < width and any(c.strip() for c in cells)):
            failures.append(Failure(spec.table, source, "bad_row_shape", sheet=sheet,
                                    row=first_row + i, value=str(len(cells))))
    return failures


def frame_from_grid(grid: TextGrid, spec: TableSpec, source: str, sheet: str | None = None,
                    header: list[str] | None = None) -> tuple[pd.DataFrame, list[Failure]]:
    """Canonical text frame from a grid of cells, the header row found among its first rows;
    or, given ``header`` (a database table's column names), the grid is the rows below it."""
    failures: list[Failure] = []
    if header is None:
        header_at, mapping = find_header(grid.rows(HEADER_SEARCH_ROWS), spec)
    else:
        header_at, mapping = find_header([header], spec)
    if header_at < 0:
        failures.append(Failure(spec.table, source, "missing_column", sheet=sheet, row=1,
                                column_name=", ".join(map(spec.display, spec.required or
                                                          spec.columns))))
        return empty_frame(spec), failures
    if header is None:
        width, body = int(grid.lengths[header_at]), grid.below(header_at + 1)
    else:
        width, body = len(header), grid
    # Keep the first occurrence of a column named twice.
    positions: dict[str, int] = {}
    for j, col in mapping.items():
        positions.setdefault(col, j)
    failures += [Failure(spec.table, source, "missing_column", sheet=sheet, row=header_at + 1,
                         column_name=spec.display(col)) for col in spec.required if col not in positions]
    first_row, n = header_at + 2, len(body)
    failures += _shape_failures(body, width, first_row, spec, source, sheet)
    cells = {j: _text_array(body.columns[j]) for j in set(positions.values())}
    frame = pd.DataFrame({col: cells[positions[col]] if col in positions
                          else pd.array([pd.NA] * n, dtype="string") for col in spec.columns},
                         index=range(n))
    frame[SOURCE_FILE] = source
    frame[SHEET] = sheet
    frame[ROW] = np.arange(first_row, first_row + n, dtype=np.int64)
    # A row is blank when every cell up to the header's width is; the unmapped cells are
    # looked at only on rows whose mapped ones are all blank.
    blank = np.ones(n, dtype=bool)
    for values in cells.values():
        blank &= values.isna()
    for j in range(min(width, len(body.columns))):
        if j not in cells and blank.any():
            at = np.flatnonzero(blank)
            blank[at] = stripped(body.columns[j][at]) == ""
    for row in frame.loc[blank, ROW]:
        failures.append(Failure(spec.table, source, "blank_row", sheet=sheet, row=int(row)))
    return frame.loc[~blank].reset_index(drop=True), failures


def empty_frame(spec: TableSpec) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in spec.columns})
    frame[SOURCE_FILE] = pd.Series(dtype="string")
    frame[SHEET] = pd.Series(dtype="string")
    frame[ROW] = pd.Series(dtype="int64")
    return frame


def _csv_text(path: Path, table: str, name: str) -> tuple[str | None, list[Failure]]:
    """A CSV file's text, or None with the failure that says why there is none."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Failure(table, name, "unreadable_file", value=exc.strerror or str(exc))]
    if not data.strip():
        return None, [Failure(table, name, "empty_file")]
    text, fell_back = decode(data)
    return text, [Failure(table, name, "not_utf8")] if fell_back else []


def _csv_module_rows(text: str, table: str, name: str) -> tuple[list[list[str]], list[Failure]]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return [], [Failure(table, name, "unreadable_file", value=str(exc))]
    opened_at = unterminated_quote(text, rows)
    if opened_at is not None:
        return rows, [Failure(table, name, "parse_stopped", row=opened_at,
                              value="a quoted value opened on this row never closes")]
    return rows, []


def read_csv_rows(path: Path, table: str, name: str | None = None
                  ) -> tuple[list[list[str]], list[Failure]]:
    """All rows of a CSV file as text cells, with failures for unreadable or empty files.

    ``name`` is the file as failures and lineage name it (default: its file name).
    """
    name = name or path.name
    text, failures = _csv_text(path, table, name)
    if text is None:
        return [], failures
    rows, more = _csv_module_rows(text, table, name)
    return rows, failures + more


def read_csv_grid(path: Path, table: str, name: str | None = None
                  ) -> tuple[TextGrid | None, list[Failure]]:
    """A CSV file as a grid of text cells (None if it has none), as :func:`read_csv_rows`
    reads it but through pandas' C parser wherever that reads it the same."""
    name = name or path.name
    text, failures = _csv_text(path, table, name)
    if text is None:
        return None, failures
    grid = csv_grid(text)
    if grid is None:
        rows, more = _csv_module_rows(text, table, name)
        failures += more
        grid = TextGrid.from_rows(rows) if rows else None
    return grid, failures


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def unterminated_quote(text: str, rows: list[list[str]]) -> int | None:
    """The line where a quoted value opens and never closes, else None.

    Python's csv reader, not being strict, reads such a value to the end of the file:
    every later row becomes part of one cell and the table looks merely short. That
    cell can only be the last record's, so only it is checked, strictly.
    """
    if not rows or not rows[-1]:
        return None
    last = rows[-1]
    if not any("\n" in cell or "\r" in cell for cell in last) and text.endswith(("\n", "\r")):
        return None
    lines = list(io.StringIO(text, newline=""))
    spanned = sum(len(_LINE_BREAK.findall(cell)) for cell in last)
    # The file's last line break is inside the open value, or ends the record.
    start = len(lines) - spanned + (1 if last[-1].endswith(("\n", "\r")) else 0)
    try:
        list(csv.reader(lines[start - 1:], strict=True))
    except csv.Error as exc:
        return start if "unexpected end of data" in str(exc) else None
    return None


def read_csv_table(path: Path, spec: TableSpec, name: str | None = None
                   ) -> tuple[pd.DataFrame, list[Failure]]:
    """One CSV export file onto one canonical table (``name``: as for :func:`read_csv_rows`)."""
    grid, failures = read_csv_grid(path, spec.table, name)
    if grid is None:
        return empty_frame(spec), failures
    frame, more = frame_from_grid(grid, spec, name or path.name)
    return frame, failures + more


def csv_header(path: Path, max_rows: int = HEADER_SEARCH_ROWS) -> list[list[str]]:
    """The first rows of a CSV file (for recognising exports), [] when unreadable."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64 * 1024)
    except OSError:
        return []
    text, _ = decode(head)
    lines = text.splitlines()[:max_rows]
    try:
        return list(csv.reader(lines))
    except csv.Error:
        return []


def _cell_text(value: object) -> str:
    """A workbook cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def workbook_headers(path: Path, max_rows: int = HEADER_SEARCH_ROWS) -> dict[str, list[list[str]]]:
    """The first rows of each sheet of an .xlsx workbook, read cheaply; {} when unreadable.

    For recognising an export or locating a header: the sheets are streamed, not loaded,
    so a large workbook costs no more than its first rows.
    """
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # any workbook openpyxl cannot open has no header to give
        return {}
    try:
        return {sheet.title: [["" if v is None else str(v) for v in row]
                              for row in islice(sheet.iter_rows(values_only=True), max_rows)]
                for sheet in workbook.worksheets}
    except Exception:  # a damaged sheet: the caller goes on without it
        return {}
    finally:
        workbook.close()


def _cover(grid: list[list[str]], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """Widen and lengthen a sheet's grid, every row alike, to take in its merged ranges (a
    merged range may reach past the last cell that holds a value)."""
    rows = max([len(grid), *(bottom + 1 for (_, _), (bottom, _) in merged)])
    width = max([len(grid[0]) if grid else 0, *(right + 1 for (_, _), (_, right) in merged)])
    grid.extend([] for _ in range(rows - len(grid)))
    for row in grid:
        row.extend([""] * (width - len(row)))


def read_workbook(path: Path, table: str) -> tuple[dict[str, list[list[str]]], list[Failure]]:
    """Every worksheet of an .xlsx workbook as rows of text cells from A1 (chart sheets have
    none); merged cells repeat their value.

    Dates typed as dates come out as ISO text; dates typed as numbers stay serial numbers,
    which the date parser reads. Formulas give the value the workbook last saved for them.
    """
    sheets = {}
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            grid = [[_cell_text(v) for v in row]
                    for row in sheet.to_python(skip_empty_area=False)]
            merged = sheet.merged_cell_ranges or []
            _cover(grid, merged)
            for (top, left), (bottom, right) in merged:
                for r in range(top, bottom + 1):
                    grid[r][left:right + 1] = [grid[top][left]] * (right + 1 - left)
            while grid and not any(cell.strip() for cell in grid[-1]):
                grid.pop()
            sheets[meta.name] = grid
    except (OSError, CalamineError, ValueError) as exc:
        return {}, [Failure(table, path.name, "unreadable_file", value=str(exc))]
    return sheets, []


def classify_header(rows: list[list[str]], specs: tuple[TableSpec, ...], *, strict: bool = False
                    ) -> TableSpec | None:
    """The table whose header is among ``rows``: it names the table's key (its first required
    column) and most of its required columns, or all of them when ``strict``.

    Reading is best lenient (the missing columns are then reported); recognising an export
    is best strict, so another system's file sharing a few headers is not claimed. Tables
    share columns (a child id, a review date): the best share of required columns wins, then
    the most columns matched.
    """
    best, best_score = None, (0.0, 0)
    for spec in specs:
        matched = set(find_header(rows, spec)[1].values())
        share = len(matched & set(spec.required)) / len(spec.required)
        score = (share, len(matched))
        enough = share == 1 if strict else share > 0.5
        if spec.required[0] in matched and enough and score > best_score:
            best, best_score = spec, score
    return best
