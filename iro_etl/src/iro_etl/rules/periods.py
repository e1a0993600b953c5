"""Periods of care: episodes chained by REC X1 into one continuous spell of being looked after."""

import numpy as np
import pandas as pd
from iro_schemas.canonical import PeriodsOfCare
from iro_schemas.codes import LS_SHORT_BREAKS, REC_CONTINUES

from iro_etl.rules.frames import AUTHORITY


def with_period_ids(episodes: pd.DataFrame) -> pd.DataFrame:
    """Episodes sorted by child and start, with ``period_id`` numbering each period of care.

    A period starts at an episode with RNE S, or wherever the chain breaks: the
    previous episode ended for a reason other than X1, or not on this one's start.
    """
    eps = episodes.sort_values(["child_id", "decom"], kind="stable", ignore_index=True)
    prev_child = eps["child_id"].shift()
    starts = (
        (eps["child_id"] != prev_child)
        | (eps["rne"] == "S")
        | (eps["rec"].shift() != REC_CONTINUES)
        | (eps["dec"].shift() != eps["decom"])
    )
    eps["period_id"] = np.cumsum(starts.to_numpy()) - 1
    return eps


def periods_of_care(episodes: pd.DataFrame) -> pd.DataFrame:
    """One row per period: child, start, end (blank while open), end reason, short breaks."""
    eps = episodes if "period_id" in episodes else with_period_ids(episodes)
    grouped = eps.groupby("period_id", sort=True)
    last = grouped.tail(1).set_index("period_id")
    authority = eps[AUTHORITY] if AUTHORITY in eps else pd.Series("", index=eps.index, dtype="str")
    periods = pd.DataFrame({
        AUTHORITY: authority.groupby(eps["period_id"]).first().astype("str"),
        "child_id": grouped["child_id"].first(),
        "period_start": grouped["decom"].min(),
        # The period is still open if its last episode has no end.
        "period_end": last["dec"],
        "end_reason": last["rec"],
        "short_breaks": eps["ls"].isin(LS_SHORT_BREAKS).groupby(eps["period_id"]).any(),
        "episodes": grouped.size(),
    })
    periods.index.name = "period_id"
    # Clean episodes make valid periods; a failure here is a bug in the chaining, not bad data.
    return PeriodsOfCare.validate(periods.reset_index())
