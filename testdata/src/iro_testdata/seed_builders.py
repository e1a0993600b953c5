"""Building blocks of the seed scenarios: counts placed exactly, never sampled.

A seed scenario rebuilds a published annual report as a ground truth whose marts give
back the report's figures. Its children, reviews and IRO-service tables are laid out
deterministically from the figures themselves: :func:`interleave` spreads categories by
their counts, :func:`split` and :func:`shares` divide a count by shares,
:func:`exact_share` marks an exact share of rows, :func:`review_chain`
places reviews on the statutory cycle, and the ``*_table`` builders turn those
decisions into canonical IRO tables (notifications, staff, allocations, review records,
participants, disputes). :func:`truth_from_people` assembles the ground truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from iro_etl.rules.calendar import WorkingCalendar, add_months
from iro_etl.rules.indicators import YOUNG_PERSON_ITEMS
from iro_etl.rules.timeliness import FIRST_REVIEW_WORKING_DAYS, LATER_REVIEW_MONTHS, SECOND_REVIEW_MONTHS
from iro_schemas.indicators import QUALITY_CHECKLIST

from iro_testdata.synthetic import GroundTruth


def interleave(spec: Sequence[tuple[object, int]]) -> list:
    """Values repeated by their counts, spread evenly through the list (deterministic)."""
    keys = [((k + 0.5) / n, i, value) for i, (value, n) in enumerate(spec) for k in range(n)]
    return [value for *_, value in sorted(keys, key=lambda key: key[:2])]


def exact_share(n: int, share: float) -> np.ndarray:
    """``n`` flags of which round(share x n) are true, spread evenly.

    The true share is within 0.5/n of ``share``: a published whole percent comes out of
    groups of 50 or more; the scenario tests check each figure as reproduced.
    """
    yes = round(share * n)
    return np.array(interleave(((True, yes), (False, n - yes))), dtype=bool)


def split(n: int, spec: Sequence[tuple[object, float]]) -> list[tuple[object, int]]:
    """``n`` split by the shares in ``spec`` (largest remainders): (value, count) pairs."""
    total = sum(share for _, share in spec)
    if abs(total - 1) > 1e-9:
        raise ValueError(f"shares must add up to 1, not {total}")
    raw = np.array([share for _, share in spec], dtype=float) * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    return [(value, int(c)) for (value, _), c in zip(spec, counts, strict=True)]


def shares(n: int, spec: Sequence[tuple[object, float]]) -> list:
    """``n`` values split by the shares in ``spec`` (largest remainders), spread evenly."""
    return interleave(split(n, spec))


def review_chain(start: pd.Timestamp, stop: pd.Timestamp, calendar: WorkingCalendar, *,
                 early: int, late_first: int = 0, first_after: int | None = None
                 ) -> list[pd.Timestamp]:
    """Reviews on the statutory cycle from ``start`` while the next is due by ``stop``.

    Each is held ``early`` days before it is due (never on or before the previous one), the
    first ``late_first`` working days late, or ``first_after`` days after the start.
    """
    due = calendar.add_working_days(pd.Series([start]), FIRST_REVIEW_WORKING_DAYS).iloc[0]
    held: list[pd.Timestamp] = []
    while due <= stop or (first_after is not None and not held):
        if not held and first_after is not None:
            date = start + pd.Timedelta(days=first_after)
        elif not held and late_first:
            date = calendar.add_working_days(pd.Series([due]), late_first).iloc[0]
        else:
            date = due - pd.Timedelta(days=early)
            if held and date <= held[-1]:
                date = due
        if date > stop:
            break
        held.append(date)
        months = SECOND_REVIEW_MONTHS if len(held) == 1 else LATER_REVIEW_MONTHS
        due = add_months(pd.Series([date]), months).iloc[0]
    return held


def _days(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates).astype("datetime64[us]")


@dataclass(frozen=True)
class Post:
    """One IRO's post: hours, share of them on the IRO role, team and dates in post."""

    iro_id: str
    fte: float
    iro_share: float
    team: str
    from_date: str
    to_date: str | None = None


def staff_table(posts: Sequence[Post]) -> pd.DataFrame:
    return pd.DataFrame({
        "iro_id": [p.iro_id for p in posts],
        "fte": [float(p.fte) for p in posts],
        "iro_share": [float(p.iro_share) for p in posts],
        "team": [p.team for p in posts],
        "from_date": _days(pd.Series([p.from_date for p in posts])),
        "to_date": _days(pd.Series([p.to_date for p in posts])),
    })


