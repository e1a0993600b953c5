"""Synthetic IRO-service tables, drawn from the same children, periods and reviews.

Notifications (mostly within 2 working days, some late, a few never), IRO
staff and allocations (with some changes of IRO), the IRO's record of each
review (report, recommendations and record dates, checklist, RAG), who took
part, and disputes. Shares are set near the seeds' published figures.
"""

import numpy as np
import pandas as pd
from iro_etl.rules.calendar import WorkingCalendar

_STATUS = ("attended", "consulted", "not applicable", "no consultation", "not recorded")
#: (role, share of reviews with a row for it, status weights in _STATUS order)
_PARTICIPANTS = (
    ("mother", 0.97, (0.45, 0.23, 0.10, 0.12, 0.10)),
    ("father", 0.90, (0.20, 0.17, 0.25, 0.20, 0.18)),
    ("step parent", 0.15, (0.10, 0.10, 0.60, 0.10, 0.10)),
    ("connected person", 0.20, (0.12, 0.10, 0.58, 0.10, 0.10)),
)
_STAGES = (["informal", "stage 1", "stage 2", "stage 3", "cafcass"], [0.7, 0.2, 0.07, 0.02, 0.01])


def _pick(rng, values, weights, n):
    p = np.asarray(weights, dtype=float)
    return rng.choice(np.asarray(values, dtype=object), size=n, p=p / p.sum())


def _flag(rng, share: float, n: int) -> pd.Series:
    return pd.Series(rng.random(n) < share, dtype="boolean")


def iro_tables(seed: int, children: pd.DataFrame, periods: pd.DataFrame, reviews: pd.DataFrame,
               as_of: pd.Timestamp, calendar: WorkingCalendar) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed + 2)
    start = periods["period_start"].astype("datetime64[us]").reset_index(drop=True)
    n = len(periods)

    # Notifications: the working day of notice after the child became looked after.
    delay = np.where(rng.random(n) < 0.85, rng.integers(0, 3, n), rng.integers(3, 11, n))
    never = rng.random(n) < 0.03
    notified = calendar.add_working_days_each(start, delay).where(~never)
    allocated = calendar.add_working_days_each(notified.fillna(start), rng.integers(1, 6, n))
    end = periods["period_end"].astype("datetime64[us]").reset_index(drop=True)
    notifications = pd.DataFrame({
        "child_id": periods["child_id"].to_numpy(), "period_start": start,
        "notified_date": notified, "iro_allocated_date": allocated,
    })

    # Staff: enough IROs for a caseload of about 55 each at the end.
    open_at_end = int(periods["period_end"].isna().sum())
    k = max(2, round(open_at_end / 55) + 1)
    window_start = start.min() if n else as_of
    staff = pd.DataFrame({
        "iro_id": [f"IRO{i:03d}" for i in range(1, k + 1)],
        "fte": _pick(rng, [1.0, 0.8, 0.6, 0.5], [0.6, 0.2, 0.1, 0.1], k).astype(float),
        "iro_share": _pick(rng, [1.0, 0.8, 0.48], [0.6, 0.3, 0.1], k).astype(float),
        "team": _pick(rng, ["North", "South", "Disabled children"], [0.45, 0.45, 0.1], k),
        "from_date": pd.Series([window_start] * k, dtype="datetime64[us]"),
        "to_date": pd.Series([pd.NaT] * k, dtype="datetime64[us]"),
    })

    # Allocations: one IRO per period; a quarter change IRO part way through.
    first = _pick(rng, staff["iro_id"], np.ones(k), n)
    # An IRO allocated after a short period ended is recorded as allocated on its last day.
    allocated_from = allocated.where(end.isna() | (allocated <= end), end)
    span = ((end.fillna(as_of) - allocated_from).dt.days.clip(lower=0)).to_numpy()
    change = (rng.random(n) < 0.25) & (span > 30)
    at = allocated_from + pd.to_timedelta(np.where(change, rng.integers(15, np.maximum(span, 16)), 0),
                                     unit="D")
    second = _pick(rng, staff["iro_id"], np.ones(k), n)
    allocations = pd.concat([
        pd.DataFrame({"child_id": notifications["child_id"], "iro_id": first,
                      "from_date": allocated_from,
                      "to_date": (at - pd.Timedelta(days=1)).where(change, end)}),
        pd.DataFrame({"child_id": notifications["child_id"], "iro_id": second,
                      "from_date": at, "to_date": end})[change],
    ], ignore_index=True)

    records = _review_records(rng, reviews, children, calendar)
    participants = _participants(rng, reviews)
    disputes = _disputes(rng, periods, as_of)
    return {"notifications": notifications, "iro_staff": staff, "iro_allocations": allocations,
            "review_records": records, "review_participants": participants, "disputes": disputes}


