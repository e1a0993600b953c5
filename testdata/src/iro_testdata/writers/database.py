"""Writing a warehouse's tables into a database: the DDL created, the text frames typed.

Every warehouse writer (the SSD's, LCS's, Mosaic's, Eclipse's) builds its tables as text
frames named as the warehouse names them, puts them in the DDL's layout (:func:`in_layout`),
then creates them in a database (a schema of it) from its DDL (:func:`write_tables`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import sqlalchemy as sa

#: A warehouse's DDL: {table: {column: type}}, in the warehouse's column order.
Ddl = Mapping[str, Mapping[str, sa.types.TypeEngine]]


def in_layout(ddl: Ddl, frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each table's frame with the DDL's columns in its order (a column the frame lacks is
    NULL), blanks as None: what every writer writes, to CSV or the database."""
    out = {}
    for name, frame in frames.items():
        frame = frame.reindex(columns=list(ddl[name]))
        out[name] = frame.astype(object).where(frame.notna(), None)
    return out


def typed(values: pd.Series, column_type: sa.types.TypeEngine) -> pd.Series:
    """Text values as the Python objects the column holds (None for NULL)."""
    if isinstance(column_type, sa.DateTime):
        days = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        return pd.Series(days.dt.to_pydatetime(), index=values.index, dtype=object).where(
            days.notna(), None)
    if isinstance(column_type, sa.Float | sa.Integer | sa.Numeric):
        numbers = pd.to_numeric(values, errors="coerce")
        if isinstance(column_type, sa.Integer):
            # Whole numbers stay whole beside NULLs (a float 5001.0 overflows a BIGINT bind).
            numbers = numbers.astype("Int64")
        return numbers.astype(object).where(numbers.notna(), None)
    return values


def write_tables(engine: sa.Engine, ddl: Ddl, frames: Mapping[str, pd.DataFrame],
                 schema: str | None = None, rename: Callable[[str], str] = str) -> list[str]:
    """Create the DDL's tables in ``engine`` (in ``schema``), replacing any of the same
    names, and fill them from ``frames``; the tables' names. ``rename`` gives a table's or a
    column's name in the database (a warehouse renamed, lower case as PostgreSQL folds it)."""
    metadata = sa.MetaData(schema=schema)
    tables = {name: sa.Table(rename(name), metadata,
                             *(sa.Column(rename(c), t) for c, t in columns.items()))
              for name, columns in ddl.items()}
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for name, frame in frames.items():
            table = tables[name]
            rows = pd.DataFrame({rename(c): typed(frame[c], table.c[rename(c)].type)
                                 for c in frame.columns}).to_dict("records")
            if rows:
                conn.execute(table.insert(), rows)
    return [t.name for t in tables.values()]
