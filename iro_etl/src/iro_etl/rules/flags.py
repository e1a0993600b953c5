"""Daily flags for the IRO manager: one mart per kind of case to chase, one row per case.

Every function takes the clean canonical tables (and the rules' periods,
cycles and review timeliness where it needs them), the run date ``as_of`` and
the authority's working calendar, and returns its mart with the authority's own
``child_id``: the caller pseudonymises it, as for the other marts. Tables of
several authorities stacked give every authority's rows at once. Thresholds
are keyword arguments defaulting to ``domain.md`` (the statutory guidance and
the IRO Handbook), so an authority's settings can override them.

Flags describe what was known on ``as_of``: a date after it (a report
received, a record issued) counts as not there yet, and something missing is
only flagged once its due date has passed. Working days follow the domain's
convention: "N working days after D" is the Nth working day strictly after D;
an event on a weekend or holiday counts as happening on the next working day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from iro_schemas.codes import REVIEW_HELD

from iro_etl.config import DEFAULT_THRESHOLDS as _D
from iro_etl.config import Thresholds
from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.rules.frames import AUTHORITY, age_at, as_mart, lookup, table
from iro_etl.rules.timeliness import outstanding

#: Participation codes of a child who did not attend (PN7: and whose views were not conveyed).
_DID_NOT_ATTEND = ("PN5", "PN6")
_VIEWS_NOT_CONVEYED = "PN7"
_UNDER_FOUR = "PN0"


# --- shared look-ups ----------------------------------------------------------------------------

def _known_by(dates: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """Dates as known on ``as_of``: anything later had not happened yet."""
    return dates.where(dates <= as_of)


def _held_reviews(clean: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> pd.DataFrame:
    """The IRO's records of reviews held by ``as_of`` that the 903 also has."""
    records = table(clean, "review_records")
    records = records[records["status"].isin(REVIEW_HELD) & (records["review_date"] <= as_of)]
    reviews = table(clean, "reviews")[["child_id", "review_date"]].drop_duplicates()
    return records.merge(reviews, on=["child_id", "review_date"], how="inner")


