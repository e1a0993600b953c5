"""Seed scenario: Shropshire's looked-after children and reviews, 2011/12 to 2013/14.

:func:`shropshire_2013_14` places (does not sample) children, periods of care and reviews so
that, read through the SSDA903 plugin and run through the rules, the marts give back the
figures of the Shropshire IRO annual report 2014/15 (``PUBLISHED``) for the years ending
31 March 2012, 2013 and 2014:

* reviewed within timescales: 186 of 190, 229 of 233 and 258 of 264 children (cohort:
  looked after at 31 March for 28 days or more, not placed for adoption);
* children looked after at 31 March 2013 (241) and 31 March 2014 (271).

The report gives no count at 31 March 2012 (the seed has 198: the 190 of the cohort and 8
children who started in March 2012) and its 315 is at 20 March 2015, past ``AS_OF``. Its
review checklist (child informed 88%, social worker's report 3+ days before 68%, young
person prepared 82%, contributed 95%, key people present 75%) and RAG ratings come from
the IRO's own review records, which the SSDA903 return does not hold: not reproduced here.

Every child has one period of care with one episode (RNE S). Each year's late children are
children who started care in that year and whose first review was held 4 working days late;
every other review follows the statutory cycle (20 working days, 3 months, then 6 months
from the actual date) and is held on or a few days before its due date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from iro_etl.publish import read_mart
from iro_etl.scenarios import _chain, _interleave, truth_from_people
from iro_etl.synthetic import GroundTruth
from iro_etl.workdays import WorkingCalendar

AS_OF = pd.Timestamp("2014-03-31")
YEARS = (2012, 2013, 2014)

#: The report's figures this seed reproduces.
PUBLISHED: dict[str, object] = {
    # Year ending 31 March -> (children reviewed within timescales, cohort).
    "reviewed_on_time": {2012: 186, 2013: 229, 2014: 258},
    "timeliness_cohort": {2012: 190, 2013: 233, 2014: 264},
    "timeliness_percent": {2012: 97.9, 2013: 98.3, 2014: 97.7},
    "population": {2013: 241, 2014: 271},
}
#: What the seed gives where the report prints nothing (31 March 2012).
SEED_POPULATION_2012 = 198

#: In care since before April 2011; 40 of them leave in 2012/13 and 50 in 2013/14.
_BASE = 160
_LEAVE_2013 = 40
_LEAVE_2014 = 50
#: Per year ending: children starting in the year (in the cohort at 31 March), the late
#: first reviews among them, and children starting under 28 days before 31 March.
_JOINERS = {2012: 30, 2013: 75, 2014: 73}
_LATE = {2012: 4, 2013: 4, 2014: 6}
_RECENT = {2012: 8, 2013: 8, 2014: 7}
_LS = (("C2", 9), ("C1", 4), ("V2", 7))
_PLACE = (("U4", 10), ("U5", 4), ("U1", 3), ("K2", 2), ("P1", 1))
_ETHNIC = (("WBRI", 18), ("MWBC", 1), ("WOTH", 1))
_LEAVER_REC = ("E4A", "E11", "E41", "E45", "E13", "E8")
_DAY = pd.Timedelta(days=1)


def _year_start(year: int) -> pd.Timestamp:
    return pd.Timestamp(year=year - 1, month=4, day=1)


def _year_end(year: int) -> pd.Timestamp:
    return pd.Timestamp(year=year, month=3, day=31)


def _people() -> pd.DataFrame:
    """Every child's period of care: start, end (blank if open), kind and the year it concerns."""
    rows = []
    for k in range(_BASE):
        # Started between April 2008 and February 2011.
        start = pd.Timestamp("2008-04-07") + pd.Timedelta(days=(k * 197) % 1050)
        end, rec = pd.NaT, None
        if k < _LEAVE_2013 + _LEAVE_2014:
            year = 2013 if k < _LEAVE_2013 else 2014
            end = _year_start(year) + pd.Timedelta(days=10 + (k * 37) % 340)
            rec = _LEAVER_REC[k % len(_LEAVER_REC)]
        rows.append({"kind": "base", "year": 2011, "start": start, "end": end, "rec": rec,
                     "late": False, "age": k % 10})
    for year, n in _JOINERS.items():
        first = _year_start(year) + pd.Timedelta(days=4)
        span = (_year_end(year) - pd.Timedelta(days=30) - first).days
        # The late ones are spread through the year, the last starting by mid-February so
        # that its (late) first review still falls in the year.
        late = set(range(n // 8, n, n // _LATE[year])[:_LATE[year]])
        for k in range(n):
            start = first + pd.Timedelta(days=(k * span) // n)
            rows.append({"kind": "joiner", "year": year, "start": start, "end": pd.NaT,
                         "rec": None, "late": k in late, "age": k % 14})
    for year, n in _RECENT.items():
        for k in range(n):
            start = _year_end(year) - pd.Timedelta(days=26 - 2 * k)
            rows.append({"kind": "recent", "year": year, "start": start, "end": pd.NaT,
                         "rec": None, "late": False, "age": (3 * k) % 14})
    people = pd.DataFrame(rows)
    people["child_id"] = [str(3_000_001 + i) for i in range(len(people))]
    people["dob"] = [s - pd.DateOffset(years=int(a)) - pd.Timedelta(days=20 + (i * 29) % 300)
                     for i, (s, a) in enumerate(zip(people["start"], people["age"], strict=True))]
    n = len(people)
    people["sex"] = ["1" if i % 9 < 5 else "2" for i in range(n)]
    people["ls"] = (_interleave(_LS) * (n // 20 + 1))[:n]
    people["place"] = (_interleave(_PLACE) * (n // 20 + 1))[:n]
    people["ethnic"] = (_interleave(_ETHNIC) * (n // 20 + 1))[:n]
    return people


def _reviews(people: pd.DataFrame, calendar: WorkingCalendar) -> pd.DataFrame:
    """Reviews on the statutory cycle up to each period's end (or ``AS_OF``), PN-coded."""
    rows = []
    for i, row in people.iterrows():
        stop = AS_OF if pd.isna(row["end"]) else row["end"]
        dates = _chain(row["start"], stop, calendar, early=int(i) % 5,
                       late_first=4 if row["late"] else 0)
        rows += [(row["child_id"], d) for d in dates]
    reviews = pd.DataFrame(rows, columns=["child_id", "review_date"])
    dob = reviews["child_id"].map(people.set_index("child_id")["dob"])
    aged = reviews["review_date"] >= dob + pd.DateOffset(years=4)
    reviews["review_code"] = np.where(aged, "PN1", "PN0")
    reviews["review_date"] = reviews["review_date"].astype("datetime64[us]")
    return reviews


def shropshire_2013_14(calendar: WorkingCalendar | None = None) -> GroundTruth:
    """Shropshire's looked-after children and reviews to 31 March 2014 (see ``PUBLISHED``)."""
    calendar = calendar or WorkingCalendar()
    people = _people()
    reviews = _reviews(people, calendar)
    return truth_from_people(people, people["start"], people["end"], reviews, calendar, AS_OF,
                             upn_first=810000000000)


def compare_with_published(engine: sa.Engine, authority: str) -> pd.DataFrame:
    """The seed's figures beside what the published marts of ``authority`` give."""
    population = read_mart(engine, "lac_population", authority)
    timeliness = read_mart(engine, "review_timeliness_indicator", authority).set_index(
        "year_ending")
    on_time: dict[int, int] = PUBLISHED["reviewed_on_time"]  # type: ignore[assignment]
    cohort: dict[int, int] = PUBLISHED["timeliness_cohort"]  # type: ignore[assignment]
    counts: dict[int, int] = PUBLISHED["population"]  # type: ignore[assignment]
    rows: list[tuple[str, object, object]] = []
    for year in YEARS:
        got = (f"{int(timeliness.loc[year, 'reviewed_on_time'])}/"
               f"{int(timeliness.loc[year, 'cohort'])}") if year in timeliness.index else ""
        rows.append((f"reviewed within timescales, year ending 31 March {year}",
                     f"{on_time[year]}/{cohort[year]}", got))
    for year, published in counts.items():
        rows.append((f"looked after at 31 March {year}", published,
                     int(population.loc[population["year_ending"] == year, "children"].sum())))
    out = pd.DataFrame(rows, columns=["measure", "published", "reproduced"]).astype(
        {"published": str, "reproduced": str})
    out["same"] = np.where(out["published"] == out["reproduced"], "yes", "no")
    return out