def notifications_table(periods: pd.DataFrame, calendar: WorkingCalendar,
                        late: Mapping[str, int]) -> pd.DataFrame:
    """The IRO manager told 1 working day after each period started; ``late`` children later.

    ``late`` maps a child to the working days past the 2-day deadline its notice came; an
    IRO is allocated the working day after the notice.
    """
    start = _days(periods["period_start"]).reset_index(drop=True)
    child = periods["child_id"].reset_index(drop=True)
    delay = np.array([2 + late[c] if c in late else 1 for c in child])
    notified = calendar.add_working_days_each(start, delay)
    allocated = calendar.add_working_days_each(notified, np.ones(len(child), dtype=int))
    return pd.DataFrame({"child_id": child, "period_start": start, "notified_date": notified,
                         "iro_allocated_date": allocated})


def allocations_table(notifications: pd.DataFrame, periods: pd.DataFrame,
                      staff: pd.DataFrame) -> pd.DataFrame:
    """One IRO per period, taken in turn in proportion to each IRO's time on the role.

    Periods are allocated in date order and an IRO takes children only while in post; the
    allocation runs from the allocation date (the period's end if that came first) to the
    period's end.
    """
    weight = (staff["fte"] * staff["iro_share"] * 10).round().astype(int).clip(lower=1)
    turns = interleave(list(zip(staff["iro_id"], weight, strict=True)))
    in_post = staff.set_index("iro_id")[["from_date", "to_date"]]
    end = _days(periods["period_end"]).reset_index(drop=True)
    allocated = _days(notifications["iro_allocated_date"]).reset_index(drop=True)
    allocated = allocated.where(end.isna() | (allocated <= end), end)
    order = np.argsort(allocated.to_numpy(), kind="stable")
    chosen = np.empty(len(allocated), dtype=object)
    turn = 0
    for i in order:
        for _ in range(len(turns)):
            iro = turns[turn % len(turns)]
            turn += 1
            first, last = in_post.loc[iro]
            if first <= allocated[i] and (pd.isna(last) or allocated[i] <= last):
                chosen[i] = iro
                break
        else:
            raise ValueError(f"no IRO in post on {allocated[i].date()}")
    return pd.DataFrame({"child_id": periods["child_id"].to_numpy(), "iro_id": chosen,
                         "from_date": allocated, "to_date": end})


@dataclass(frozen=True)
class RecordPlan:
    """What the IRO recorded about each held review, as shares placed exactly.

    ``checklist`` gives each checklist column's share answered yes (columns left out stay
    blank: not recorded); ``rag`` the share of each rating (empty: no ratings). Reports reach
    the IRO ``report_early`` working days before the review, or 1 working day before where
    ``sw_report_on_time`` says late; every ``late_every``-th recommendations and record are
    issued past their 5 and 20 working days.
    """

    checklist: Mapping[str, float]
    rag: Sequence[tuple[str, float]] = ()
    report_early: int = 5
    late_every: int = 0


def review_records_table(reviews: pd.DataFrame, calendar: WorkingCalendar, plan: RecordPlan,
                         groups: pd.Series | None = None) -> pd.DataFrame:
    """One held record per review, its checklist answers and ratings placed by ``plan``.

    Shares are exact within each of ``groups`` (e.g. the latest reviews of the children
    looked after at 31 March, and the rest) so a figure reported on a subset comes out
    exactly; young-person items apply to reviews of children aged 4+ (not PN0) only.
    """
    reviews = reviews.reset_index(drop=True)
    held = _days(reviews["review_date"])
    groups = pd.Series(0, index=reviews.index) if groups is None else groups.reset_index(drop=True)
    grown = (reviews["review_code"] != "PN0").to_numpy()
    answers = {column: pd.Series(pd.NA, index=reviews.index, dtype="boolean")
               for column in QUALITY_CHECKLIST}
    rag = pd.Series(None, index=reviews.index, dtype=object)
    for _, rows in groups.groupby(groups):
        for column, share in plan.checklist.items():
            applies = rows.index[grown[rows.index]] if column in YOUNG_PERSON_ITEMS else rows.index
            answers[column][applies] = exact_share(len(applies), share)
        if plan.rag:
            rag[rows.index] = shares(len(rows), plan.rag)
    on_time = answers["sw_report_on_time"].fillna(True).to_numpy(dtype=bool)
    before = np.where(on_time, -plan.report_early, -1)
    n = np.arange(len(reviews))
    late = (n % plan.late_every == plan.late_every - 1) if plan.late_every else np.zeros(len(n), bool)
    return pd.DataFrame({
        "child_id": reviews["child_id"], "review_date": held, "status": "held",
        "sw_report_received": calendar.add_working_days_each(held, before),
        "recommendations_issued": calendar.add_working_days_each(held, np.where(late, 7, 3)),
        "record_issued": calendar.add_working_days_each(held, np.where(late, 25, 15)),
        **answers, "rag": rag,
    })


