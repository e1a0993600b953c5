"""The Liquidlogic LCS plugin: the reporting warehouse, as CSV extracts or the database itself.

An export location is either a folder of CSV extracts, one per warehouse table
and named ``<table>.csv`` (``person.csv``, ``cla_episode.csv``, ...), or a
SQLAlchemy database URL of the warehouse (lineage ``db:<table>``). Each
warehouse table feeds one canonical table (see :mod:`iro_plugin_liquidlogic.tables`);
only ``involvement`` rows of an IRO type become IRO allocations.

Options (the authority's ``options`` block in authorities.yaml):

``tables``
    ``{warehouse table: actual table name}``, for warehouses that name tables
    differently (``{cla_episode: dm_cla_episodes}`` reads ``dm_cla_episodes.csv`` or
    the database table ``dm_cla_episodes``). A table mapped to nothing (``null``)
    is not read and its canonical table stays empty, with no failure.
``schema``
    The database schema holding the tables when it is not the connection's default
    (on SQL Server also ``database.owner``, e.g. ``HDM.Child_Social``).
``iro_involvement_types``
    Involvement types that mean an IRO allocation (default ``IRO`` and
    ``Independent Reviewing Officer``), compared case- and punctuation-insensitively.
``columns``
    The standard option: ``{canonical table: {canonical column: [extra headers]}}``.
    The involvement type column is ``involvement_type`` under ``iro_allocations``.
``codes``
    The standard option, applied by the core after LCS words ('M', 'Held', ...)
    have been turned into canonical codes here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iro_etl.sources.plugin import SourceData, SourcePlugin
from iro_etl.sources.readers import empty_frame, frame_from_rows
from iro_etl.sources.sql import is_database_url
from iro_etl.sources.warehouse import (
    header_fits,
    read_database,
    read_extracts,
    recognised_files,
    table_headers,
)
from iro_etl.sources.warehouse import table_names as warehouse_names

from iro_plugin_liquidlogic.tables import (
    COLUMN_NAMES,
    IRO_INVOLVEMENT_TYPES,
    TABLE_NAMES,
    TABLES,
    WarehouseTable,
)
from iro_plugin_liquidlogic.vocabulary import iro_involvements, to_canonical

#: Tables whose presence (with their own headers) says a location is an LCS warehouse.
_SIGNATURE = ("person", "cla_episode")


def table_names(option: Mapping[str, Any] | None) -> dict[str, str]:
    """Warehouse table -> the authority's name for it, from the ``tables`` option."""
    return warehouse_names(option, TABLE_NAMES)


class LiquidlogicPlugin(SourcePlugin):
    """Liquidlogic LCS reporting warehouse tables, from CSV extracts or the database."""

    name = "liquidlogic"
    description = "Liquidlogic LCS reporting warehouse: CSV extracts (<table>.csv) or the database"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.names = table_names(self.options.get("tables"))
        self.tables = tuple(
            WarehouseTable(t.name, t.spec.extended(self.extra_headers(t.spec.table)), t.order_by)
            for t in TABLES)
        self.iro_types = tuple(self.options.get("iro_involvement_types") or IRO_INVOLVEMENT_TYPES)
        self.schema = self.options.get("schema") or None

    def recognise(self, path: Path | str) -> bool:
        if isinstance(path, str) and is_database_url(path):
            headers = table_headers(path, self.tables, self.names, self.schema)
        else:
            path = Path(path)
            headers = recognised_files(path, self.tables, self.names)
            if path.is_file():
                # One extract on its own: it is ours if it is one of our tables, header and all.
                return any(header_fits(t, headers.get(t.name)) for t in self.tables)
        signature = [t for t in self.tables if t.name in _SIGNATURE and t.name in self.names]
        return bool(signature) and all(header_fits(t, headers.get(t.name)) for t in signature)

    def read(self, path: Path | str) -> SourceData:
        if isinstance(path, str) and is_database_url(path):
            got = read_database(path, self.tables, self.names, self.schema)
        else:
            got = read_extracts(Path(path), self.tables, self.names)
        failures = list(got.failures)
        tables = {}
        for table in self.tables:
            if table.name in got.tables:
                rows, source = got.tables[table.name]
                frame, more = frame_from_rows(rows, table.spec, source)
                failures += more
            else:
                frame = empty_frame(table.spec)
            frame = to_canonical(table.spec.table, frame)
            if table.name == "involvement":
                frame = iro_involvements(frame, self.iro_types)
            tables[table.spec.table] = frame
        return SourceData(self.name, tables, failures, got.files)

    def column_names(self) -> dict[str, dict[str, str]]:
        return COLUMN_NAMES
