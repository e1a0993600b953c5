"""Finding and reading the warehouse's CSV extracts: one file per table, named ``<table>.csv``.

Files are matched to tables by name (case-insensitively, as extracts copied from
Windows shares often change case). A table with no file is reported as unreadable,
like a table missing from the database; a file that is no table's is reported as
unrecognised and skipped, so a stray file never stops the load.
"""

from __future__ import annotations

from pathlib import Path

from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.readers import csv_header, read_csv_rows

from iro_plugin_liquidlogic.rows import Rows
from iro_plugin_liquidlogic.tables import WarehouseTable

SUFFIX = ".csv"


def file_name(actual: str) -> str:
    """The extract file of a table as the authority's warehouse names it."""
    return f"{actual}{SUFFIX}"


def locate(path: Path, tables: tuple[WarehouseTable, ...], names: dict[str, str]
           ) -> tuple[dict[str, Path], list[Path]]:
    """Warehouse table -> its extract file, and the files that belong to no table.

    ``path`` is the extracts folder or one extract file.
    """
    if path.is_dir():
        # Hidden files (.DS_Store and the like) are not extracts anyone meant to send.
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    else:
        files = [path] if path.exists() else []
    by_name = {p.name.lower(): p for p in files}
    found = {t.name: by_name[file_name(names[t.name]).lower()] for t in tables
             if t.name in names and file_name(names[t.name]).lower() in by_name}
    claimed = set(found.values())
    return found, [p for p in files if p not in claimed]


def read_extracts(path: Path, tables: tuple[WarehouseTable, ...], names: dict[str, str]) -> Rows:
    """The rows of every table's extract under ``path``; never raises on bad data."""
    out = Rows()
    if not path.exists():
        out.failures.append(Failure(FILE_LEVEL, path.name, "unreadable_file",
                                    value="no such file or folder"))
        return out
    found, others = locate(path, tables, names)
    for file in others:
        empty = not any(cell.strip() for row in csv_header(file) for cell in row)
        out.failures.append(Failure(FILE_LEVEL, file.name, "empty_file" if empty
                                    else "unrecognised_file"))
    for table in tables:
        if table.name not in names:
            continue  # the authority's warehouse has no such table (``tables`` option)
        file = found.get(table.name)
        if file is None:
            # A lone file was given: the other tables are simply not part of this read.
            if path.is_dir():
                out.failures.append(Failure(table.spec.table, file_name(names[table.name]),
                                            "unreadable_file", value="no such file in the folder"))
            continue
        out.files.append(file)
        rows, failures = read_csv_rows(file, table.spec.table)
        out.failures += failures
        if rows:
            out.tables[table.name] = (rows, file.name)
    return out


def recognised_files(path: Path, tables: tuple[WarehouseTable, ...], names: dict[str, str]
                     ) -> dict[str, list[list[str]]]:
    """Warehouse table -> the first rows of its extract, for the tables found under ``path``."""
    found, _ = locate(path, tables, names)
    return {name: csv_header(file) for name, file in found.items()}
