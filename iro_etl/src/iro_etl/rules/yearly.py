"""Yearly statistics at 31 March: the looked-after population and reviews within timescales."""

import numpy as np
import pandas as pd
from iro_schemas.codes import AGE_BANDS, LS_GROUP, PLACE_ADOPTION, PLACE_GROUP, SEX

from iro_etl.config import COHORT_MIN_DAYS
from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.rules.frames import AUTHORITY, age_at, authorities, lookup, per_authority
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


def episodes_at(episodes: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """The episode each child is in at the end of ``when`` (a child leaving that day is out)."""
    open_ = (episodes["decom"] <= when) & (episodes["dec"].isna() | (episodes["dec"] > when))
    return episodes[open_].drop_duplicates("child_id", keep="last")


def age_band(age: pd.Series) -> pd.Series:
    bins = [lo for _, lo, _ in AGE_BANDS] + [AGE_BANDS[-1][2] + 1]
    return pd.cut(age, bins=bins, right=False, labels=[name for name, _, _ in AGE_BANDS]
                  ).astype(object)


def lac_population(children: pd.DataFrame, episodes: pd.DataFrame, periods: pd.DataFrame,
                   years: list[int]) -> pd.DataFrame:
    """Children looked after at 31 March (short breaks excluded, as in the DfE statistics)."""
    dob = children.set_index("child_id")["dob"]
    sex = children.set_index("child_id")["sex"].map(SEX)
    short = periods.set_index("period_id")["short_breaks"].astype(bool)
    parts = []
    for year in years:
        when = year_end(year)
        at = episodes_at(episodes, when)
        at = at[~at["period_id"].map(short).to_numpy()]
        frame = pd.DataFrame({
            AUTHORITY: at[AUTHORITY].to_numpy(),
            "year_ending": year,
            "age_band": age_band(age_at(lookup(at["child_id"], dob), when)).to_numpy(),
            "gender": at["child_id"].map(sex).fillna("unknown").to_numpy(),
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


def timeliness_indicator(episodes: pd.DataFrame, periods: pd.DataFrame, cycles: pd.DataFrame,
                         timeliness: pd.DataFrame, years: list[int],
                         calendar: WorkingCalendar) -> pd.DataFrame:
    """Reviewed within timescales per year: cohort, numerator and percent."""
    names = authorities(episodes)
    rows = []
    for year in years:
        when = year_end(year)
        at = episodes_at(episodes, when)
        period = periods.set_index("period_id").loc[at["period_id"]]
        in_cohort = (
            (period["period_start"] <= when - pd.Timedelta(days=COHORT_MIN_DAYS)).to_numpy()
            & ~period["short_breaks"].astype(bool).to_numpy()
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
