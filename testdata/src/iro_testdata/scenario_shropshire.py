"""Seed scenario: Shropshire's looked-after children and reviews, 2011/12 to 2013/14.

:func:`shropshire_2013_14` places (does not sample) children, periods of care, reviews and
the IRO service's own records so that, read through a real plugin (the generic CSV
mapping) and run through the rules, the marts give back the figures of the Shropshire IRO
annual report 2014/15 (``PUBLISHED``) for the years ending 31 March 2012, 2013 and 2014:

* reviewed within timescales: 186 of 190, 229 of 233 and 258 of 264 children (cohort:
  looked after at 31 March for 28 days or more, not placed for adoption);
* children looked after at 31 March 2013 (241) and 31 March 2014 (271); of the 271, 37%
  under section 20, 68 fostered by relatives or friends and 31 "placed at a distance"
  (domain.md: more than 20 miles away);
* the review checklist "as at 31 March 2014" over each looked-after child's latest review
  (child informed 88%, social worker's report 3+ working days before 68%, young person
  prepared 82%, contributed 95%, key people present 75%), the same shares over all the
  year's reviews, and the RAG ratings (90% green, just under 10% amber, 1% red) of the
  year to 31 March 2014 (the report says "at the end of 2014", past the data's end);
* the IROs' 6.6 FTE plus the IRO added for 2013/14.

The report gives no count at 31 March 2012 (the seed has 198: the 190 of the cohort and 8
children who started in March 2012) and its 315 is at 20 March 2015, past ``AS_OF``. Its
caseloads of up to 100 count child protection cases too, which are outside our tables, and
its disputes are described but not counted: the seed's few are illustrative.

Every child has one period of care with one episode (RNE S). Each year's late children are
children who started care in that year and whose first review was held 4 working days late;
every other review follows the statutory cycle (20 working days, 3 months, then 6 months
from the actual date) and is held on or a few days before its due date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa
from iro_etl.marts.publish import read_mart
from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.rules.indicators import year_of
from iro_schemas.indicators import BASIS_LATEST, BASIS_YEAR, QUALITY_CHECKLIST, SW_REPORT_BY_DATES

from iro_testdata.seed_builders import (
    Post,
    RecordPlan,
    allocations_table,
    comparison_table,
    disputes_table,
    exact_share,
    interleave,
    notifications_table,
    participants_table,
    periods_of,
    review_chain,
    review_records_table,
    shares,
    split,
    staff_table,
    truth_from_people,
)
from iro_testdata.synthetic import GroundTruth

AS_OF = pd.Timestamp("2014-03-31")
YEARS = (2012, 2013, 2014)

#: The report's figures this seed reproduces.
PUBLISHED: dict[str, object] = {
    # Year ending 31 March -> (children reviewed within timescales, cohort).
    "reviewed_on_time": {2012: 186, 2013: 229, 2014: 258},
    "timeliness_cohort": {2012: 190, 2013: 233, 2014: 264},
    "timeliness_percent": {2012: 97.9, 2013: 98.3, 2014: 97.7},
    "population": {2013: 241, 2014: 271},
    # Of the 271 at 31 March 2014 (the snapshot "as at 1st April 2014").
    "section_20_percent": 37,
    "foster_relative_or_friend": 68,
    "placed_at_distance": 31,
    # LAC reviews as at 31 March 2014: % of each looked-after child's latest review.
    "checklist_percent": {"child_informed": 88, "sw_report_on_time": 68, "child_prepared": 82,
                          "child_views_available": 95, "key_people_present": 75},
    # RAG ratings of the reviews completed (the year to 31 March 2014).
    "rag_percent": {"green": 90, "amber": 9, "red": 1},
    # 6.6 FTE IROs, plus one for 2013/14.
    "fte": 7.6,
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
#: Placed away from home: more than 20 miles, or within it.
_FAR, _NEAR = 35.0, 6.0
#: Each IRO's (id, FTE, share on the IRO role, first day, last day): all but one also chair
#: child protection conferences; IRO8 is the post added for 2013/14.
_POSTS = (("IRO1", 1.0, 1.0, None), *((f"IRO{k}", 1.0, 0.5, None) for k in range(2, 7)),
          ("IRO7", 0.6, 0.5, None), ("IRO8", 1.0, 0.5, "2013-04-01"))
_RECORDS = RecordPlan(checklist={column: share / 100 for column, share in
                                 PUBLISHED["checklist_percent"].items()},  # type: ignore[attr-defined]
                      rag=tuple((rag, share / 100) for rag, share in
                                PUBLISHED["rag_percent"].items()),  # type: ignore[attr-defined]
                      late_every=9)
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
    people["ls"] = (interleave(_LS) * (n // 20 + 1))[:n]
    people["place"] = (interleave(_PLACE) * (n // 20 + 1))[:n]
    people["ethnic"] = (interleave(_ETHNIC) * (n // 20 + 1))[:n]
    people["pl_distance"] = _NEAR
    return _snapshot(people)


def _snapshot(people: pd.DataFrame) -> pd.DataFrame:
    """Legal status, placement and distance of the children still looked after on 31 March 2014."""
    still = people.index[people["end"].isna()]
    k = len(still)
    s20 = round(k * PUBLISHED["section_20_percent"] / 100)  # type: ignore[operator]
    relatives = PUBLISHED["foster_relative_or_friend"]
    rest = k - relatives  # type: ignore[operator]
    people.loc[still, "ls"] = shares(k, (("V2", s20 / k), ("C2", (k - s20) * 9 / 13 / k),
                                         ("C1", (k - s20) * 4 / 13 / k)))
    others = (("U4", 10), ("U5", 4), ("K2", 2), ("P1", 1))
    weight = sum(w for _, w in others)
    people.loc[still, "place"] = interleave((("U1", relatives), *split(
        rest, [(code, w / weight) for code, w in others])))
    far = exact_share(k, PUBLISHED["placed_at_distance"] / k)  # type: ignore[operator]
    people.loc[still, "pl_distance"] = np.where(far, _FAR, _NEAR)
    return people


def _reviews(people: pd.DataFrame, calendar: WorkingCalendar) -> pd.DataFrame:
    """Reviews on the statutory cycle up to each period's end (or ``AS_OF``), PN-coded."""
    rows = []
    for i, row in people.iterrows():
        stop = AS_OF if pd.isna(row["end"]) else row["end"]
        dates = review_chain(row["start"], stop, calendar, early=int(i) % 5,
                       late_first=4 if row["late"] else 0)
        rows += [(row["child_id"], d) for d in dates]
    reviews = pd.DataFrame(rows, columns=["child_id", "review_date"])
    dob = reviews["child_id"].map(people.set_index("child_id")["dob"])
    aged = reviews["review_date"] >= dob + pd.DateOffset(years=4)
    reviews["review_code"] = np.where(aged, "PN1", "PN0")
    reviews["review_date"] = reviews["review_date"].astype("datetime64[us]")
    return reviews


