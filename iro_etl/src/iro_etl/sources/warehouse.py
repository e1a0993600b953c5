"""A system's warehouse tables as grids of text, from CSV extracts or the database itself.

Plugins for reporting warehouses (Liquidlogic's, the Standard Safeguarding Dataset) read
the same two shapes: a folder of CSV extracts, one per table and named ``<table>.csv``,
or the database by SQLAlchemy URL. Both give a grid of text cells per table, header
first, so a plugin maps them onto canonical tables one way.

Extract files are matched to tables by name, case-insensitively (extracts copied from
Windows shares often change case). A table with no file is reported as unreadable, like a
table missing from the database; a file that is no table's is reported as unrecognised and
skipped, so a stray file never stops the load. In the database each table is read through
:func:`iro_etl.sources.sql.read_table_frame` (lineage ``db:<table>``, rows ordered by the
table's key, fetched and turned into frames in batches); a database that cannot be
reached is one failure, not one per table.

:class:`WarehouseTable` declares one such table as a plugin reads it: the warehouse's own
column names, the names the plugin uses for them, required columns and row order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import sqlalchemy as sa

from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.grid import TextGrid
from iro_etl.sources.plugin import SourcePlugin
from iro_etl.sources.readers import (
    TableSpec,
    csv_header,
    empty_frame,
    find_header,
    frame_from_grid,
    read_csv_grid,
)
from iro_etl.sources.sql import (
    Kept,
    is_database_url,
    read_table_frame,
    scrubbed,
    shown_url,
    table_columns,
)

SUFFIX = ".csv"
#: What can go wrong opening a URL: bad URL, missing driver, unreachable server.
_OPEN_ERRORS = (sa.exc.SQLAlchemyError, ImportError, ValueError)


@dataclass(frozen=True)
class WarehouseTable:
    """One warehouse table: its name, the canonical table it feeds, and what is read from it."""

    name: str
    #: The canonical table its rows feed (failures about its rows are reported there).
    feeds: str
    #: Warehouse column -> the name the plugin uses for it; the warehouse's name is the
    #: accepted header (an authority adds others through the ``columns`` option).
    columns: dict[str, str]
    #: Warehouse columns a row cannot do without.
    required: tuple[str, ...]
    #: Columns ordering database rows, so lineage row numbers follow the table's key.
    order_by: tuple[str, ...]
    #: A table some deployments lack: its absence is no failure (its rows stay empty).
    optional: bool = False

    @property
    def spec(self) -> TableSpec:
        """Accepted headers: the warehouse's column names (the plugin's names as keys)."""
        return TableSpec(self.feeds, {ours: (theirs,) for theirs, ours in self.columns.items()},
                         tuple(self.columns[c] for c in self.required))


@dataclass
class Rows:
    """The cells read for each warehouse table, where they came from, and what went wrong."""

    #: Warehouse table -> (grid of text cells, header first; source name for lineage).
    tables: dict[str, tuple[TextGrid, str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    #: Extract files read (none for a database).
    files: list[Path] = field(default_factory=list)
    #: Tables found and turned into frames (:func:`read_frames` empties ``tables``).
    read: set[str] = field(default_factory=set)



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
            if path.is_dir() and not table.optional:
                out.failures.append(Failure(table.spec.table, file_name(names[table.name]),
                                            "unreadable_file", value="no such file in the folder"))
            continue
        out.files.append(file)
        grid, failures = read_csv_grid(file, table.spec.table)
        out.failures += failures
        if grid is not None:
            out.tables[table.name] = (grid, file.name)
    return out


def recognised_files(path: Path, tables: tuple[WarehouseTable, ...], names: dict[str, str]
                     ) -> dict[str, list[list[str]]]:
    """Warehouse table -> the first rows of its extract, for the tables found under ``path``."""
    found, _ = locate(path, tables, names)
    return {name: csv_header(file) for name, file in found.items()}



@contextmanager
def _engine(url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _present(engine: sa.Engine, schema: str | None) -> dict[str, str]:
    """The database's tables (and views: warehouses publish both) by lower-cased name."""
    inspector = sa.inspect(engine)
    names = [*inspector.get_table_names(schema=schema), *inspector.get_view_names(schema=schema)]
    return {n.lower(): n for n in names}


def _database_frames(url: str, tables: tuple[WarehouseTable, ...], names: dict[str, str],
                     schema: str | None, specs: dict[str, TableSpec], kept: Mapping[str, Kept]
                     ) -> tuple[dict[str, pd.DataFrame], Rows]:
    """The frames of every table in the database at ``url`` (in ``schema``, when not the
    connection's default), of a table in ``kept`` only those rows, and what was read; never
    raises."""
    out, frames = Rows(), {}
    try:
        with _engine(url) as engine:
            # Fails once, here, if the server cannot be reached. Names are matched
            # case-insensitively, as SQL Server matches them, whatever the database.
            present = _present(engine, schema)
            wanted = [t for t in tables if t.name in names]  # see the ``tables`` option
            described = table_columns(engine, [present[names[t.name].lower()] for t in wanted
                                               if names[t.name].lower() in present], schema)
            for table in wanted:
                if table.optional and names[table.name].lower() not in present:
                    continue
                actual = present.get(names[table.name].lower(), names[table.name])
                frame, failures = read_table_frame(engine, actual, table.order_by,
                                                   specs[table.name], schema,
                                                   described.get(actual, []),
                                                   kept.get(table.name))
                out.failures += failures
                if frame is not None:
                    frames[table.name] = frame
                    out.read.add(table.name)
    except _OPEN_ERRORS as exc:
        out.failures.append(Failure(FILE_LEVEL, f"db:{shown_url(url)}", "unreadable_file",
                                    value=scrubbed(str(exc).splitlines()[0], url) if str(exc)
                                    else type(exc).__name__))
    return frames, out


