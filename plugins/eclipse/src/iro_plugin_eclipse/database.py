"""Reading Eclipse's reporting database through a SQLAlchemy URL.

The tables ``people``, ``cla_episodes``, ``staff`` and ``forms`` are read as text in a
stable order (lineage ``db:<table>``, rows counted from 2 as the core's SQL reader
does); the forms' ``answers`` column holds each JSON document as text. A database
that cannot be reached is one failure, never an exception. The forms table is read
by :func:`read_form_rows`, which also accepts answers kept in a JSON or JSONB column.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from iro_etl.failures import FILE_LEVEL, Failure
from iro_etl.readers import TableSpec, empty_frame, frame_from_rows, normalise_header
from iro_etl.sql_source import read_table_rows

from iro_plugin_eclipse.tables import DB_FORMS, DB_TABLES


def _engine(url: str) -> sa.Engine | None:
    """An engine for ``url``; None for a SQLite file that does not exist (connecting would create it)."""
    parsed = sa.engine.make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:") and not Path(
            database).exists():
        return None
    return sa.create_engine(url)


def _source_name(url: str) -> str:
    """The database as failure records name it (without a password)."""
    try:
        return "db:" + sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "db"


def is_eclipse_database(url: str, forms_spec: TableSpec) -> bool:
    """Whether the database has a forms table with a form type and answers column."""
    try:
        engine = _engine(url)
        if engine is None:
            return False
        try:
            inspector = sa.inspect(engine)
            if DB_FORMS[0] not in inspector.get_table_names():
                return False
            lookup = forms_spec.lookup()
            found = {lookup.get(normalise_header(c["name"])) for c in inspector.get_columns(DB_FORMS[0])}
            return {"form_type", "answers"} <= found
        finally:
            engine.dispose()
    except (sa.exc.SQLAlchemyError, ImportError, ValueError):
        return False


def _cell(value: object) -> str:
    """A database value as export text (dates as ISO dates, whole floats without the .0)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_form_rows(engine: sa.Engine, name: str, order_by: tuple[str, ...]
                   ) -> tuple[list[list[str]], list[Failure]]:
    """The forms table's header and rows as text, like the core's SQL reader, JSON columns included.

    A JSON or JSONB column comes back from the driver as Python objects, whose text is not
    JSON; the column is read as text in the query instead, so answers parse as stored.
    """
    source = f"db:{name}"
    try:
        reflected = sa.Table(name, sa.MetaData(), autoload_with=engine)
    except sa.exc.NoSuchTableError:
        return [], [Failure(FILE_LEVEL, source, "unreadable_file", value=f"no table {name!r}")]
    except sa.exc.SQLAlchemyError as exc:
        return [], [Failure(FILE_LEVEL, source, "unreadable_file", value=str(exc).splitlines()[0])]
    columns = [sa.cast(c, sa.Text).label(c.name) if isinstance(c.type, sa.JSON) else c for c in reflected.c]
    order = [reflected.c[c] for c in order_by if c in reflected.c]
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.select(*columns).order_by(*order))
            header = list(result.keys())
            rows = [[_cell(v) for v in row] for row in result]
    except sa.exc.SQLAlchemyError as exc:
        return [], [Failure(FILE_LEVEL, source, "unreadable_file", value=str(exc).splitlines()[0])]
    return [header, *rows], []


def read_database(url: str, specs: tuple[TableSpec, ...], forms_spec: TableSpec
                  ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, list[Failure]]:
    """The structured tables (by canonical name), the forms table, and read failures."""
    tables = {spec.table: empty_frame(spec) for spec in specs}
    forms = empty_frame(forms_spec)
    try:
        engine = _engine(url)
    except (sa.exc.SQLAlchemyError, ImportError, ValueError) as exc:
        return tables, forms, [Failure(FILE_LEVEL, _source_name(url), "unreadable_file", value=str(exc))]
    if engine is None:
        return tables, forms, [Failure(FILE_LEVEL, _source_name(url), "unreadable_file",
                                       value="no such database file")]
    failures: list[Failure] = []
    try:
        # One probe, so an unreachable server is one failure rather than one per table.
        with engine.connect():
            pass
        for spec in specs:
            name, order = DB_TABLES[spec.table]
            rows, more = read_table_rows(engine, name, order, spec.table)
            failures += more
            if rows:
                tables[spec.table], more = frame_from_rows(rows, spec, f"db:{name}")
                failures += more
        rows, more = read_form_rows(engine, *DB_FORMS)
        failures += more
        if rows:
            forms, more = frame_from_rows(rows, forms_spec, f"db:{DB_FORMS[0]}")
            failures += more
    except sa.exc.SQLAlchemyError as exc:
        failures.append(Failure(FILE_LEVEL, _source_name(url), "unreadable_file",
                                value=str(exc).splitlines()[0]))
    finally:
        engine.dispose()
    return tables, forms, failures
