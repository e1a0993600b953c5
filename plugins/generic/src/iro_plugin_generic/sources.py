"""Reading the files a mapping names: glob matching, CSV or workbook sheet, codes and constants.

Everything here returns failures instead of raising: a pattern that matches no
file, a missing sheet, an unreadable workbook or a header that is not there are
records naming the mapping key or the file, row and column to correct.
"""

from __future__ import annotations

import dataclasses
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

import pandas as pd
from iro_etl.quality.failures import Failure
from iro_etl.sources.readers import (
    TableSpec,
    empty_frame,
    find_header,
    frame_from_rows,
    normalise_header,
    read_csv_rows,
    read_workbook,
)
from iro_schemas.canonical import CANONICAL_MODELS
from iro_schemas.lineage import LINEAGE_COLUMNS, ROW

from iro_plugin_generic.mapping import TableSource

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
#: Old binary workbooks openpyxl cannot open: said plainly rather than as a zip error.
LEGACY_WORKBOOKS = {".xls", ".xlsb", ".ods"}


class MappedSpec(TableSpec):
    """A table spec that accepts only the headers the mapping names.

    The core's spec also accepts each canonical column's own name; here the mapping
    is explicit, so a stray column that happens to share a canonical name is not read.
    """

    def lookup(self) -> dict[str, str]:
        return {normalise_header(alias): col for col, aliases in self.columns.items()
                for alias in aliases}


def spec_for(source: TableSource) -> MappedSpec:
    """The reader's spec for one mapping entry: its columns (with the keys its joins match
    on, as ``_``-named helper columns), and which of them every row needs."""
    required = CANONICAL_MODELS[source.table].columns
    columns = {**source.columns, **join_keys(source)}
    return MappedSpec(source.table, columns,
                      tuple(c for c in columns if c.startswith("_") or not required[c].nullable))


def own_column(source: TableSource, header: str) -> str:
    """The frame column holding one of the entry's own headers: the canonical column it is
    mapped to, else a helper column named after it."""
    wanted = normalise_header(header)
    for column, headers in source.columns.items():
        if any(normalise_header(h) == wanted for h in headers):
            return column
    return f"_{wanted}"


def join_keys(source: TableSource) -> dict[str, tuple[str, ...]]:
    """Helper columns the entry's joins need from its own rows (keys and in-force dates)
    that no canonical column already reads."""
    headers = [mine for join in source.joins for mine, _ in join.on]
    headers += [join.in_force[0] for join in source.joins if join.in_force]
    return {own_column(source, h): (h,) for h in headers
            if own_column(source, h).startswith("_")}


def is_ignored(path: Path) -> bool:
    """Hidden files and Excel's lock files (~$Book.xlsx) are never part of an export."""
    return path.name.startswith((".", "~$"))


