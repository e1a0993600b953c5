"""Several years' returns in one load: one history, the latest return winning.

An authority's folder may hold this year's return and earlier ones (one per subfolder, or
an XML file each). Each is dated by its collection year (the year ending 31 March that
its latest episode or review date falls in) and the returns are laid over each other,
oldest first, as the DfE's own previous-year handling does:

* a child's header row comes from the latest return that has the child;
* a child's episodes come from the latest return that has any of them, and from each
  earlier return only before the first episode any later return has for the child (an
  episode open last year and closed this year is this year's row, not a duplicate of
  last year's);
* a review comes from the latest return that has it.

Every row left out is counted per table and per earlier return, never silently dropped.
"""

from __future__ import annotations

import pandas as pd
from iro_etl.sources.dates import parse_dates

#: The column holding each row's return while the returns are laid over each other.
RETURN = "_return"


#: The dates each table is dated and laid over by.
_DATES = {"episodes": ("decom", "dec"), "reviews": ("review_date",)}


def collection_years(tables: dict[str, pd.DataFrame],
                     dates: dict[tuple[str, str], pd.Series]) -> dict[str, int]:
    """Each return's collection year: the year ending 31 March of its latest date."""
    days = pd.concat([pd.DataFrame({RETURN: tables[table][RETURN], "day": dates[table, column]})
                      for table, columns in _DATES.items() for column in columns],
                     ignore_index=True).dropna()
    latest = days.groupby(RETURN)["day"].max()
    years = latest.dt.year + (latest.dt.month > 3)
    returns = pd.concat([tables[t][RETURN] for t in tables]).unique()
    return {r: int(years.get(r, 0)) for r in returns}


def _latest_per(frame: pd.DataFrame, keys: list[str], rank: pd.Series) -> pd.Series:
    """Rows whose return is the latest among the rows sharing their keys; a row with a blank
    key is kept (validation reports it), since no later row can restate it."""
    best = rank.groupby([frame[k] for k in keys]).transform("max")
    return (rank == best) | frame[keys].isna().any(axis=1)


def _restated_from(child: pd.Series, rank: pd.Series, decom: pd.Series) -> pd.Series:
    """For each episode row, the first start date any later return has for its child (blank
    when no later return has the child): from there on, the later returns restate it."""
    firsts = pd.DataFrame({"child": child, "rank": rank, "decom": decom}).groupby(
        ["child", "rank"], as_index=False)["decom"].min()
    firsts = firsts.sort_values(["child", "rank"], ascending=[True, False], kind="stable")
    # Latest return first: the running minimum up to the return before, per child.
    firsts["later"] = firsts.groupby("child")["decom"].cummin()
    firsts["later"] = firsts.groupby("child")["later"].shift(1)
    later = firsts.set_index(["child", "rank"])["later"]
    keys = pd.MultiIndex.from_arrays([child, rank])
    return pd.Series(later.reindex(keys).to_numpy(), index=child.index)


def overlay(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame],
                                                      dict[str, dict[str, int]]]:
    """The returns' tables laid over each other; the rows superseded per table and return."""
    dates = {(table, column): parse_dates(tables[table][column])[0]
             for table, columns in _DATES.items() for column in columns}
    years = collection_years(tables, dates)
    # Later collection year first wins; the return's name breaks a tie (2014b after 2014a).
    order = {r: i for i, r in enumerate(sorted(years, key=lambda r: (years[r], r)))}
    out, superseded = {}, {}
    for table, frame in tables.items():
        rank = frame[RETURN].map(order)
        child = frame["child_id"].str.strip()
        if table == "children":
            keep = _latest_per(frame.assign(child=child), ["child"], rank)
        elif table == "reviews":
            day = dates["reviews", "review_date"]
            keep = _latest_per(frame.assign(child=child, day=day.fillna(pd.Timestamp(0))),
                               ["child", "day"], rank) | day.isna()
        else:
            decom = dates["episodes", "decom"]
            start = _restated_from(child, rank, decom)
            keep = decom.isna() | start.isna() | (decom < start)
        dropped = frame.loc[~keep, RETURN].value_counts()
        if len(dropped):
            superseded[table] = {f"{r} ({years[r] - 1}/{str(years[r])[-2:]})": int(n)
                                 for r, n in dropped.items()}
        out[table] = frame[keep].drop(columns=RETURN).reset_index(drop=True)
    return out, superseded
