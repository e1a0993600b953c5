"""Synthetic LCS warehouses: the ground truth as CSV extracts or as the database's own tables.

Both shapes hold what the LCS reporting warehouse holds: people with gender M/F,
surrogate keys on every event table, LCS words for coded answers ('Held',
'Step-parent', 'Yes'), and an ``involvement`` table where IRO allocations sit
among social workers' and team managers' involvements. The CSV extracts add the
mess of extracts saved from SQL Server Management Studio: ``NULL`` written for
blanks, dates as ``yyyy-mm-dd 00:00:00.000`` and decimals with two places.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from iro_etl.sources.warehouse import file_name
from iro_plugin_liquidlogic.plugin import table_names
from iro_plugin_liquidlogic.tables import (
    COLUMN_NAMES,
    DATE,
    INVOLVEMENT_TYPE,
    NUMBER,
    PERSON,
    SURROGATE,
    TABLES,
    WAREHOUSE,
)
from iro_plugin_liquidlogic.vocabulary import LCS_TERMS, NULL_TEXT
from iro_schemas.canonical import CANONICAL_MODELS

from iro_testdata.synthetic import text_tables, write_csv

if TYPE_CHECKING:
    from iro_testdata.synthetic import GroundTruth

#: SQL Server's datetime as SSMS writes it; every LCS date column is a datetime there.
EXTRACT_DATE_FORMAT = "%Y-%m-%d 00:00:00.000"
_ISO = "%Y-%m-%d"
_FLAGS = {"Y": "Yes", "N": "No"}
#: Involvements that are not the IRO's, as (type, worker id prefix, share of periods with one).
_OTHER_INVOLVEMENTS = (("Social Worker", "SW", 1.0), ("Team Manager", "TM", 0.6))


def warehouse_frames(truth: GroundTruth, date_format: str = _ISO) -> dict[str, pd.DataFrame]:
    """The truth as the warehouse's tables, all text, blanks as None, in warehouse column order."""
    text, _ = text_tables(truth, date_format)
    out = {}
    for table in TABLES:
        canonical = table.spec.table
        frame = text[canonical].copy()
        for column, terms in LCS_TERMS.get(canonical, {}).items():
            frame[column] = frame[column].replace(terms)
        flags = [c for c, spec in CANONICAL_MODELS[canonical].columns.items()
                 if str(spec.dtype) == "boolean"]
        frame[flags] = frame[flags].replace(_FLAGS)
        frame = frame.rename(columns=COLUMN_NAMES[canonical])
        if table.name == "involvement":
            frame = _with_other_involvements(frame, text["notifications"], truth.seed)
        columns = WAREHOUSE[table.name]
        for column, kind in columns.items():
            if kind == SURROGATE:
                frame[column] = np.arange(1, len(frame) + 1).astype(str)
        out[table.name] = frame[list(columns)]
    return out


def _with_other_involvements(iro: pd.DataFrame, periods: pd.DataFrame, seed: int) -> pd.DataFrame:
    """IRO allocations among the social workers' and team managers' involvements of each period."""
    rng = np.random.default_rng(seed + 7)
    parts = [iro.assign(**{INVOLVEMENT_TYPE: "IRO"})]
    for kind, prefix, share in _OTHER_INVOLVEMENTS:
        chosen = periods[rng.random(len(periods)) < share]
        workers = rng.integers(1, 400, len(chosen))
        parts.append(pd.DataFrame({
            "person_id": chosen["child_id"].to_numpy(),
            "worker_id": [f"{prefix}{w:04d}" for w in workers],
            INVOLVEMENT_TYPE: kind,
            "start_date": chosen["period_start"].to_numpy(),
            "end_date": None,
        }))
    frame = pd.concat(parts, ignore_index=True)
    # The warehouse keeps involvements in the order they were recorded: by person, then date.
    return frame.sort_values(["person_id", "start_date"], kind="stable", ignore_index=True)


def write_synthetic(truth: GroundTruth, dest: Path, names: Mapping[str, str] | None = None
                    ) -> list[Path]:
    """One ``<table>.csv`` extract per warehouse table in ``dest``, as SSMS saves them.

    ``names`` renames tables ({warehouse table: actual name}), as the ``tables`` option reads.
    """
    names = dict(names or {})
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for table, frame in warehouse_frames(truth, EXTRACT_DATE_FORMAT).items():
        frame = frame.copy()
        for column, kind in WAREHOUSE[table].items():
            if kind == NUMBER:
                numbers = pd.to_numeric(frame[column], errors="coerce")
                frame[column] = numbers.map("{:.2f}".format).where(numbers.notna(), frame[column])
        paths.append(write_csv(dest / file_name(names.get(table, table)), frame, blank=NULL_TEXT))
    return paths


def _column_type(kind: str, values: pd.Series) -> sa.types.TypeEngine:
    if kind == SURROGATE:
        return sa.Integer()
    if kind == PERSON:
        # LCS person ids are integers; a truth with other ids keeps them as text.
        digits = values.dropna().str.strip().str.fullmatch(r"\d+").all()
        return sa.BigInteger() if digits else sa.String(40)
    if kind == DATE:
        return sa.Date()
    if kind == NUMBER:
        return sa.Numeric(10, 2)
    return sa.String(100)


def _typed(values: pd.Series, column_type: sa.types.TypeEngine) -> pd.Series:
    """Text values as the Python objects the column holds (None for NULL)."""
    if isinstance(column_type, sa.Date):
        dates = pd.to_datetime(values, format=_ISO, errors="coerce")
        # A date the truth made impossible (31/02) cannot be stored in a DATE column: NULL.
        out = pd.Series(dates.dt.date, index=values.index, dtype=object)
        return out.where(dates.notna(), None)
    if isinstance(column_type, sa.Integer | sa.Numeric):
        numbers = pd.to_numeric(values.astype("string").str.strip(), errors="coerce")
        as_int = isinstance(column_type, sa.Integer)
        return numbers.astype(object).map(lambda v: None if pd.isna(v) else (int(v) if as_int else v))
    return values.astype(object).where(values.notna(), None)


def write_database(truth: GroundTruth, engine: sa.Engine, names: Mapping[str, str] | None = None
                   ) -> list[str]:
    """Create and fill the warehouse tables in ``engine``'s default schema; their names, in order.

    Dates are DATE, numbers NUMERIC, surrogate and person keys integers. ``names`` renames
    tables ({warehouse table: actual name}). Existing tables of those names are replaced.
    """
    names = dict(names or {})
    metadata = sa.MetaData()
    data = {}
    for table, frame in warehouse_frames(truth).items():
        types = {c: _column_type(kind, frame[c]) for c, kind in WAREHOUSE[table].items()}
        keys = [c for c, kind in WAREHOUSE[table].items() if kind == SURROGATE]
        sa_table = sa.Table(names.get(table, table), metadata, *(
            sa.Column(c, t, primary_key=c in keys) for c, t in types.items()))
        typed = pd.DataFrame({c: _typed(frame[c], t) for c, t in types.items()})
        data[sa_table] = typed.to_dict("records")
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for sa_table, records in data.items():
            if records:
                conn.execute(sa_table.insert(), records)
    return [t.name for t in data]


def write(truth: GroundTruth, dest: Path, options: Mapping[str, Any] | None = None) -> list[Path]:
    """CSV extracts, under the table names the authority's ``tables`` option gives."""
    return write_synthetic(truth, dest, table_names((options or {}).get("tables")))
