"""Reports built from the published marts (so any of them can be rebuilt without a load)."""

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from iro_etl.marts.publish import latest_load, read_mart
from iro_etl.reports.annual_report import read_report_data, write_report
from iro_etl.reports.failures_workbook import write_failures_workbook


def write_latest_failures_workbook(engine: sa.Engine, authority: str, destination: Path) -> Path:
    """The workbook of the authority's published load: ``destination`` if it names an .xlsx
    file, else failures_<as-of>_<load>.xlsx inside that folder."""
    load_id, as_of = latest_load(engine, authority)
    failures = read_mart(engine, "validation_failures", authority)
    history = read_mart(engine, "failure_history", authority)
    path = (destination if destination.suffix == ".xlsx"
            else destination / f"failures_{as_of.date()}_{load_id}.xlsx")
    return write_failures_workbook(path, authority, load_id, as_of, failures, history)


def latest_year(as_of: pd.Timestamp) -> int:
    """The last year ending 31 March on or before ``as_of``."""
    return as_of.year if (as_of.month, as_of.day) >= (3, 31) else as_of.year - 1


def write_latest_annual_report(engine: sa.Engine, authority: str, folder: Path) -> Path:
    """annual_report_<year>.xlsx (and its PDF) for the last complete year of the authority's
    published marts (a held load's summary is newer than they are: the authorities mart is
    not).

    Written only when what it shows changed: a closed year's figures rarely move, and a
    report costs a second or so. The one on disk then names the load that first gave its
    figures. Its digest is kept beside it in a hidden file, removed while it is rewritten.
    """
    published = read_mart(engine, "authorities", authority)
    if published.empty:
        raise LookupError(f"no marts have been published for {authority} yet")
    as_of = pd.Timestamp(published["as_of"].iloc[0])
    year = latest_year(as_of)
    data = read_report_data(engine, authority, year)
    path = folder / f"annual_report_{year}.xlsx"
    record = folder / f".annual_report_{year}.digest"
    digest = data.figures_digest()
    if (path.exists() and path.with_suffix(".pdf").exists() and record.exists()
            and record.read_text(encoding="utf-8") == digest):
        return path
    record.unlink(missing_ok=True)
    write_report(data, path)
    record.write_text(digest, encoding="utf-8")
    return path
