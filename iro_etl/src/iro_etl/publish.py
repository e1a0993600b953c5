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


def _records(frame: pd.DataFrame) -> list[dict]:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.date
    out = out.astype(object).where(out.notna(), None)
    return out.to_dict("records")


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
                conn.execute(table.insert(), _records(frame))


def read_mart(engine: sa.Engine, name: str, authority: str | None = None) -> pd.DataFrame:
    """A published mart (optionally one authority's rows), for reports and tests."""
    query = f'SELECT * FROM "{name}"'
    params = {}
    if authority is not None:
        query += " WHERE authority = :authority"
        params["authority"] = authority
    with engine.connect() as conn:
        return pd.read_sql_query(sa.text(query), conn, params=params)