def export_files(folder: Path) -> list[Path]:
    """Every file under the export folder, sorted, as candidates for the mapping's patterns."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not is_ignored(p))


def matches(relative: PurePosixPath, pattern: str) -> bool:
    """Glob match per path segment, case-insensitive (exports' file names vary in case)."""
    wanted = PurePosixPath(pattern).parts
    parts = relative.parts
    return len(parts) == len(wanted) and all(
        fnmatchcase(p.casefold(), w.casefold()) for p, w in zip(parts, wanted, strict=True))


def relative_name(path: Path, folder: Path) -> str:
    """The file's name as lineage shows it: its path inside the export folder."""
    return path.relative_to(folder).as_posix()


class Workbooks:
    """Workbooks read once per load, however many tables they feed."""

    def __init__(self) -> None:
        self._read: dict[Path, tuple[dict[str, list[list[str]]], str | None]] = {}

    def sheets(self, path: Path) -> tuple[dict[str, list[list[str]]], str | None]:
        """Sheet name -> rows of text, and why the workbook could not be read (None if it could)."""
        if path not in self._read:
            try:
                sheets, failures = read_workbook(path, "")
                self._read[path] = (sheets, failures[0].value if failures else None)
            except Exception as exc:  # a corrupt workbook must be a failure record, never a crash
                self._read[path] = ({}, f"{type(exc).__name__}: {exc}")
        return self._read[path]


def _shifted(failures: list[Failure], offset: int, name: str) -> list[Failure]:
    """Reader failures moved to the file's real rows and named by the file's path in the export."""
    return [dataclasses.replace(f, source_file=name,
                                row=None if f.row is None else f.row + offset) for f in failures]


def frame_from_grid(rows: list[list[str]], source: TableSource, name: str, sheet: str | None
                    ) -> tuple[pd.DataFrame, list[Failure]]:
    """The mapped columns of one grid of cells, with lineage, from the header row on."""
    spec = spec_for(source)
    offset = 0
    if source.header_row is not None:
        # The header is where the mapping says: rows above it are titles, whatever they hold.
        offset = source.header_row - 1
        rows = rows[offset:]
        if find_header(rows[:1], spec)[0] < 0:
            # Not a header at all: say so on that row rather than take a header found lower down.
            missing = ", ".join(map(spec.display, spec.required or spec.columns))
            return empty_frame(spec), [Failure(source.table, name, "missing_column", sheet=sheet,
                                               row=source.header_row, column_name=missing)]
    frame, failures = frame_from_rows(rows, spec, name, sheet)
    if offset:
        frame[ROW] = frame[ROW] + offset
    return frame, _shifted(failures, offset, name)


def pick_sheet(sheets: dict[str, list[list[str]]], source: TableSource
               ) -> tuple[str | None, str | None]:
    """The sheet to read and, when there is none, why not.

    A named sheet is matched ignoring case and spacing; without a name, the sheet whose
    header matches most of the mapped columns is taken (the first on a tie).
    """
    if not sheets:
        return None, "the workbook has no sheets"
    if source.sheet is not None:
        wanted = normalise_header(source.sheet)
        for title in sheets:
            if title == source.sheet or normalise_header(title) == wanted:
                return title, None
        return None, f"the workbook has no sheet {source.sheet!r} (it has {', '.join(sheets)})"
    spec = spec_for(source)
    scores = {title: len(set(find_header(rows, spec)[1].values())) for title, rows in sheets.items()}
    return max(scores, key=scores.get), None


def read_file(path: Path, folder: Path, source: TableSource, workbooks: Workbooks
              ) -> tuple[pd.DataFrame | None, list[Failure]]:
    """One file matched by a mapping entry, as the entry's canonical columns with lineage."""
    name = relative_name(path, folder)
    table = source.table
    suffix = path.suffix.lower()
    if suffix in LEGACY_WORKBOOKS:
        return None, [Failure(table, name, "unreadable_file",
                              value=f"{suffix} workbooks cannot be read; save it as .xlsx or .csv")]
    if suffix in WORKBOOK_SUFFIXES:
        sheets, why = workbooks.sheets(path)
        if why is not None:
            return None, [Failure(table, name, "unreadable_file", value=why)]
        sheet, why = pick_sheet(sheets, source)
        if sheet is None:
            return None, [Failure(table, name, "unreadable_file", column_name=f"{source.key}.sheet",
                                  value=why)]
        rows = sheets[sheet]
        if not any(cell.strip() for row in rows for cell in row):
            return None, [Failure(table, name, "empty_file", sheet=sheet)]
        return frame_from_grid(rows, source, name, sheet)
    rows, failures = read_csv_rows(path, table)
    failures = _shifted(failures, 0, name)
    if not rows or not any(cell.strip() for row in rows for cell in row):
        if rows:  # only separators or spaces: as empty as a zero-byte file
            failures.append(Failure(table, name, "empty_file"))
        return None, failures
    frame, more = frame_from_grid(rows, source, name, None)
    return frame, failures + more


def translate(values: pd.Series, codes: dict[str, str | None]) -> pd.Series:
    """Local values replaced by canonical ones, matched trimmed and ignoring case.

    Values with no translation are kept as they are, so validation reports them by name.
    """
    key = values.str.strip().str.casefold()
    hit = key.isin(list(codes)).fillna(False).astype(bool)
    return values.mask(hit, key.map(codes)).astype("string")


def canonical_frame(frame: pd.DataFrame, source: TableSource) -> pd.DataFrame:
    """A read frame with codes translated, constants filled and every canonical column present."""
    frame = frame.copy()
    for col, codes in source.codes.items():
        if col in frame:
            frame[col] = translate(frame[col], codes)
    for col, value in source.constants.items():
        frame[col] = pd.Series(value, index=frame.index, dtype="string")
    columns = list(CANONICAL_MODELS[source.table].columns)
    for col in columns:
        if col not in frame:
            frame[col] = pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame[[*columns, *LINEAGE_COLUMNS]]


def sql_frame(rows: list[list[str]], source: TableSource, name: str
              ) -> tuple[pd.DataFrame, list[Failure]]:
    """A query's result (header first) as the entry's columns; rows numbered from 2 in the
    query's order, as if the header were row 1."""
    return frame_from_grid(rows, dataclasses.replace(source, header_row=None), name, None)


def empty_table(table: str) -> pd.DataFrame:
    """A canonical table with no rows (a mapped table whose files gave none)."""
    columns = tuple(CANONICAL_MODELS[table].columns)
    return empty_frame(TableSpec(table, {c: () for c in columns}))
