"""Review timeliness (Care Planning, Placement and Case Review Regulations 2010), vectorised.

Review 1 of a period of care is due 20 working days after the period starts,
review 2 three months after review 1 was actually held, every later review six
months after the previous one was held. A review is on time if held on or
before its due date. Periods of agreed short breaks (LS V3/V4) follow other
rules and are left out, with the reason shown.

Reviews are counted within a *cycle*: normally the whole period of care. An
authority whose policy restarts the cycle after an unplanned placement change
gets a new cycle from that change (review 1 due 20 working days after it).
"""

import numpy as np
import pandas as pd

from iro_etl.rules.calendar import WorkingCalendar, add_months
from iro_etl.rules.frames import AUTHORITY

FIRST_REVIEW_WORKING_DAYS = 20
SECOND_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6
SHORT_BREAKS = "short breaks"
REVIEW_TYPES = np.array(["first", "second", "subsequent"], dtype=object)
#: Placement moves that follow the care plan (or change no placement): no restart.
PLANNED_MOVES = frozenset({"CARPL", "PLACE"})
_MOVES = ("P", "B", "T", "U")


def review_cycles(episodes: pd.DataFrame, periods: pd.DataFrame,
                  restart_on_unplanned_move: bool = False) -> pd.DataFrame:
    """Where review numbering starts: each period's start, plus unplanned moves if the policy says.

    ``episodes`` must carry ``period_id`` (see :func:`iro_etl.rules.periods.with_period_ids`). A move
    is unplanned when its REASON_PLACE_CHANGE is given and is not a care-plan change.
    """
    columns = [AUTHORITY, "period_id", "child_id", "period_start", "period_end", "short_breaks"]
    cycles = periods[columns].assign(cycle_start=periods["period_start"])
    if restart_on_unplanned_move:
        reason = episodes["reason_place_change"]
        moves = episodes[episodes["rne"].isin(_MOVES) & reason.notna()
                         & ~reason.isin(PLANNED_MOVES)]
        restarts = moves[["period_id", "decom"]].rename(columns={"decom": "cycle_start"})
        restarts = restarts.merge(periods[columns], on="period_id")
        cycles = pd.concat([cycles, restarts], ignore_index=True)
    cycles = cycles.sort_values(["child_id", "cycle_start"], kind="stable", ignore_index=True)
    cycles = cycles.drop_duplicates(["period_id", "cycle_start"], ignore_index=True)
    cycles["cycle_id"] = np.arange(len(cycles))
    return cycles


def assign_cycles(reviews: pd.DataFrame, cycles: pd.DataFrame) -> pd.DataFrame:
    """Reviews with the cycle (and period) they fall in; blank ids when outside every period.

    The reviews keep their own ``authority``: ids are unique across stacked authorities.
    """
    left = reviews.reset_index().sort_values("review_date", kind="stable")
    right = cycles.drop(columns=AUTHORITY).sort_values("cycle_start")
    merged = pd.merge_asof(
        left, right, left_on="review_date", right_on="cycle_start",
        by="child_id", direction="backward",
    )
    inside = merged["period_end"].isna() | (merged["review_date"] <= merged["period_end"])
    inside &= merged["cycle_id"].notna()
    for col in ("period_id", "cycle_id"):
        merged[col] = merged[col].astype("Int64").where(inside)
    merged["short_breaks"] = merged["short_breaks"].astype("boolean").where(inside)
    for col in ("period_start", "period_end", "cycle_start"):
        merged[col] = merged[col].where(inside)
    return merged.set_index("index").sort_index()


def _type(number: pd.Series) -> np.ndarray:
    return REVIEW_TYPES[np.minimum(number.to_numpy(), 3) - 1]


def next_due(cycle_start: pd.Series, held: pd.Series, last_review: pd.Series,
             calendar: WorkingCalendar) -> pd.Series:
    """Due date of the next review, given the reviews held so far and the latest one's date."""
    first = calendar.add_working_days(cycle_start, FIRST_REVIEW_WORKING_DAYS)
    second = add_months(last_review, SECOND_REVIEW_MONTHS)
    later = add_months(last_review, LATER_REVIEW_MONTHS)
    return first.where(held == 0, second.where(held == 1, later))


def review_timeliness(placed: pd.DataFrame, calendar: WorkingCalendar) -> pd.DataFrame:
    """One row per review inside a cycle (from :func:`assign_cycles`), with its due date."""
    placed = placed[placed["cycle_id"].notna()].sort_values(
        ["cycle_id", "review_date"], kind="stable")
    by_cycle = placed.groupby("cycle_id", sort=False)
    number = by_cycle.cumcount() + 1
    previous = by_cycle["review_date"].shift()
    due = next_due(placed["cycle_start"], number - 1, previous, calendar)
    late_days = (placed["review_date"] - due).dt.days
    excluded = placed["short_breaks"].astype(bool)
    out = pd.DataFrame({
        AUTHORITY: placed[AUTHORITY],
        "child_id": placed["child_id"],
        "period_id": placed["period_id"].astype("int64"),
        "cycle_id": placed["cycle_id"].astype("int64"),
        "period_start": placed["period_start"],
        "cycle_start": placed["cycle_start"],
        "review_date": placed["review_date"],
        "review_number": number.astype("int64"),
        "review_type": _type(number),
        "due_date": due.where(~excluded),
        "on_time": (late_days <= 0).astype("boolean").where(~excluded),
        "days_late": late_days.clip(lower=0).astype("Int64").where(~excluded),
        "excluded_reason": pd.Series(np.where(excluded, SHORT_BREAKS, None), index=placed.index,
                                     dtype=object),
    })
    return out.reset_index(drop=True)


def outstanding(cycles: pd.DataFrame, timeliness: pd.DataFrame, as_of: pd.Timestamp,
                calendar: WorkingCalendar) -> pd.DataFrame:
    """For periods open at ``as_of`` (short breaks aside): reviews held so far and the next due."""
    current = cycles[(cycles["cycle_start"] <= as_of)
                     & (cycles["period_end"].isna() | (cycles["period_end"] > as_of))
                     & ~cycles["short_breaks"].astype(bool)]
    current = current.drop_duplicates("period_id", keep="last")
    held = timeliness[timeliness["review_date"] <= as_of].groupby("cycle_id")["review_date"]
    counts = held.size().reindex(current["cycle_id"], fill_value=0).to_numpy()
    last = held.max().reindex(current["cycle_id"]).to_numpy()
    out = pd.DataFrame({
        AUTHORITY: current[AUTHORITY].to_numpy(),
        "child_id": current["child_id"].to_numpy(),
        "period_id": current["period_id"].to_numpy(),
        "period_start": current["period_start"].to_numpy(),
        "cycle_start": current["cycle_start"].to_numpy(),
        "reviews_held": counts.astype("int64"),
        "last_review_date": pd.to_datetime(last),
    })
    out["due_date"] = next_due(out["cycle_start"], out["reviews_held"],
                               out["last_review_date"], calendar)
    out["review_due"] = _type(out["reviews_held"] + 1)
    return out


def overdue_reviews(cycles: pd.DataFrame, timeliness: pd.DataFrame, as_of: pd.Timestamp,
                    calendar: WorkingCalendar) -> pd.DataFrame:
    """The worklist: open periods whose next review's due date has passed with none held."""
    todo = outstanding(cycles, timeliness, as_of, calendar)
    todo = todo[todo["due_date"] < as_of].copy()
    todo["as_of"] = as_of
    todo["days_overdue"] = (as_of - todo["due_date"]).dt.days.astype("int64")
    return todo.reset_index(drop=True)
