"""Joins that warehouse layouts need to build one canonical row from several tables.

Case-management warehouses keep what the contract puts on one episode row in separate
tables of spans (a legal status from one date to another, a placement, an allocation).
:func:`in_force` takes, for each row and its date, the span in force on that day: the
latest one for the same key starting on or before it, unless it had ended before it.
Vectorised with :func:`pandas.merge_asof`; shared by every plugin that needs it.
"""

from __future__ import annotations

import pandas as pd

from iro_etl.sources.dates import parse_dates


def _dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return parse_dates(values)[0]


def in_force(day: pd.Series, keys: pd.DataFrame, spans: pd.DataFrame,
             values: list[str]) -> pd.DataFrame:
    """For each row, the ``values`` of the span in force on its ``day``.

    ``keys`` holds the row's key columns (indexed like ``day``); ``spans`` the same key
    columns, ``start`` and ``end`` (text or dates; ``end`` may be absent or blank for a
    span still open) and the ``values`` columns. The result is indexed like ``day``, with
    blanks (text) where no span was in force or the row has no date or key.
    """
    names = list(keys.columns)
    left = keys.assign(_day=_dates(day)).reset_index(names="_row")
    ends = (_dates(spans["end"]) if "end" in spans
            else pd.Series(pd.NaT, index=spans.index, dtype="datetime64[us]"))
    right = spans[names + values].assign(_start=_dates(spans["start"]), _end=ends)
    left = left.dropna(subset=["_day", *names]).sort_values("_day", kind="stable")
    right = right.dropna(subset=["_start", *names]).sort_values("_start", kind="stable")
    # merge_asof needs one resolution on both sides.
    left["_day"] = left["_day"].astype("datetime64[us]")
    right["_start"] = right["_start"].astype("datetime64[us]")
    found = pd.merge_asof(left, right, left_on="_day", right_on="_start", by=names,
                          direction="backward")
    ended = found["_end"].notna() & (found["_end"] < found["_day"])
    out = pd.DataFrame({c: pd.Series(pd.NA, index=day.index, dtype="string") for c in values})
    rows = found["_row"].to_numpy()
    for column in values:
        out.loc[rows, column] = found[column].where(~ended).astype("string").to_numpy()
    return out
