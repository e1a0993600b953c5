"""Plain sentences from the published figures, for the annual report's sections.

Each function reads the marts' rows the report already holds and says what the year's
figure was, against the year before and any recommended range, in words a director reads
without the tables. No model writes them: the sentence shapes are fixed, only the numbers,
comparisons and years change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from iro_schemas.indicators import CASELOAD_BANDS, VIEWS_EVERY_REVIEW

if TYPE_CHECKING:
    from iro_etl.reports.annual_report import ReportData


def _label(year: int) -> str:
    return f"{year - 1}/{year % 100:02d}"


def _change(now: float, before: float | None, unit: str = "", points: bool = False) -> str:
    """', up from X' / ', down from X' / ', the same as' the year before; '' without one."""
    if before is None or pd.isna(before):
        return ""
    shown = f"{before:.1f}%" if points else f"{before:,.0f}{unit}"
    if round(now, 1) == round(before, 1):
        return f", the same as the year before ({shown})"
    return f", {'up' if now > before else 'down'} from {shown} the year before"


def _year_row(frame: pd.DataFrame, year: int) -> pd.Series | None:
    rows = frame[frame["year_ending"] == year] if len(frame) else frame
    return None if rows.empty else rows.iloc[0]


def _year_before(frame: pd.DataFrame, year: int, column: str) -> float | None:
    """``column`` in the year before ``year`` (None when there is no such row)."""
    row = _year_row(frame, year - 1)
    return None if row is None else row[column]


def population(data: ReportData) -> list[str]:
    frame = data.mart("lac_population")
    if frame.empty:
        return []
    counts = frame.groupby("year_ending")["children"].sum()
    if data.year not in counts:
        return []
    now, before = int(counts[data.year]), counts.get(data.year - 1)
    return [f"{now:,} children were looked after at 31 March {data.year}"
            f"{_change(now, before)}."]


def timeliness(data: ReportData) -> list[str]:
    frame = data.mart("review_timeliness_indicator")
    now = _year_row(frame, data.year)
    if now is None or not now["cohort"]:
        return []
    before = _year_before(frame, data.year, "percent")
    return [f"{int(now['reviewed_on_time']):,} of the {int(now['cohort']):,} children looked "
            f"after for 28 days or more at 31 March ({now['percent']:.1f}%) had every review in "
            f"{data.label} on time"
            f"{_change(now['percent'], before, points=True)}."]


def participation(data: ReportData) -> list[str]:
    frame = data.mart("participation_indicator")
    if frame.empty:
        return []
    views = frame[frame["measure"] == VIEWS_EVERY_REVIEW]
    now = _year_row(views, data.year)
    if now is None or not now["denominator"]:
        return []
    before = _year_before(views, data.year, "percent")
    return [f"{now['percent']:.1f}% of the children counted ({int(now['numerator']):,} of "
            f"{int(now['denominator']):,}) communicated their views for every review in "
            f"{data.label}"
            f"{_change(now['percent'], before, points=True)}."]


def workforce(data: ReportData) -> list[str]:
    frame = data.mart("iro_workforce")
    now = _year_row(frame, data.year)
    if now is None or pd.isna(now["average_caseload"]):
        return []
    low, high = int(now["recommended_min"]), int(now["recommended_max"])
    where = now["caseload_band"] if now["caseload_band"] in CASELOAD_BANDS else "against"
    before = _year_before(frame, data.year, "average_caseload")
    return [f"{int(now['iros_in_post'])} IROs ({now['iro_fte']:.1f} FTE on the IRO role) had "
            f"on average {now['average_caseload']:.1f} children each at 31 March {data.year}"
            f"{_change(now['average_caseload'], before)}"
            f", {where} the IRO Handbook's {low}-{high}."]


def disputes(data: ReportData) -> list[str]:
    frame = data.mart("disputes_by_stage")
    if frame.empty:
        return []
    raised = frame.groupby("year_ending")["raised"].sum()
    resolved = frame.groupby("year_ending")["resolved"].sum()
    if data.year not in raised:
        return []
    now = int(raised[data.year])
    return [f"IROs took {now:,} dispute resolution step{'s' if now != 1 else ''} in "
            f"{data.label}{_change(now, raised.get(data.year - 1))}; "
            f"{int(resolved[data.year]):,} were resolved in the year."]
