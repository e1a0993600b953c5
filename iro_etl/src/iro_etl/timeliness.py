"""Review timeliness (Care Planning, Placement and Case Review Regulations 2010), vectorised.

Review 1 of a period of care is due 20 working days after the period starts,
review 2 three months after review 1 was actually held, every later review six
months after the previous one was held. A review is on time if held on or
before its due date. Periods of agreed short breaks (LS V3/V4) follow other
rules and are left out, with the reason shown.
"""

import numpy as np
import pandas as pd

from iro_etl.workdays import WorkingCalendar, add_months

FIRST_REVIEW_WORKING_DAYS = 20
SECOND_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6
SHORT_BREAKS = "short breaks"
REVIEW_TYPES = np.array(["first", "second", "subsequent"], dtype=object)


def assign_periods(reviews: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Reviews with the ``period_id`` they fall in (blank when outside every period of care)."""
    left = reviews.reset_index().sort_values("review_date", kind="stable")
    right = periods[["child_id", "period_id", "period_start", "period_end", "short_breaks"]]
    merged = pd.merge_asof(
        left, right.sort_values("period_start"), left_on="review_date", right_on="period_start",
        by="child_id", direction="backward",
    )
    inside = merged["period_end"].isna() | (merged["review_date"] <= merged["period_end"])
    merged["period_id"] = merged["period_id"].astype("Int64").where(inside)
    merged["short_breaks"] = merged["short_breaks"].astype("boolean").where(inside)
    for col in ("period_start", "period_end"):
        merged[col] = merged[col].where(inside)
    return merged.set_index("index").sort_index()


def _type(number: pd.Series) -> np.ndarray:
    return REVIEW_TYPES[np.minimum(number.to_numpy(), 3) - 1]


def next_due(period_start: pd.Series, held: pd.Series, last_review: pd.Series,
             calendar: WorkingCalendar) -> pd.Series:
    """Due date of the next review, given the reviews held so far and the latest one's date."""
    first = calendar.add_working_days(period_start, FIRST_REVIEW_WORKING_DAYS)
    second = add_months(last_review, SECOND_REVIEW_MONTHS)
    later = add_months(last_review, LATER_REVIEW_MONTHS)
    return first.where(held == 0, second.where(held == 1, later))


def review_timeliness(reviews: pd.DataFrame, periods: pd.DataFrame,
                      calendar: WorkingCalendar) -> pd.DataFrame:
    """One row per review inside a period of care, with its due date and lateness."""
    placed = assign_periods(reviews, periods)
    placed = placed[placed["period_id"].notna()].sort_values(
        ["period_id", "review_date"], kind="stable")
    by_period = placed.groupby("period_id", sort=False)
    number = by_period.cumcount() + 1
    previous = by_period["review_date"].shift()
    due = next_due(placed["period_start"], number - 1, previous, calendar)
    late_days = (placed["review_date"] - due).dt.days
    excluded = placed["short_breaks"].astype(bool)
    out = pd.DataFrame({
        "child_id": placed["child_id"],
        "period_id": placed["period_id"].astype("int64"),
        "period_start": placed["period_start"],
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


def outstanding(periods: pd.DataFrame, timeliness: pd.DataFrame, as_of: pd.Timestamp,
                calendar: WorkingCalendar) -> pd.DataFrame:
    """For periods open at ``as_of`` (short breaks aside): reviews held by then and the next due."""
    open_ = periods[(periods["period_start"] <= as_of)
                    & (periods["period_end"].isna() | (periods["period_end"] > as_of))
                    & ~periods["short_breaks"].astype(bool)]
    held = timeliness[timeliness["review_date"] <= as_of].groupby("period_id")["review_date"]
    counts = held.size().reindex(open_["period_id"], fill_value=0).to_numpy()
    last = held.max().reindex(open_["period_id"]).to_numpy()
    out = pd.DataFrame({
        "child_id": open_["child_id"].to_numpy(),
        "period_id": open_["period_id"].to_numpy(),
        "period_start": open_["period_start"].to_numpy(),
        "reviews_held": counts.astype("int64"),
        "last_review_date": pd.to_datetime(last),
    })
    out["due_date"] = next_due(out["period_start"], out["reviews_held"],
                               out["last_review_date"], calendar)
    out["review_due"] = _type(out["reviews_held"] + 1)
    return out


def overdue_reviews(periods: pd.DataFrame, timeliness: pd.DataFrame, as_of: pd.Timestamp,
                    calendar: WorkingCalendar) -> pd.DataFrame:
    """The worklist: open periods whose next review's due date has passed with none held."""
    todo = outstanding(periods, timeliness, as_of, calendar)
    todo = todo[todo["due_date"] < as_of].copy()
    todo["as_of"] = as_of
    todo["days_overdue"] = (as_of - todo["due_date"]).dt.days.astype("int64")
    return todo.reset_index(drop=True)
