"""Reports built from the published marts (so any of them can be rebuilt without a load)."""

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from iro_etl.failures_workbook import write_failures_workbook
from iro_etl.publish import read_mart


def latest_load(engine: sa.Engine, authority: str) -> tuple[str, pd.Timestamp]:
    """The load id and as-of date of the authority's published load."""
    summary = read_mart(engine, "load_summary", authority)
    if summary.empty:
        raise LookupError(f"nothing has been published for {authority} yet")
    return str(summary["load_id"].iloc[0]), pd.Timestamp(summary["as_of"].iloc[0])


def write_latest_failures_workbook(engine: sa.Engine, authority: str, destination: Path) -> Path:
    """The workbook of the authority's published load: ``destination`` if it names an .xlsx
    file, else failures_<as-of>_<load>.xlsx inside that folder."""
    load_id, as_of = latest_load(engine, authority)
    failures = read_mart(engine, "validation_failures", authority)
    history = read_mart(engine, "failure_history", authority)
    path = (destination if destination.suffix == ".xlsx"
            else destination / f"failures_{as_of.date()}_{load_id}.xlsx")
    return write_failures_workbook(path, authority, load_id, as_of, failures, history)
