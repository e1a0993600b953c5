"""Reading Eclipse's reporting database through a SQLAlchemy URL.

The tables ``people``, ``cla_episodes``, ``staff`` and ``forms`` are read as text in a
stable order (lineage ``db:<table>``, rows counted from 2 as the core's SQL reader
does); the forms' ``answers`` column holds each JSON document as text. A database
that cannot be reached is one failure, never an exception. Answers kept in a JSON or
JSONB column are read as their stored text by the core's reader.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.readers import TableSpec, empty_frame, frame_from_rows, normalise_header
from iro_etl.sources.sql import read_table_rows

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
        rows, more = read_table_rows(engine, DB_FORMS[0], DB_FORMS[1], FILE_LEVEL)
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