def _open_periods(periods: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Periods open at the end of ``as_of``, short breaks aside (as in the population)."""
    open_ = (periods["period_start"] <= as_of) & (
        periods["period_end"].isna() | (periods["period_end"] > as_of))
    return periods[open_ & ~periods["short_breaks"].astype(bool)]


def _allocated_at(clean: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> pd.DataFrame:
    """child_id -> iro_id of the allocation covering ``as_of`` (the latest, should two overlap)."""
    alloc = table(clean, "iro_allocations")
    covers = (alloc["from_date"] <= as_of) & (alloc["to_date"].isna() | (alloc["to_date"] >= as_of))
    alloc = alloc[covers].sort_values(["child_id", "from_date"], kind="stable")
    return alloc.drop_duplicates("child_id", keep="last")[["child_id", "iro_id"]]


def _staff_at(clean: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> pd.DataFrame:
    """Per IRO: the latest spell started by ``as_of``, and whether it still runs on ``as_of``."""
    staff = table(clean, "iro_staff")
    staff = staff[staff["from_date"] <= as_of].sort_values(["iro_id", "from_date"], kind="stable")
    staff = staff.drop_duplicates("iro_id", keep="last")
    in_post = staff["to_date"].isna() | (staff["to_date"] >= as_of)
    return staff[[AUTHORITY, "iro_id", "team", "fte", "iro_share"]].assign(
        in_post=in_post.to_numpy())


# --- the marts ----------------------------------------------------------------------------------

def late_notifications(clean: dict[str, pd.DataFrame], periods: pd.DataFrame,
                       timeliness: pd.DataFrame, as_of: pd.Timestamp, calendar: WorkingCalendar,
                       *, notify_working_days: int = _D.notify_working_days) -> pd.DataFrame:
    """Periods of care notified to the IRO manager late, or not at all by ``as_of``.

    A period with no notification row counts as never notified, but only from the
    first period the authority's notifications table covers: older periods predate the
    records.
    Each row carries the period's first review and whether it was on time, since a
    late notification is the usual cause of a late first review.
    """
    notes = table(clean, "notifications")
    if notes.empty:
        return as_mart("late_notifications", pd.DataFrame())
    since = lookup(periods[AUTHORITY], notes.groupby(AUTHORITY)["period_start"].min())
    known = periods[(periods["period_start"] <= as_of) & (periods["period_start"] >= since)]
    notes = notes.drop_duplicates(["child_id", "period_start"])[
        ["child_id", "period_start", "notified_date"]]
    rows = known.merge(notes, on=["child_id", "period_start"], how="left")
    notified = _known_by(rows["notified_date"], as_of)
    due = calendar.add_working_days(rows["period_start"], notify_working_days)
    late = (notified > due).to_numpy()
    never = (notified.isna() & (due < as_of)).to_numpy()

    first = timeliness[(timeliness["review_number"] == 1)
                       & (timeliness["cycle_start"] == timeliness["period_start"])
                       & (timeliness["review_date"] <= as_of)]
    first = first.drop_duplicates("period_id").set_index("period_id")
    out = pd.DataFrame({
        AUTHORITY: rows[AUTHORITY],
        "child_id": rows["child_id"],
        "as_of": as_of,
        "period_start": rows["period_start"],
        "short_breaks": rows["short_breaks"].astype(bool),
        "notified_date": notified,
        "due_date": due,
        "working_days_late": calendar.working_days_late(due, notified),
        "reason": np.where(late, "late", "never notified"),
        "first_review_date": lookup(rows["period_id"], first["review_date"]),
        "first_review_on_time": lookup(rows["period_id"], first["on_time"]).astype("boolean"),
    })[late | never]
    return as_mart("late_notifications", out.sort_values(["period_start", "child_id"]))


def social_worker_reports(clean: dict[str, pd.DataFrame], as_of: pd.Timestamp,
                          calendar: WorkingCalendar, *,
                          sw_report_working_days: int = _D.sw_report_working_days) -> pd.DataFrame:
    """Held reviews whose social worker's report was missing or came under 3 working days before.

    The 3rd working day strictly before the review is the last day on time; a report
    still missing on ``as_of`` is missing, whenever the review was.
    """
    held = _held_reviews(clean, as_of)
    received = _known_by(held["sw_report_received"], as_of)
    due = calendar.add_working_days(held["review_date"], -sw_report_working_days)
    missing = received.isna().to_numpy()
    late = (received > due).to_numpy()
    out = pd.DataFrame({
        AUTHORITY: held[AUTHORITY],
        "child_id": held["child_id"],
        "as_of": as_of,
        "review_date": held["review_date"],
        "status": held["status"],
        "sw_report_received": received,
        "due_date": due,
        "working_days_before": calendar.working_days_before(received, held["review_date"]),
        "reason": np.where(missing, "missing", "late"),
    })[missing | late]
    return as_mart("social_worker_reports", out.sort_values(["review_date", "child_id"]))


def record_timeliness(clean: dict[str, pd.DataFrame], as_of: pd.Timestamp,
                      calendar: WorkingCalendar, *,
                      recommendations_working_days: int = _D.recommendations_working_days,
                      record_working_days: int = _D.record_working_days) -> pd.DataFrame:
    """Held reviews whose recommendations (5 working days) or record (20) came late or not yet.

    One row per review and late document, so each row has one due date and one
    reason, and counting by ``document`` gives each measure directly. A document
    not issued is only flagged once its due date has passed.
    """
    held = _held_reviews(clean, as_of)
    parts = []
    for document, column, working_days in (
        ("recommendations", "recommendations_issued", recommendations_working_days),
        ("record", "record_issued", record_working_days),
    ):
        issued = _known_by(held[column], as_of)
        due = calendar.add_working_days(held["review_date"], working_days)
        late = (issued > due).to_numpy()
        not_issued = (issued.isna() & (due < as_of)).to_numpy()
        # Outstanding documents are as late as they are on the run date.
        upto = issued.fillna(as_of).astype(due.dtype)
        parts.append(pd.DataFrame({
            AUTHORITY: held[AUTHORITY],
            "child_id": held["child_id"],
            "as_of": as_of,
            "review_date": held["review_date"],
            "document": document,
            "due_date": due,
            "issued_date": issued,
            "working_days_late": calendar.working_days_late(due, upto),
            "reason": np.where(late, "late", "not issued"),
        })[late | not_issued])
    out = pd.concat(parts, ignore_index=True)
    return as_mart("record_timeliness",
                    out.sort_values(["review_date", "child_id", "document"], kind="stable"))


def review_worklist(clean: dict[str, pd.DataFrame], cycles: pd.DataFrame,
                    timeliness: pd.DataFrame, as_of: pd.Timestamp, calendar: WorkingCalendar,
                    *, due_soon_days: int = _D.due_soon_days) -> pd.DataFrame:
    """Reviews overdue on ``as_of`` or due within the next days, with the allocated IRO and team.

    Overdue follows the ``overdue_reviews`` mart (open periods, short breaks aside,
    whose next review's due date has passed); due soon is due between today and
    ``due_soon_days`` calendar days ahead, both included.
    """
    todo = outstanding(cycles, timeliness, as_of, calendar)
    days = (todo["due_date"] - as_of).dt.days
    overdue = days < 0
    todo = todo.assign(status=np.where(overdue, "overdue", "due soon"),
                       days_until_due=days)[overdue | (days <= due_soon_days)]
    iro = _allocated_at(clean, as_of).set_index("child_id")["iro_id"]
    team = _staff_at(clean, as_of).set_index("iro_id")["team"]
    todo = todo.assign(as_of=as_of, iro_id=todo["child_id"].map(iro))
    todo["team"] = todo["iro_id"].map(team)
    return as_mart("review_worklist", todo.sort_values(["due_date", "child_id"], kind="stable"))


def participation_gaps(clean: dict[str, pd.DataFrame], as_of: pd.Timestamp, *,
                       participation_min_age: int = _D.participation_min_age) -> pd.DataFrame:
    """Reviews of children aged 4+ that they did not attend, or where their views were not conveyed.

    PN7 (did not attend, views not conveyed) is the gap the C63 participation
    indicator counts; PN5 and PN6 (did not attend, views conveyed another way) are
    listed too, and so are reviews with no code, or PN0 although the child is 4+.
    """
    reviews = table(clean, "reviews")
    reviews = reviews[reviews["review_date"] <= as_of]
    code = reviews["review_code"]
    unrecorded = code.isna() | (code == _UNDER_FOUR)
    reason = np.select(
        [unrecorded.to_numpy(), (code == _VIEWS_NOT_CONVEYED).fillna(False).to_numpy(),
         code.isin(_DID_NOT_ATTEND).to_numpy()],
        ["not recorded", "views not conveyed", "did not attend"], default="")
    # Ages only of the reviews that would be a gap: most reviews are not.
    maybe = reason != ""
    reviews, reason = reviews[maybe], reason[maybe]
    dob = table(clean, "children").drop_duplicates("child_id").set_index("child_id")["dob"]
    age = age_at(lookup(reviews["child_id"], dob), reviews["review_date"])
    out = pd.DataFrame({
        AUTHORITY: reviews[AUTHORITY],
        "child_id": reviews["child_id"],
        "as_of": as_of,
        "review_date": reviews["review_date"],
        "age_at_review": age,
        "review_code": reviews["review_code"],
        "reason": reason,
    })[(age >= participation_min_age).to_numpy()]
    return as_mart("participation_gaps", out.sort_values(["review_date", "child_id"]))


def iro_caseloads(clean: dict[str, pd.DataFrame], periods: pd.DataFrame, as_of: pd.Timestamp, *,
                  caseload_low: float = _D.caseload_low,
                  caseload_high: float = _D.caseload_high) -> pd.DataFrame:
    """Per IRO on ``as_of``: looked-after children allocated and caseload per FTE on the IRO role.

    Children count once, with the allocation covering ``as_of``; those looked after
    with no IRO allocated make a row of their own (blank ``iro_id``), so the
    ``children`` column sums to everyone looked after. Every IRO in post is listed,
    with or without children, and so is any IRO no longer in post who still holds some.
    Empty for an authority whose system exports no IRO staff or allocations at all.
    """
    # The system exports no IRO records (903 only): caseloads are unknown, not all unallocated.
    recorded = pd.concat([table(clean, name)[AUTHORITY]
                          for name in ("iro_staff", "iro_allocations")]).unique()
    looked_after = _open_periods(periods, as_of)
    looked_after = looked_after[looked_after[AUTHORITY].isin(recorded)]
    kids = looked_after[[AUTHORITY, "child_id"]].drop_duplicates("child_id")
    kids = kids.merge(_allocated_at(clean, as_of), on="child_id", how="left")
    counts = kids.groupby([AUTHORITY, "iro_id"], dropna=False).size().rename("children")
    staff = _staff_at(clean, as_of)
    keys = [AUTHORITY, "iro_id"]
    rows = staff.loc[staff["in_post"], keys].merge(counts.reset_index(), on=keys, how="outer")
    rows = rows.merge(staff, on=keys, how="left")
    in_post = rows["in_post"].fillna(False).astype(bool)
    fte = rows["fte"].where(in_post)
    # A blank share is taken as the whole post: systems that do not split the role record none.
    iro_fte = fte * rows["iro_share"].fillna(1.0)
    children = rows["children"].fillna(0).astype("int64")
    caseload = (children / iro_fte.where(iro_fte > 0)).round(1)
    band = np.select([caseload > caseload_high, caseload < caseload_low, caseload.notna()],
                     ["above", "below", "within"], default=None)
    out = pd.DataFrame({
        AUTHORITY: rows[AUTHORITY],
        "as_of": as_of,
        "iro_id": rows["iro_id"],
        "team": rows["team"],
        "children": children,
        "fte": fte,
        "iro_share": rows["iro_share"],
        "iro_fte": iro_fte,
        "caseload_per_fte": caseload,
        "band": band,
    })
    return as_mart("iro_caseloads", out.sort_values("iro_id", na_position="last"))


def iro_changes(clean: dict[str, pd.DataFrame], periods: pd.DataFrame, as_of: pd.Timestamp, *,
                max_iro_changes: int = _D.max_iro_changes) -> pd.DataFrame:
    """Per child and period of care started by ``as_of``: IRO allocations and changes of IRO.

    An allocation belongs to every period it overlaps. A change is an allocation
    whose IRO differs from the previous one's in the period (re-recording the same
    IRO is not a change), so with clean data it is allocations minus 1. Periods
    with more changes than ``max_iro_changes`` are flagged. Empty for an authority whose
    system exports no allocations at all.
    """
    alloc = table(clean, "iro_allocations")
    # No allocations exported (903 only): changes of IRO are unknown, not zero.
    known = periods[(periods["period_start"] <= as_of)
                    & periods[AUTHORITY].isin(alloc[AUTHORITY].unique())]
    alloc = alloc[alloc["from_date"] <= as_of][["child_id", "iro_id", "from_date", "to_date"]]
    pairs = known[["period_id", "child_id", "period_start", "period_end"]].merge(
        alloc, on="child_id")
    overlaps = (pairs["from_date"] <= pairs["period_end"].fillna(as_of)) & (
        pairs["to_date"].isna() | (pairs["to_date"] >= pairs["period_start"]))
    pairs = pairs[overlaps].sort_values(["period_id", "from_date"], kind="stable")
    iro = pd.Series(pd.factorize(pairs["iro_id"])[0], index=pairs.index)
    previous = iro.groupby(pairs["period_id"]).shift()
    pairs = pairs.assign(iro=iro, changed=previous.notna() & (iro != previous))
    by_period = pairs.groupby("period_id")
    ids = known["period_id"]
    changes = by_period["changed"].sum().reindex(ids, fill_value=0).to_numpy()
    out = pd.DataFrame({
        AUTHORITY: known[AUTHORITY].to_numpy(),
        "child_id": known["child_id"].to_numpy(),
        "as_of": as_of,
        "period_start": known["period_start"].to_numpy(),
        "period_end": known["period_end"].to_numpy(),
        "allocations": by_period.size().reindex(ids, fill_value=0).to_numpy(),
        "iros": by_period["iro"].nunique().reindex(ids, fill_value=0).to_numpy(),
        "changes": changes,
        "flagged": changes > max_iro_changes,
    })
    return as_mart("iro_changes", out.sort_values(["child_id", "period_start"], kind="stable"))


def flag_marts(clean: dict[str, pd.DataFrame], periods: pd.DataFrame, cycles: pd.DataFrame,
               timeliness: pd.DataFrame, as_of: pd.Timestamp, calendar: WorkingCalendar,
               thresholds: Thresholds = _D) -> dict[str, pd.DataFrame]:
    """Every flag mart, by name (with the authority's own ``child_id``)."""
    t = thresholds
    return {
        "late_notifications": late_notifications(
            clean, periods, timeliness, as_of, calendar, notify_working_days=t.notify_working_days),
        "social_worker_reports": social_worker_reports(
            clean, as_of, calendar, sw_report_working_days=t.sw_report_working_days),
        "record_timeliness": record_timeliness(
            clean, as_of, calendar, recommendations_working_days=t.recommendations_working_days,
            record_working_days=t.record_working_days),
        "review_worklist": review_worklist(
            clean, cycles, timeliness, as_of, calendar, due_soon_days=t.due_soon_days),
        "participation_gaps": participation_gaps(
            clean, as_of, participation_min_age=t.participation_min_age),
        "iro_caseloads": iro_caseloads(
            clean, periods, as_of, caseload_low=t.caseload_low, caseload_high=t.caseload_high),
        "iro_changes": iro_changes(clean, periods, as_of, max_iro_changes=t.max_iro_changes),
    }