def participants_table(reviews: pd.DataFrame, roles: Mapping[str, Sequence[tuple[str, int]]],
                       slots: Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Who took part in ``reviews``: each role's statuses by their counts, spread evenly.

    A role recorded at every review has as many statuses as reviews; one recorded at fewer
    is placed on the reviews its ``slots`` mask marks.
    """
    reviews = reviews.reset_index(drop=True)
    parts = [pd.DataFrame({"child_id": pd.Series(dtype=object),
                           "review_date": pd.Series(dtype="datetime64[us]"),
                           "role": pd.Series(dtype=object), "status": pd.Series(dtype=object)})]
    for role, spec in roles.items():
        at = slots[role] if slots and role in slots else np.ones(len(reviews), dtype=bool)
        statuses = interleave(spec)
        if len(statuses) != int(at.sum()):
            raise ValueError(f"{role}: {len(statuses)} statuses for {int(at.sum())} reviews")
        parts.append(reviews.loc[at, ["child_id", "review_date"]].assign(role=role,
                                                                          status=statuses))
    out = pd.concat(parts, ignore_index=True).assign(review_date=lambda f: _days(f["review_date"]))
    return out.sort_values(["child_id", "review_date", "role"], ignore_index=True)


def disputes_table(rows: Sequence[tuple[str, str, str, str | None]]) -> pd.DataFrame:
    """Disputes from (child, raised, stage, resolved or None) rows."""
    frame = pd.DataFrame(list(rows), columns=["child_id", "raised_date", "stage", "resolved_date"])
    return frame.assign(raised_date=_days(frame["raised_date"]),
                        resolved_date=_days(frame["resolved_date"]))


def truth_from_people(people: pd.DataFrame, start: pd.Series, end: pd.Series,
                      reviews: pd.DataFrame, iro: Mapping[str, pd.DataFrame],
                      as_of: pd.Timestamp, *, upn_first: int) -> GroundTruth:
    """A ground truth where each child has one period of care of one episode (RNE S).

    ``people`` holds child_id, sex, dob, ethnic, ls, place and rec per child (and, if
    known, pl_distance in miles); ``iro`` the IRO-service tables, by canonical name.
    """
    reviews = reviews.assign(review_date=_days(reviews["review_date"]))
    place = people["place"]
    children = pd.DataFrame({
        "child_id": people["child_id"], "sex": people["sex"], "dob": _days(people["dob"]),
        "ethnic": people["ethnic"],
        "upn": [f"A{upn_first + i}" for i in range(len(people))],
    })
    distance = people.get("pl_distance", np.nan)
    episodes = pd.DataFrame({
        "child_id": people["child_id"], "decom": _days(start), "rne": "S", "ls": people["ls"],
        "cin": "N1", "place": place,
        "place_provider": np.where(place.isin(["P1", "P2"]), None, "PR1"),
        "dec": _days(end), "rec": people["rec"],
        "reason_place_change": None, "home_post": None, "pl_post": None, "urn": None,
        "pl_distance": distance, "pl_la": None, "pl_location": None,
    })
    return GroundTruth(children, episodes, reviews, dict(iro), as_of)


def periods_of(people: pd.DataFrame, start: pd.Series, end: pd.Series) -> pd.DataFrame:
    """Each child's one period of care (start, end), as the IRO-table builders take it."""
    return pd.DataFrame({"child_id": people["child_id"], "period_start": _days(start),
                         "period_end": _days(end)})


def comparison_table(rows: Sequence[tuple[str, object, object]]) -> pd.DataFrame:
    """(measure, published, reproduced) rows as text, with whether the two are the same."""
    out = pd.DataFrame(list(rows), columns=["measure", "published", "reproduced"]).astype(
        {"published": str, "reproduced": str})
    out["same"] = np.where(out["published"] == out["reproduced"], "yes", "no")
    return out
