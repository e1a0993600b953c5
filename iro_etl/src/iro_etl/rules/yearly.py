"""Yearly statistics at 31 March: the looked-after population and reviews within timescales,
and the 31 March snapshots of the load's episodes they and the indicators share (YearEnds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from iro_schemas.codes import AGE_BANDS, LS_GROUP, PLACE_ADOPTION, PLACE_GROUP, SEX

from iro_etl.config import COHORT_MIN_DAYS
from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.rules.frames import AUTHORITY, age_at, authorities, lookup, per_authority, table
from iro_etl.rules.periods import with_period_ids
from iro_etl.rules.timeliness import outstanding


def year_end(year: int) -> pd.Timestamp:
    return pd.Timestamp(year=year, month=3, day=31)


def _years_from(first: pd.Timestamp, as_of: pd.Timestamp) -> range:
    start = first.year + (1 if first > year_end(first.year) else 0)
    last = as_of.year if as_of >= year_end(as_of.year) else as_of.year - 1
    return range(start, last + 1)


def years_covered(episodes: pd.DataFrame, as_of: pd.Timestamp) -> list[int]:
    """Years ending 31 March from the first with anyone looked after up to ``as_of`` (of any
    authority, when several are stacked: each one's own are :func:`authority_years`)."""
    if episodes.empty:
        return []
    return list(_years_from(episodes["decom"].min(), as_of))


def first_years(episodes: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Each authority's first year in :func:`years_covered` (its last is every one's last)."""
    first = episodes.groupby(AUTHORITY)["decom"].min()
    return pd.Series([_years_from(when, as_of).start for when in first], index=first.index,
                     dtype="float64")


def episodes_at(episodes: pd.DataFrame, when: pd.Timestamp,
                children: np.ndarray | None = None) -> pd.DataFrame:
    """The episode each child is in at the end of ``when`` (a child leaving that day is out).

    ``children``: each episode's child as a number (see YearEnds), when already known; a
    child's episodes are told apart by number, faster than by text id.
    """
    if children is None:
        children = pd.factorize(episodes["child_id"])[0]
    open_ = (episodes["decom"] <= when) & (episodes["dec"].isna() | (episodes["dec"] > when))
    rows = np.flatnonzero(open_.to_numpy())
    return episodes.iloc[rows[~pd.Series(children[rows]).duplicated(keep="last").to_numpy()]]


def _episodes(clean: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Episodes with period ids (the same numbering as ``periods_of_care`` of the same table)."""
    return with_period_ids(table(clean, "episodes"))


def looked_after_at(episodes: pd.DataFrame, periods: pd.DataFrame, when: pd.Timestamp,
                    children: np.ndarray | None = None) -> pd.DataFrame:
    """Each child's episode at the end of ``when``, short breaks left out, with its period
    start (``children``: see episodes_at)."""
    at = episodes_at(episodes, when, children)
    by_period = periods.set_index("period_id")
    short = at["period_id"].map(by_period["short_breaks"]).fillna(False).astype(bool)
    at = at[~short.to_numpy()]
    return at.assign(period_start=lookup(at["period_id"], by_period["period_start"]).to_numpy())


@dataclass
class YearEnds:
    """The load's episodes (with period ids) and each year's 31 March snapshot of them.

    Several marts need the same snapshots: the rules (``iro_etl.marts.build.apply_rules``)
    build one of these per load for the population, the timeliness indicator and the other
    indicators, and an indicator function builds its own when called alone.
    """

    episodes: pd.DataFrame
    periods: pd.DataFrame
    _at: dict[int, pd.DataFrame] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, clean: dict[str, pd.DataFrame], periods: pd.DataFrame) -> YearEnds:
        return cls(_episodes(clean), periods)

    def at(self, year: int) -> pd.DataFrame:
        """Episodes of children looked after at the end of 31 March ``year`` (see looked_after_at)."""
        if year not in self._at:
            self._at[year] = looked_after_at(self.episodes, self.periods, year_end(year),
                                             self._numbered[0])
        return self._at[year]

    @cached_property
    def _numbered(self) -> tuple[np.ndarray, pd.Index]:
        number, children = pd.factorize(self.episodes["child_id"])
        return number, pd.Index(children)

    @property
    def children(self) -> pd.Index:
        """The episodes' children: each child's number (see ``numbers``) is its place here.

        A year's children are matched and given their values by number, not looked up by
        their text ids year after year.
        """
        return self._numbered[1]

    def numbers(self, rows: pd.DataFrame) -> np.ndarray:
        """The number of the child of each of ``rows``, episodes of this load (a year's
        snapshot, say), found by their place among the episodes."""
        return self._numbered[0][self.episodes.index.get_indexer(rows.index)]

    def counts(self, grid: pd.MultiIndex) -> pd.Series:
        """Children looked after at 31 March, per (authority, year_ending) of ``grid``."""
        years = grid.get_level_values("year_ending").unique()
        counts = {(name, year): n for year in years
                  for name, n in self.at(year)[AUTHORITY].value_counts().items()}
        return pd.Series(counts, dtype="int64").reindex(grid, fill_value=0)


