"""Reading the warehouse tables as they come: a folder of CSV extracts, one file, or the database.

Each extract is matched to its warehouse table by file name (``dm_persons.csv``,
``dm_persons_20140401.csv``), or failing that by its header row, and read with
lineage through the core's readers. The result is one text frame per warehouse
table plus the read failures; mapping onto the canonical tables is elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.readers import (
    TableSpec,
    csv_header,
    empty_frame,
    find_header,
    frame_from_rows,
    normalise_header,
    read_csv_rows,
)
from iro_etl.sources.sql import is_database_url, read_table_rows
from iro_schemas.canonical import CANONICAL_MODELS

from iro_plugin_mosaic.tables import KEYS, SURROGATE_KEYS, WORKFLOW_TABLES

_SUFFIXES = {".csv", ".txt"}


@dataclass
class WarehouseTables:
    """Text frames of the warehouse tables read, with what went wrong reading them."""

    frames: dict[str, pd.DataFrame]
    failures: list[Failure] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def table_by_name(path: Path, specs: dict[str, TableSpec]) -> str | None:
    """The warehouse table a file is named after (longest match, so dates may follow the name)."""
    stem = normalise_header(path.stem)
    names = [name for name in specs if stem.startswith(normalise_header(name))]
    return max(names, key=len) if names else None


def table_by_header(rows: list[list[str]], specs: dict[str, TableSpec],
                    only: tuple[str, ...] | None = None) -> str | None:
    """The warehouse table whose required columns (key included) all appear in the header."""
    best, best_width = None, 0
    for name, spec in specs.items():
        if only is not None and name not in only:
            continue
        _, mapping = find_header(rows, spec)
        found = set(mapping.values())
        if KEYS[name] in found and set(spec.required) <= found and len(found) > best_width:
            best, best_width = name, len(found)
    return best


def csv_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES)
    return [path] if path.is_file() else []


def recognise_files(path: Path, specs: dict[str, TableSpec]) -> bool:
    """A Mosaic extract: a file named after a warehouse table whose header has that table's key,
    or a file whose header is unmistakably a workflow-step or answers table."""
    for file in csv_files(path):
        rows = csv_header(file)
        name = table_by_name(file, specs)
        if name is not None:
            _, mapping = find_header(rows, specs[name])
            if KEYS[name] in mapping.values():
                return True
        elif table_by_header(rows, specs, WORKFLOW_TABLES) is not None:
            return True
    return False


def recognise_database(url: str, specs: dict[str, TableSpec]) -> bool:
    """A reporting database holding the workflow tables."""
    try:
        engine = sa.create_engine(url)
        try:
            names = {n.lower() for n in sa.inspect(engine).get_table_names()}
        finally:
            engine.dispose()
    except (sa.exc.SQLAlchemyError, ImportError, ValueError):
        return False
    return all(name in names for name in WORKFLOW_TABLES)


def _collect(found: dict[str, list[pd.DataFrame]], specs: dict[str, TableSpec]) -> dict[str, pd.DataFrame]:
    return {name: pd.concat(found[name], ignore_index=True) if found[name] else empty_frame(spec)
            for name, spec in specs.items()}


def failure_table(spec: TableSpec) -> str:
    """The table a read failure is filed under: the canonical one, or files for workflow tables."""
    return spec.table if spec.table in CANONICAL_MODELS else FILE_LEVEL


def _refile(failures: list[Failure], spec: TableSpec) -> list[Failure]:
    """Read failures under the table they concern; a workflow table's ragged rows keep its name
    so the mapping can put them on the canonical row they spoil."""
    table = failure_table(spec)
    return [f if f.rule == "bad_row_shape" or f.table_name == table else replace(f, table_name=table)
            for f in failures]


def read_folder(path: Path, specs: dict[str, TableSpec]) -> WarehouseTables:
    """Every CSV extract in a folder (or one file), each onto its warehouse table."""
    found: dict[str, list[pd.DataFrame]] = {name: [] for name in specs}
    failures: list[Failure] = []
    if not path.exists():
        failures.append(Failure(FILE_LEVEL, path.name, "unreadable_file", value="no such file or folder"))
        return WarehouseTables(_collect(found, specs), failures, [])
    files = csv_files(path)
    seen: set[str] = set()
    for file in files:
        name = table_by_name(file, specs)
        if name is not None:
            seen.add(name)
        rows, more = read_csv_rows(file, FILE_LEVEL)
        if not rows or not any(cell.strip() for row in rows for cell in row):
            # A file of blank lines or bare commas is as empty as a zero-byte one.
            if not any(f.rule in ("empty_file", "unreadable_file") for f in more):
                more.append(Failure(FILE_LEVEL, file.name, "empty_file"))
            failures += _refile(more, specs[name]) if name else more
            continue
        name = name or table_by_header(rows, specs)
        if name is None:
            failures += [*more, Failure(FILE_LEVEL, file.name, "unrecognised_file")]
            continue
        frame, shape = frame_from_rows(rows, specs[name], file.name)
        found[name].append(frame)
        seen.add(name)
        failures += _refile(more + shape, specs[name])
    if path.is_dir():
        # A folder without one of the extracts loads without its tables: say so, or nobody knows why.
        failures += [Failure(failure_table(spec), f"{name}.csv", "unreadable_file",
                             value=f"the folder has no {name} extract")
                     for name, spec in specs.items() if name not in seen]
    return WarehouseTables(_collect(found, specs), failures, files)


def read_database(url: str, specs: dict[str, TableSpec]) -> WarehouseTables:
    """The warehouse tables straight from the reporting database, in the order rows were created."""
    found: dict[str, list[pd.DataFrame]] = {name: [] for name in specs}
    failures: list[Failure] = []
    try:
        engine = sa.create_engine(url)
    except (sa.exc.SQLAlchemyError, ImportError, ValueError) as exc:
        failures.append(Failure(FILE_LEVEL, url.split("://")[0], "unreadable_file", value=str(exc)))
        return WarehouseTables(_collect(found, specs), failures, [])
    try:
        # Warehouses name tables in upper or lower case; match them as SQL Server does, ignoring case.
        actual = {n.lower(): n for n in sa.inspect(engine).get_table_names()}
        for name, spec in specs.items():
            order = [SURROGATE_KEYS[name], *(alias for aliases in spec.columns.values() for alias in aliases)]
            rows, more = read_table_rows(engine, actual.get(name, name), order, spec.table)
            if rows:
                frame, more = frame_from_rows(rows, spec, f"db:{name}")
                found[name].append(frame)
            failures += _refile(more, spec)
    except sa.exc.SQLAlchemyError as exc:
        failures.append(Failure(FILE_LEVEL, "db", "unreadable_file", value=str(exc).splitlines()[0]))
    finally:
        engine.dispose()
    return WarehouseTables(_collect(found, specs), failures, [])


def read_warehouse(path: Path | str, specs: dict[str, TableSpec]) -> WarehouseTables:
    if isinstance(path, str) and is_database_url(path):
        return read_database(path, specs)
    return read_folder(Path(path), specs)


def recognise(path: Path | str, specs: dict[str, TableSpec]) -> bool:
    if isinstance(path, str) and is_database_url(path):
        return recognise_database(path, specs)
    return recognise_files(Path(path), specs)