def _iro_service(people: pd.DataFrame, reviews: pd.DataFrame,
                 calendar: WorkingCalendar) -> dict[str, pd.DataFrame]:
    """IROs, notifications (all on time), allocations, review records and a few disputes.

    The checklist and RAG shares are placed exactly within each year, separately for the
    latest review of each child looked after at 31 March 2014 (the report's basis) and the
    other reviews. Parents' participation is not reported, so none is recorded.
    """
    periods = periods_of(people, people["start"], people["end"])
    staff = staff_table([Post(iro, fte, share, "Independent Review Unit", first or "2004-04-01")
                         for iro, fte, share, first in _POSTS])
    notices = notifications_table(periods, calendar, {})
    year = year_of(reviews["review_date"]).to_numpy()
    still = people.loc[people["end"].isna(), "child_id"]
    last = reviews[(year == AS_OF.year) & reviews["child_id"].isin(still).to_numpy()]
    last = last.sort_values("review_date", kind="stable").drop_duplicates("child_id", keep="last")
    groups = pd.Series(year * 2 + reviews.index.isin(last.index), index=reviews.index)
    ids = people.loc[people["kind"] == "base", "child_id"].to_numpy()
    disputes = disputes_table([
        *((ids[70 + 11 * k], f"2013-{4 + k:02d}-15", "informal", f"2013-{5 + k:02d}-10")
          for k in range(6)),
        (ids[140], "2013-10-08", "stage 1", "2013-11-19"),
        (ids[151], "2014-02-11", "stage 1", "2014-03-20"),
    ])
    return {
        "notifications": notices, "iro_staff": staff,
        "iro_allocations": allocations_table(notices, periods, staff),
        "review_records": review_records_table(reviews, calendar, _RECORDS, groups),
        "review_participants": participants_table(reviews.iloc[:0], {}),
        "disputes": disputes,
    }


