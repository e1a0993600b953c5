"""The yearly figures computed again, independently of iro_etl: plain loops over each child's
episodes and reviews, written from domain.md (periods of care, review timescales, NI 66),
with the ``holidays`` package for working days. Tests compare the marts with these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays
import pandas as pd

_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG", years=range(1990, 2040))
_SHORT_BREAKS = {"V3", "V4"}
_ADOPTION = {"A3", "A4", "A5", "A6"}


def working_days_after(day: date, n: int) -> date:
    """The nth working day strictly after ``day``."""
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in _BANK_HOLIDAYS:
            n -= 1
    return day


def months_after(day: date, months: int) -> date:
    """Calendar months on, clamped to the month's last day (30 Nov + 3 months = 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


@dataclass
class Period:
    child: str
    start: date
    end: date | None
    episodes: list[dict] = field(default_factory=list)
    reviews: list[date] = field(default_factory=list)

    @property
    def short_breaks(self) -> bool:
        return any(e["ls"] in _SHORT_BREAKS for e in self.episodes)

    def open_at(self, day: date) -> bool:
        """Looked after at the end of ``day`` (a child leaving that day is not)."""
        return self.start <= day and (self.end is None or self.end > day)

    def due_dates(self) -> list[date]:
        """Each held review's due date, and the next one after the last held."""
        due, out = working_days_after(self.start, 20), []
        for number, held in enumerate(sorted(self.reviews), start=1):
            out.append(due)
            due = months_after(held, 3 if number == 1 else 6)
        return [*out, due]


def _day(value) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def periods(episodes: pd.DataFrame, reviews: pd.DataFrame) -> list[Period]:
    """Periods of care: a new one at RNE S, or wherever the previous episode did not end by
    X1 on this one's start; each review belongs to the period it falls in."""
    out: list[Period] = []
    for child, rows in episodes.sort_values(["child_id", "decom"]).groupby("child_id"):
        previous = None
        for row in rows.to_dict("records"):
            start, end = _day(row["decom"]), _day(row["dec"])
            if (previous is None or row["rne"] == "S" or previous["rec"] != "X1"
                    or _day(previous["dec"]) != start):
                out.append(Period(child, start, end))
            out[-1].episodes.append(row)
            out[-1].end = end
            previous = row
    by_child: dict[str, list[Period]] = {}
    for period in out:
        by_child.setdefault(period.child, []).append(period)
    for child, day in zip(reviews["child_id"], reviews["review_date"], strict=True):
        day = _day(day)
        for period in by_child.get(child, []):
            if period.start <= day and (period.end is None or day <= period.end):
                period.reviews.append(day)
                break
    return out


def looked_after(found: list[Period], year: int) -> int:
    """Children looked after at the end of 31 March ``year``, short breaks left out."""
    day = date(year, 3, 31)
    return len({p.child for p in found if p.open_at(day) and not p.short_breaks})


def reviews_on_time(found: list[Period], year: int) -> tuple[int, int]:
    """Reviews held in the year ending 31 March ``year`` (short breaks left out): how many
    were held on or before their due date, of how many."""
    first, last = date(year - 1, 4, 1), date(year, 3, 31)
    on_time = held = 0
    for period in found:
        if period.short_breaks:
            continue
        for day, due in zip(sorted(period.reviews), period.due_dates(), strict=False):
            if first <= day <= last:
                held += 1
                on_time += day <= due
    return on_time, held


def reviewed_within_timescales(found: list[Period], year: int) -> tuple[int, int]:
    """NI 66 for the year ending 31 March ``year``: (children all of whose reviews in the year
    were on time and with none due and unheld by 31 March, cohort). The cohort: looked after
    at 31 March in a period that started 28 days or more before, not placed for adoption
    (A3-A6) and not on short breaks."""
    first, last = date(year - 1, 4, 1), date(year, 3, 31)
    cohort = numerator = 0
    for period in found:
        if not period.open_at(last) or period.short_breaks:
            continue
        if (last - period.start).days < 28:
            continue
        current = [e for e in period.episodes if _day(e["decom"]) <= last
                   and (pd.isna(e["dec"]) or _day(e["dec"]) > last)]
        if current[-1]["place"] in _ADOPTION:
            continue
        cohort += 1
        late = any(first <= day <= last and day > due for day, due in
                   zip(sorted(period.reviews), period.due_dates(), strict=False))
        # Reviews of the child's earlier periods held in the year count too.
        late |= any(first <= day <= last and day > due for other in found
                    if other.child == period.child and other is not period
                    and not other.short_breaks
                    for day, due in zip(sorted(other.reviews), other.due_dates(), strict=False))
        unheld = period.due_dates()[len([d for d in period.reviews if d <= last])] <= last
        numerator += not (late or unheld)
    return numerator, cohort