def age_band(age: pd.Series) -> pd.Series:
    bins = [lo for _, lo, _ in AGE_BANDS] + [AGE_BANDS[-1][2] + 1]
    return pd.cut(age, bins=bins, right=False, labels=[name for name, _, _ in AGE_BANDS]
                  ).astype(object)


def lac_population(children: pd.DataFrame, year_ends: YearEnds, years: list[int]
                   ) -> pd.DataFrame:
    """Children looked after at 31 March (short breaks excluded, as in the DfE statistics)."""
    children = children.drop_duplicates("child_id").set_index("child_id")
    dob = children["dob"].reindex(year_ends.children).to_numpy()
    sex = children["sex"].map(SEX).reindex(year_ends.children).fillna("unknown").to_numpy()
    parts = []
    for year in years:
        when = year_end(year)
        at = year_ends.at(year)
        child = year_ends.numbers(at)
        frame = pd.DataFrame({
            AUTHORITY: at[AUTHORITY].to_numpy(),
            "year_ending": year,
            "age_band": age_band(age_at(pd.Series(dob[child], index=at.index), when)).to_numpy(),
            "gender": sex[child],
            "legal_status_group": at["ls"].map(LS_GROUP).fillna("other").to_numpy(),
            "placement_group": at["place"].map(PLACE_GROUP).fillna("other").to_numpy(),
        })
        parts.append(frame)
    columns = [AUTHORITY, "year_ending", "age_band", "gender", "legal_status_group",
               "placement_group"]
    if not parts:
        return pd.DataFrame(columns=[*columns, "children"])
    counts = pd.concat(parts).groupby(columns, dropna=False).size().rename("children")
    return counts.reset_index().astype({"children": "int64", "year_ending": "int64"})


def timeliness_indicator(year_ends: YearEnds, cycles: pd.DataFrame, timeliness: pd.DataFrame,
                         years: list[int], calendar: WorkingCalendar) -> pd.DataFrame:
    """Reviewed within timescales per year: cohort, numerator and percent."""
    names = authorities(year_ends.episodes)
    rows = []
    for year in years:
        when = year_end(year)
        at = year_ends.at(year)  # short breaks already left out
        in_cohort = (
            (at["period_start"] <= when - pd.Timedelta(days=COHORT_MIN_DAYS)).to_numpy()
            & ~at["place"].isin(PLACE_ADOPTION).to_numpy()
        )
        cohort = at.loc[in_cohort, [AUTHORITY, "child_id", "period_id"]]
        in_year = timeliness[(timeliness["review_date"] > year_end(year - 1))
                             & (timeliness["review_date"] <= when)
                             & timeliness["excluded_reason"].isna()]
        late_children = set(in_year.loc[~in_year["on_time"].astype(bool), "child_id"])
        due = outstanding(cycles[cycles["period_id"].isin(cohort["period_id"])], timeliness,
                          when, calendar)
        # Due on or before 31 March and still not held: late, whatever comes after.
        unheld = set(due.loc[due["due_date"] <= when, "child_id"])
        ok = ~cohort["child_id"].isin(late_children | unheld)
        n, k = per_authority(cohort, names), per_authority(cohort, names, ok)
        rows += [(name, year, int(c), int(r), round(100 * int(r) / int(c), 1) if c else np.nan)
                 for name, c, r in zip(names, n, k, strict=True)]
    columns = [AUTHORITY, "year_ending", "cohort", "reviewed_on_time", "percent"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"year_ending": "int64", "cohort": "int64", "reviewed_on_time": "int64"})
