"""Reading the LCS reporting warehouse itself through SQLAlchemy, given a database URL.

Each table is read as text through the core's :func:`iro_etl.sources.sql.read_table_rows`
(lineage ``db:<table>``, rows ordered by the table's primary key). A database that
cannot be reached is one failure, not one per table; a table that is missing or
cannot be read is an ``unreadable_file`` failure for ``db:<table>`` and the rest loads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.sql import read_table_rows

from iro_plugin_liquidlogic.rows import Rows
from iro_plugin_liquidlogic.tables import WarehouseTable

#: What can go wrong opening a URL: bad URL, missing driver, unreachable server.
_OPEN_ERRORS = (sa.exc.SQLAlchemyError, ImportError, ValueError)


def _masked(url: str) -> str:
    """The URL as a failure record may show it: never with its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


@contextmanager
def _engine(url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def read_database(url: str, tables: tuple[WarehouseTable, ...], names: dict[str, str]) -> Rows:
    """The rows of every warehouse table in the database at ``url``; never raises."""
    out = Rows()
    try:
        with _engine(url) as engine:
            with engine.connect():
                pass  # fail once, here, if the server cannot be reached
            for table in tables:
                if table.name not in names:
                    continue  # the authority's warehouse has no such table (``tables`` option)
                actual = names[table.name]
                try:
                    rows, failures = read_table_rows(engine, actual, table.order_by,
                                                     table.spec.table)
                except sa.exc.SQLAlchemyError as exc:
                    # read_table_rows guards reflection only; a failing SELECT lands here.
                    rows, failures = [], [Failure(table.spec.table, f"db:{actual}",
                                                  "unreadable_file",
                                                  value=str(exc).splitlines()[0])]
                out.failures += failures
                if rows:
                    out.tables[table.name] = (rows, f"db:{actual}")
    except _OPEN_ERRORS as exc:
        out.failures.append(Failure(FILE_LEVEL, f"db:{_masked(url)}", "unreadable_file",
                                    value=str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
    return out


def table_headers(url: str, tables: tuple[WarehouseTable, ...], names: dict[str, str]
                  ) -> dict[str, list[list[str]]]:
    """Warehouse table -> [its column names], for the tables the database has ({} if unreachable)."""
    try:
        with _engine(url) as engine:
            inspector = sa.inspect(engine)
            present = {n.lower(): n for n in inspector.get_table_names()}
            return {t.name: [[c["name"] for c in inspector.get_columns(present[names[t.name].lower()])]]
                    for t in tables if t.name in names and names[t.name].lower() in present}
    except _OPEN_ERRORS:
        return {}