def _review_records(rng, reviews: pd.DataFrame, children: pd.DataFrame,
                    calendar: WorkingCalendar) -> pd.DataFrame:
    n = len(reviews)
    held = reviews["review_date"].reset_index(drop=True)
    roll = rng.random(n)
    before = np.select([roll < 0.70, roll < 0.90, roll < 0.95],
                       [-rng.integers(3, 11, n), -rng.integers(0, 3, n), rng.integers(1, 4, n)], 0)
    report = calendar.add_working_days_each(held, before).where(roll < 0.95)
    under4 = (reviews["review_code"] == "PN0").to_numpy()
    records = pd.DataFrame({
        "child_id": reviews["child_id"].to_numpy(), "review_date": held,
        "status": np.where(rng.random(n) < 0.05, "rescheduled", "held").astype(object),
        "sw_report_received": report,
        "recommendations_issued": calendar.add_working_days_each(held, np.where(
            rng.random(n) < 0.9, rng.integers(1, 6, n), rng.integers(6, 16, n))),
        "record_issued": calendar.add_working_days_each(held, np.where(
            rng.random(n) < 0.85, rng.integers(5, 21, n), rng.integers(21, 41, n))),
        "child_informed": _flag(rng, 0.88, n),
        "sw_report_on_time": pd.Series(before <= -3, dtype="boolean").where(roll < 0.95),
        "child_prepared": _flag(rng, 0.82, n).where(~under4),
        "child_views_available": _flag(rng, 0.95, n).where(~under4),
        "key_people_present": _flag(rng, 0.75, n),
        "rag": _pick(rng, ["green", "amber", "red"], [0.90, 0.09, 0.01], n),
    })
    # A few reviews were planned and then cancelled: a record with no review held.
    cancelled = records.sample(frac=0.02, random_state=int(rng.integers(1 << 31)))
    planned = cancelled["review_date"] - pd.to_timedelta(rng.integers(3, 20, len(cancelled)),
                                                         unit="D")
    empty = dict.fromkeys(["sw_report_received", "recommendations_issued", "record_issued"],
                          pd.NaT)
    flags = dict.fromkeys(["child_informed", "sw_report_on_time", "child_prepared",
                           "child_views_available", "key_people_present"], pd.NA)
    cancelled = cancelled.assign(review_date=planned, status="cancelled", rag=None, **empty,
                                 **flags)
    out = pd.concat([records, cancelled], ignore_index=True)
    out = out.drop_duplicates(["child_id", "review_date"], keep="first")
    return out.sort_values(["child_id", "review_date"], ignore_index=True).astype(
        {c: "boolean" for c in flags} | {c: "datetime64[us]" for c in empty})


def _participants(rng, reviews: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for role, share, weights in _PARTICIPANTS:
        present = rng.random(len(reviews)) < share
        rows = reviews.loc[present, ["child_id", "review_date"]]
        parts.append(rows.assign(role=role, status=_pick(rng, _STATUS, weights, len(rows))))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["child_id", "review_date", "role"], ignore_index=True)


def _disputes(rng, periods: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    chosen = periods[rng.random(len(periods)) < 0.06]
    stop = chosen["period_end"].fillna(as_of)
    days = (stop - chosen["period_start"]).dt.days.clip(lower=1).to_numpy()
    raised = chosen["period_start"] + pd.to_timedelta(rng.integers(0, days), unit="D")
    resolved = raised + pd.to_timedelta(rng.integers(5, 60, len(chosen)), unit="D")
    out = pd.DataFrame({
        "child_id": chosen["child_id"].to_numpy(),
        "raised_date": raised.astype("datetime64[us]").to_numpy(),
        "stage": _pick(rng, *_STAGES, len(chosen)),
        "resolved_date": resolved.where((rng.random(len(chosen)) < 0.8) & (resolved <= as_of))
        .astype("datetime64[us]").to_numpy(),
    })
    return out.sort_values(["child_id", "raised_date"], ignore_index=True)
