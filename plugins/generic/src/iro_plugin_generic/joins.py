"""Joining other files (or queries) onto a mapping entry's rows: by key, or the row in force.

A join's file is read like any entry, keeping its key columns; the entry's rows then take
the join's columns from the matching row (the first, should the other file repeat a key),
or, with ``in_force``, from the row whose span (from, to) covers the entry row's date: the
latest starting on or before it, unless it had ended. Rows with no match keep the columns
blank, so validation reports a required one by name. Vectorised with pandas merges.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from iro_etl.quality.failures import Failure
from iro_etl.sources.joins import in_force

from iro_plugin_generic.mapping import Join, TableSource
from iro_plugin_generic.sources import own_column

#: Reads a join's file(s) or query: its frames (helper columns kept) and failures.
Fetch = Callable[[TableSource], tuple[list[pd.DataFrame], list[Failure]]]


def join_source(source: TableSource, join: Join) -> TableSource:
    """The join as an entry of its own: its columns, its keys and span as helper columns."""
    columns = dict(join.columns)
    for k, (_, theirs) in enumerate(join.on):
        columns[f"_key{k}"] = (theirs,)
    if join.in_force:
        columns["_from"] = (join.in_force[1],)
        if join.in_force[2]:
            columns["_to"] = (join.in_force[2],)
    return TableSource(source.table, join.key, join.file, join.sheet, None, columns, sql=join.sql)


def _keys(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    return frame[names].apply(lambda c: c.str.strip().str.casefold())


def apply_joins(frame: pd.DataFrame, source: TableSource, fetch: Fetch
                ) -> tuple[pd.DataFrame, list[Failure]]:
    """``frame`` (one read of the entry) with every join's columns filled in."""
    failures: list[Failure] = []
    for join in source.joins:
        parts, more = fetch(join_source(source, join))
        failures += more
        cols = list(join.columns)
        mine = [own_column(source, header) for header, _ in join.on]
        theirs = [f"_key{k}" for k in range(len(join.on))]
        other = (pd.concat(parts, ignore_index=True) if parts
                 else pd.DataFrame(columns=[*theirs, *cols], dtype="string"))
        left = _keys(frame, mine).set_axis(theirs, axis=1)
        right = _keys(other, theirs).assign(**{c: other[c] for c in cols})
        if join.in_force is None:
            right = right.dropna(subset=theirs).drop_duplicates(theirs)
            found = left.merge(right, on=theirs, how="left", validate="many_to_one")
            found.index = frame.index
        else:
            day = frame[own_column(source, join.in_force[0])]
            spans = right.assign(start=other["_from"],
                                 end=other.get("_to", pd.NA))
            found = in_force(day, left, spans, cols)
        for col in cols:
            frame[col] = found[col].astype("string")
    return frame, failures
