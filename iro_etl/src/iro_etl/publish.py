"""Publishing marts through SQLAlchemy: embedded SQLite by default, PostgreSQL by URL.

One publish is one transaction: for each mart it replaces the authority's rows
(delete, then insert), so readers see the previous load or this one, never
half, and publishing the same load twice leaves the same tables. Tables are
made from the mart schemas; a table whose columns no longer match the contract
is rebuilt inside the same transaction, keeping the other authorities' rows
where they fit the new columns (else they return with those authorities' next load).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import sqlalchemy as sa
from iro_schemas.marts import MART_MODELS

_TYPES = {"str": sa.Text, "int64": sa.BigInteger, "Int64": sa.BigInteger,
          "float64": sa.Float, "boolean": sa.Boolean, "bool": sa.Boolean}


def sql_type(column: pa.Column) -> sa.types.TypeEngine:
    dtype = str(column.dtype)
    if dtype.startswith("datetime"):
        return sa.Date()
    return _TYPES.get(dtype, sa.Text)()


def sql_table(name: str, metadata: sa.MetaData, table_name: str | None = None) -> sa.Table:
    """The SQL table of a mart, with its columns' descriptions as comments."""
    schema = MART_MODELS[name]
    columns = [sa.Column(col, sql_type(spec), nullable=spec.nullable, comment=spec.description)
               for col, spec in schema.columns.items()]
    return sa.Table(table_name or name, metadata, *columns,
                    sa.Index(f"ix_{table_name or name}_authority", "authority"),
                    comment=schema.description)


def make_engine(url: str) -> sa.Engine:
    """An engine whose transactions cover DDL too (SQLite needs telling)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            # Let SQLAlchemy, not the driver, decide where transactions begin.
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        @sa.event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    return engine


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """Plain Python rows: dates as ISO text (how SQLite keeps them; COPY parses them), NA as None."""
    columns = []
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d")
        columns.append(values.astype(object).where(values.notna(), None).tolist())
    return list(zip(*columns, strict=True))


def _insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Bulk insert through the driver where we know it: COPY on psycopg, executemany on SQLite."""
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _insert_copy(conn, table, frame)
    elif conn.dialect.name == "sqlite":
        _insert_sqlite(conn, table, frame)
    else:
        _insert_core(conn, table, frame)


def _names(frame: pd.DataFrame) -> str:
    return ", ".join(f'"{c}"' for c in frame.columns)


def _insert_copy(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(
            f'COPY "{table.name}" ({_names(frame)}) FROM STDIN') as copy:
        for row in _rows(frame):
            copy.write_row(row)


def _insert_sqlite(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    marks = ", ".join("?" * len(frame.columns))
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({_names(frame)}) VALUES ({marks})',
                         _rows(frame))


def _insert_core(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Any other dialect: SQLAlchemy's own executemany, with dates as date objects."""
    dates = [c for c in frame.columns if isinstance(table.c[c].type, sa.Date)]
    records = [dict(zip(frame.columns, row, strict=True)) for row in _rows(frame)]
    for record in records:
        for c in dates:
            record[c] = record[c] and date.fromisoformat(record[c])
    conn.execute(table.insert(), records)


def _ensure_table(conn: sa.Connection, name: str) -> sa.Table:
    metadata = sa.MetaData()
    table = sql_table(name, metadata)
    inspector = sa.inspect(conn)
    if not inspector.has_table(name):
        table.create(conn)
        return table
    existing = [c["name"] for c in inspector.get_columns(name)]
    if existing != list(table.columns.keys()):
        old = f"{name}__old"
        indexes = [index["name"] for index in inspector.get_indexes(name)]
        conn.execute(sa.text(f'ALTER TABLE "{name}" RENAME TO "{old}"'))
        for index in indexes:
            # Index names travel with a renamed table and would clash with the new ones.
            conn.execute(sa.text(f'DROP INDEX IF EXISTS "{index}"'))
        table.create(conn)
        common = [c.name for c in table.columns if c.name in existing]
        required = {c.name for c in table.columns if not c.nullable}
        # Rows that cannot fill a new required column are left for their authority's next load.
        if required <= set(common):
            cols = ", ".join(f'"{c}"' for c in common)
            conn.execute(sa.text(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM "{old}"'))
        conn.execute(sa.text(f'DROP TABLE "{old}"'))
    return table


def publish(engine: sa.Engine, authority: str, marts: Mapping[str, pd.DataFrame]) -> None:
    """Replace ``authority``'s rows in every mart given, in one transaction."""
    unknown = set(marts) - set(MART_MODELS)
    if unknown:
        raise KeyError(f"not marts of the contract: {', '.join(sorted(unknown))}")
    with engine.begin() as conn:
        for name, frame in marts.items():
            if (frame["authority"] != authority).any():
                raise ValueError(f"{name}: rows for another authority than {authority}")
            table = _ensure_table(conn, name)
            conn.execute(table.delete().where(table.c.authority == authority))
            if len(frame):
                _insert(conn, table, frame)


def read_mart(engine: sa.Engine, name: str, authority: str | None = None) -> pd.DataFrame:
    """A published mart (optionally one authority's rows), for reports and tests."""
    query = f'SELECT * FROM "{name}"'
    params = {}
    if authority is not None:
        query += " WHERE authority = :authority"
        params["authority"] = authority
    with engine.connect() as conn:
        return pd.read_sql_query(sa.text(query), conn, params=params)