def table_headers(url: str, tables: tuple[WarehouseTable, ...], names: dict[str, str],
                  schema: str | None = None) -> dict[str, list[list[str]]]:
    """Warehouse table -> [its column names], for the tables the database has ({} if
    unreachable)."""
    try:
        with _engine(url) as engine:
            present = _present(engine, schema)
            found = {t.name: present[names[t.name].lower()] for t in tables
                     if t.name in names and names[t.name].lower() in present}
            described = table_columns(engine, list(found.values()), schema)
            return {table: [[c["name"] for c in described.get(actual, [])]]
                    for table, actual in found.items()}
    except _OPEN_ERRORS:
        return {}


def table_names(option: Mapping[str, Any] | None, known: Sequence[str]) -> dict[str, str]:
    """Warehouse table -> the deployment's name for it, from a plugin's ``tables`` option:
    ``{table: actual name}``, or ``{table: null}`` for a table the deployment lacks."""
    option = dict(option or {})
    unknown = set(option) - set(known)
    if unknown:
        raise ValueError(f"tables option: no warehouse tables {sorted(unknown)}; "
                         f"known: {', '.join(known)}")
    names = {name: name for name in known}
    for name, actual in option.items():
        if actual:
            names[name] = str(actual)
        else:
            del names[name]
    return names


def column_names(tables: Sequence[WarehouseTable]) -> dict[str, dict[str, str]]:
    """Per canonical table, canonical column -> the warehouse column (``table.column``) a
    person corrects; where several tables have it, the first one's."""
    out: dict[str, dict[str, str]] = {}
    for table in tables:
        names = out.setdefault(table.feeds, {})
        for theirs, ours in table.columns.items():
            names.setdefault(ours, f"{table.name}.{theirs}")
    return out


def header_fits(table: WarehouseTable, rows: list[list[str]] | None) -> bool:
    """Whether the first rows hold this table's header: every required column found."""
    if not rows:
        return False
    _, mapping = find_header(rows, table.spec)
    return set(table.spec.required) <= set(mapping.values())



def recognised(path: Path | str, tables: tuple[WarehouseTable, ...], names: dict[str, str],
               schema: str | None, signature: tuple[WarehouseTable, ...]) -> bool:
    """Whether ``path`` (extracts folder or database URL) holds every ``signature`` table,
    each with its own header: how a warehouse plugin recognises its system."""
    if isinstance(path, str) and is_database_url(path):
        headers = table_headers(path, tables, names, schema)
    else:
        headers = recognised_files(Path(path), tables, names)
    return all(t.name in names and header_fits(t, headers.get(t.name)) for t in signature)


def read_frames(path: Path | str, tables: tuple[WarehouseTable, ...], names: dict[str, str],
                schema: str | None, extra_headers: Callable[[str], dict[str, list[str]]],
                kept: Mapping[str, Kept] | None = None
                ) -> tuple[dict[str, pd.DataFrame], Rows]:
    """Every table at ``path`` (extracts folder or database URL) as a text frame with the
    plugin's column names and lineage; an absent table is an empty frame.

    ``extra_headers(canonical table)`` gives the authority's other headers (the ``columns``
    option), each applied to the tables feeding that canonical table that have the column.
    ``kept``: warehouse table -> the rows the plugin needs of it, the only ones fetched
    from a database (an extract file is read whole: the plugin's own filter still applies).
    Returns the frames and what was read (the tables read in ``read``; no grids of cells
    are kept beside the frames, and a database table is turned into a frame batch by batch).
    """
    specs = {}
    for table in tables:
        extra = extra_headers(table.feeds)
        specs[table.name] = table.spec.extended(
            {c: h for c, h in extra.items() if c in table.spec.columns})
    if isinstance(path, str) and is_database_url(path):
        frames, got = _database_frames(path, tables, names, schema, specs, kept or {})
    else:
        got, frames = read_extracts(Path(path), tables, names), {}
        for name, (grid, where) in got.tables.items():
            frames[name], failures = frame_from_grid(grid, specs[name], where)
            got.failures += failures
            got.read.add(name)
        got.tables.clear()
    return {t.name: frames[t.name] if t.name in frames else empty_frame(specs[t.name])
            for t in tables}, got


class WarehousePlugin(SourcePlugin):
    """A plugin for a reporting warehouse: its ``tables`` from the database by URL (option
    ``schema``) or CSV extracts, renamed or left out by the ``tables`` option, and
    recognised by its ``signature`` tables. A subclass declares both and assembles the
    canonical tables from :meth:`frames` in its ``read``."""

    tables: ClassVar[tuple[WarehouseTable, ...]]
    signature: ClassVar[tuple[WarehouseTable, ...]]

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.names = table_names(self.options.get("tables"), [t.name for t in self.tables])
        self.schema = self.options.get("schema") or None

    def recognise(self, path: Path | str) -> bool:
        return recognised(path, self.tables, self.names, self.schema, self.signature)

    def frames(self, path: Path | str, kept: Mapping[str, Kept] | None = None
               ) -> tuple[dict[str, pd.DataFrame], Rows]:
        """Every table at ``path`` as a text frame (see :func:`read_frames`)."""
        return read_frames(path, self.tables, self.names, self.schema, self.extra_headers, kept)