def shropshire_2013_14(calendar: WorkingCalendar | None = None) -> GroundTruth:
    """Shropshire's looked-after children and reviews to 31 March 2014 (see ``PUBLISHED``)."""
    calendar = calendar or WorkingCalendar()
    people = _people()
    reviews = _reviews(people, calendar)
    return truth_from_people(people, people["start"], people["end"], reviews,
                             _iro_service(people, reviews, calendar), AS_OF,
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
    return comparison_table(rows + _snapshot_rows(engine, authority)
                            + _service_rows(engine, authority))


def _snapshot_rows(engine: sa.Engine, authority: str) -> list[tuple[str, object, object]]:
    """The 31 March 2014 snapshot: section 20 share, relatives and friends, placed at a distance."""
    population = read_mart(engine, "lac_population", authority)
    population = population[population["year_ending"] == AS_OF.year]
    breakdowns = read_mart(engine, "population_breakdowns", authority)
    distance = breakdowns[(breakdowns["year_ending"] == AS_OF.year)
                          & (breakdowns["breakdown"] == "placement distance")].set_index("category")
    legal = population.groupby("legal_status_group")["children"].sum()
    placed = population.groupby("placement_group")["children"].sum()
    return [
        ("looked after under section 20 at 31 March 2014 %", PUBLISHED["section_20_percent"],
         round(100 * legal.get("section 20", 0) / legal.sum())),
        ("fostered by relatives or friends at 31 March 2014",
         PUBLISHED["foster_relative_or_friend"], int(placed.get("foster with relative or friend", 0))),
        ("placed more than 20 miles away at 31 March 2014", PUBLISHED["placed_at_distance"],
         int(distance.loc["over 20 miles", "children"])),
    ]


def _service_rows(engine: sa.Engine, authority: str) -> list[tuple[str, object, object]]:
    """The review checklist and RAG ratings for 2013/14, and the IROs' FTE at 31 March 2014."""
    quality = read_mart(engine, "review_quality", authority)
    quality = quality[quality["year_ending"] == AS_OF.year].set_index(["basis", "measure"])
    rag = read_mart(engine, "rag_distribution", authority)
    rag = rag[(rag["year_ending"] == AS_OF.year) & (rag["basis"] == BASIS_YEAR)].set_index("rag")
    workforce = read_mart(engine, "iro_workforce", authority).set_index("year_ending")
    checklist: dict[str, int] = PUBLISHED["checklist_percent"]  # type: ignore[assignment]
    rows: list[tuple[str, object, object]] = [
        (f"{QUALITY_CHECKLIST[column]} %", published,
         round(float(quality.loc[(BASIS_LATEST, QUALITY_CHECKLIST[column]), "percent"])))
        for column, published in checklist.items()]
    rows.append((f"{SW_REPORT_BY_DATES} %", checklist["sw_report_on_time"],
                 round(float(quality.loc[(BASIS_LATEST, SW_REPORT_BY_DATES), "percent"]))))
    rag_percent: dict[str, int] = PUBLISHED["rag_percent"]  # type: ignore[assignment]
    rows += [(f"reviews rated {colour} %", published, round(float(rag.loc[colour, "percent"])))
             for colour, published in rag_percent.items()]
    rows.append(("IRO FTE at 31 March 2014", PUBLISHED["fte"],
                 round(float(workforce.loc[AS_OF.year, "fte"]), 1)))
    return rows
