"""Comparing what a plugin read back with the synthetic ground truth it was exported from."""

import csv
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from iro_etl.sources import sql, warehouse
from iro_etl.sources.plugin import SourceData, SourcePlugin
from iro_schemas.canonical import CANONICAL_MODELS, RECORD_KEYS
from iro_schemas.lineage import LINEAGE_COLUMNS, ROW, SHEET, SOURCE_FILE
from iro_testdata.synthetic import GroundTruth, text_tables


def normalised(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Contract columns only, in a stable order, with comparable dtypes (lineage dropped)."""
    columns = list(CANONICAL_MODELS[table].columns)
    frame = frame.drop(columns=[c for c in LINEAGE_COLUMNS if c in frame]).reindex(columns=columns)
    out = pd.DataFrame(index=frame.index)
    for col, spec in CANONICAL_MODELS[table].columns.items():
        values = frame[col]
        dtype = str(spec.dtype)
        if dtype.startswith("datetime"):
            out[col] = pd.to_datetime(values).astype("datetime64[us]")
        elif dtype == "boolean":
            out[col] = values.astype("boolean")
        elif dtype.startswith("float"):
            out[col] = pd.to_numeric(values).astype("float64").round(6)
        else:
            out[col] = values.astype(object).where(values.notna(), None).map(
                lambda v: v if v is None else str(v))
    return out.sort_values(list(RECORD_KEYS[table]), ignore_index=True)


def assert_same_as_truth(clean: dict[str, pd.DataFrame], truth: GroundTruth,
                         tables: list[str]) -> None:
    """The named tables read back equal the truth's, row for row and value for value."""
    expected = truth.tables()
    for table in tables:
        left, right = normalised(table, clean[table]), normalised(table, expected[table])
        pd.testing.assert_frame_equal(left, right, check_dtype=False, obj=table)


def truth_source(truth: GroundTruth) -> SourceData:
    """The truth as a plugin would hand it over: text frames with lineage, no files involved."""
    text, _ = text_tables(truth)
    frames = {}
    for name, frame in text.items():
        frame = frame.astype("string").assign(**{SOURCE_FILE: f"{name}.csv", SHEET: None})
        frames[name] = frame.assign(**{ROW: range(2, len(frame) + 2)})
    return SourceData("truth", frames)


def published_columns(fixture: str) -> dict[str, list[str]]:
    """A system's published layout, from ``tests/plugins/fixtures/<fixture>`` (a CSV of
    table_name, field_name as the public DDL or extract SQL names them): {table: [columns]}."""
    out: dict[str, list[str]] = {}
    path = Path(__file__).parent / "plugins" / "fixtures" / fixture
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["table_name"], []).append(row["field_name"])
    return out


def assert_kept_rows_read_as_whole(plugin: SourcePlugin, url: str, others: Sequence[str],
                                   monkeypatch, never_fetched: set[str]) -> None:
    """A warehouse plugin that fetches only the rows it keeps of some tables (other forms'
    answers, added to the warehouse at ``url`` by the statements ``others``) reads what it
    reads when every row is fetched: the same tables, row for row, lineage included, and the
    same failures; none of ``never_fetched`` leaves the database."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in others:
            conn.execute(sa.text(statement))
    engine.dispose()
    fetched: list = []
    grid = sql._grid
    monkeypatch.setattr(sql, "_grid", lambda columns, *rest: fetched.extend(columns) or
                        grid(columns, *rest))
    kept = plugin.read(url)
    cells = {str(cell) for column in fetched for cell in column}
    assert not cells & never_fetched
    # Every row fetched: the tables read without their ``kept`` rows.
    read = warehouse.read_table_frame
    monkeypatch.setattr(warehouse, "read_table_frame", lambda *args: read(*args[:-1]))
    whole = plugin.read(url)
    assert cells < {str(cell) for column in fetched for cell in column}
    assert kept.tables.keys() == whole.tables.keys()
    for name, frame in whole.tables.items():
        pd.testing.assert_frame_equal(kept.tables[name].reset_index(drop=True),
                                      frame.reset_index(drop=True), obj=name)
    assert kept.failures == whole.failures
    assert kept.not_used == whole.not_used
