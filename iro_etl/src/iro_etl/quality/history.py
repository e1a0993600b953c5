"""Failures tracked from load to load: new, still open, resolved, and accepted.

A failure is identified by its authority, table, record key, rule and column,
so the same problem in tomorrow's export is recognised as the same failure even
if its row moved. Statuses are derived from load ids, so re-running a load
gives the same history.
"""

import hashlib

import numpy as np
import pandas as pd

KEY_COLUMNS = ["table_name", "record_key", "rule", "column_name"]
_SEVERITY_RANK = {"warning": 0, "error": 1}


def failure_keys(authority: str, failures: pd.DataFrame) -> pd.Series:
    """A stable 16-hex key per failure (the same problem, the same key, load after load)."""
    parts = failures[KEY_COLUMNS].astype("string").fillna("")
    text = authority + "|" + parts["table_name"].str.cat(parts[KEY_COLUMNS[1:]], sep="|")
    return text.map(lambda t: hashlib.sha256(t.encode()).hexdigest()[:16])


def _current(authority: str, failures: pd.DataFrame) -> pd.DataFrame:
    """This load's failures, one row per key (the most severe, first place it was seen)."""
    frame = failures.assign(failure_key=failure_keys(authority, failures),
                            _rank=failures["severity"].map(_SEVERITY_RANK))
    frame = frame.sort_values(["failure_key", "_rank", "row"], ascending=[True, False, True],
                              kind="stable")
    columns = ["failure_key", *KEY_COLUMNS, "severity", "message", "source_file", "row"]
    return frame.drop_duplicates("failure_key")[columns].reset_index(drop=True)


def update_history(authority: str, previous: pd.DataFrame, failures: pd.DataFrame,
                   load_id: str, as_of: pd.Timestamp, acceptances: pd.DataFrame) -> pd.DataFrame:
    """The authority's failure history after this load.

    ``previous`` is the history as published before (by an earlier load, or by this same
    load when it is re-run); ``acceptances`` holds failure_key, accepted_by, accepted_reason.
    A failure seen now is ``new`` unless an earlier load saw it and it was not resolved
    since (then ``open``); one seen before but not now is ``resolved`` from this load on.
    """
    now = _current(authority, failures).set_index("failure_key")
    before = (previous.set_index("failure_key") if len(previous)
              else pd.DataFrame(columns=["status", "first_seen_load", "first_seen_on",
                                         "last_seen_load", "resolved_on", "resolved_load"]))
    for col in ("first_seen_on", "last_seen_on", "resolved_on"):
        if col in before:
            # SQLite hands dates back as text.
            before[col] = pd.to_datetime(before[col]).astype("datetime64[us]")
    before["resolved_load"] = before["resolved_load"].astype(object)
    prior = before.reindex(now.index)
    carried = prior["first_seen_load"].notna() & (prior["first_seen_load"] != load_id) & ~(
        (prior["status"] == "resolved") & (prior["last_seen_load"] != load_id))
    present = now.assign(
        first_seen_load=prior["first_seen_load"].where(carried, load_id),
        first_seen_on=pd.to_datetime(prior["first_seen_on"]).where(carried, as_of),
        last_seen_load=load_id, last_seen_on=as_of, resolved_on=pd.NaT, resolved_load=None,
        status=np.where(carried, "open", "new"),
    )
    gone = before.loc[~before.index.isin(now.index)].copy()
    newly = gone["status"] != "resolved"
    gone.loc[newly, "resolved_on"] = as_of
    gone.loc[newly, "resolved_load"] = load_id
    gone["status"] = "resolved"
    history = pd.concat([present, gone] if len(gone) else [present]).reset_index(
        names="failure_key")
    accepted = acceptances.reindex(columns=["failure_key", "accepted_by", "accepted_reason"])
    accepted = accepted.drop_duplicates("failure_key", keep="last").set_index("failure_key")
    history["accepted"] = history["failure_key"].isin(accepted.index)
    for col in ("accepted_by", "accepted_reason"):
        history[col] = history["failure_key"].map(accepted[col]) if len(accepted) else None
    history["authority"] = authority
    return history
