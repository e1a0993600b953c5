"""The yearly indicator marts (year ending 31 March): one function per mart.

Each function takes the clean canonical tables (``clean``), the rules' output it
needs (periods of care, per-review timeliness, the timeliness indicator) and the
years to report, and returns the mart. The marts are counts: none carries a
child id, so there is nothing to pseudonymise. Every frame comes in its
contract's column order (:mod:`iro_schemas.indicators`); the contract is
checked once, with every other mart's, when the load's marts are built.
:func:`indicator_marts` builds them all. Loops run over years, never
over rows or authorities: every count is by authority (see
:mod:`iro_etl.rules.stack`), and each authority's rows come in the order a load
of that authority alone gives them.

Conventions shared by every mart, as in :mod:`iro_etl.rules.yearly`:

* the year ending 31 March Y runs from 1 April Y-1 to 31 March Y inclusive;
* "looked after at 31 March" means at the end of that day (a child whose
  episode ends on 31 March is out) and leaves out agreed short breaks (LS V3/V4),
  as the DfE statistics do;
* reviews held during a period of short breaks are left out of the yearly
  review measures, as they are out of timeliness;
* a child's age follows :func:`iro_etl.rules.frames.age_at` (birthday reached on the day).

Thresholds default to the figures in domain.md and can be overridden per
authority (see :class:`iro_etl.config.Thresholds`).
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd
from iro_schemas import codes
from iro_schemas.indicators import (
    ATTENDED_LATEST,
    BASIS_LATEST,
    BASIS_YEAR,
    INDICATOR_MODELS,
    NOT_REPRESENTED,
    PARENT_ROLES,
    QUALITY_BASES,
    QUALITY_CHECKLIST,
    SW_REPORT_BY_DATES,
    TREND_CODES,
    TREND_MEASURES,
    VIEWS_EVERY_REVIEW,
)

from iro_etl.config import DEFAULT_THRESHOLDS as _DEFAULTS
from iro_etl.config import Thresholds
from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.rules.frames import (
    AUTHORITY,
    age_at,
    as_mart,
    authorities,
    lookup,
    per_authority,
    table,
)
from iro_etl.rules.yearly import YearEnds, year_end

#: PN1-PN6: the child's views reached the review, in person or another way (PN7 did not).
VIEWS_CODES = frozenset({"PN1", "PN2", "PN3", "PN4", "PN5", "PN6"})
#: PN1-PN4: the child attended the review.
ATTENDED_CODES = frozenset({"PN1", "PN2", "PN3", "PN4"})
NOT_REPRESENTED_CODE = "PN7"
#: Checklist items asked of young people only: reviews of children under 4 are not counted.
YOUNG_PERSON_ITEMS = frozenset({"child_prepared", "child_views_available"})

# --- Shared helpers ------------------------------------------------------------------------

def year_of(dates: pd.Series) -> pd.Series:
    """The year ending 31 March each date falls in (1 April 2013 - 31 March 2014 -> 2014)."""
    return (dates.dt.year + (dates.dt.month > 3)).astype("Int64")


def percent(numerator, denominator):
    """numerator / denominator x 100 to one decimal; NaN where the denominator is 0."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, np.round(100 * num / den, 1), np.nan)


def _authorities(clean: dict[str, pd.DataFrame]) -> pd.Index:
    """The authorities the marts report on: those with episodes (the others have no years)."""
    return authorities(table(clean, "episodes"))


def _stacked(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def looked_after_during(periods: pd.DataFrame, first: pd.Timestamp,
                        last: pd.Timestamp) -> pd.Series:
    """Children looked after on any day from ``first`` to ``last``, short breaks left out.

    A period ending on ``first`` counts: the child was looked after for part of that day.
    """
    during = ((periods["period_start"] <= last)
              & (periods["period_end"].isna() | (periods["period_end"] >= first))
              & ~periods["short_breaks"].astype(bool))
    return periods.loc[during, "child_id"].drop_duplicates()


def _marked(numbers: pd.Series | np.ndarray, children: int) -> np.ndarray:
    """Whether each child (by number, ``children`` of them) is among ``numbers``, and False
    at -1, the number of a child with no episode."""
    marked = np.zeros(children + 1, dtype=bool)
    numbers = np.asarray(numbers)
    marked[numbers[numbers >= 0]] = True
    return marked


def _not_short_breaks(frame: pd.DataFrame, timeliness: pd.DataFrame,
                      date_column: str = "review_date") -> pd.DataFrame:
    """Rows of reviews (or their records) other than those of periods of short breaks."""
    short = timeliness.loc[timeliness["excluded_reason"].notna(), ["child_id", "review_date"]]
    if short.empty or frame.empty:
        return frame
    # Few children have short breaks: only their rows are matched on child and date.
    theirs = np.flatnonzero(frame["child_id"].isin(short["child_id"]).to_numpy())
    mine = pd.MultiIndex.from_arrays([frame["child_id"].iloc[theirs],
                                      frame[date_column].iloc[theirs]])
    kept = np.ones(len(frame), dtype=bool)
    kept[theirs[mine.isin(pd.MultiIndex.from_frame(short))]] = False
    return frame[kept]


def _grid(names: pd.Index, years: list[int], *levels: tuple[str, tuple]) -> pd.MultiIndex:
    """Every authority x year x category combination, so a zero count still has its row."""
    columns = [AUTHORITY, "year_ending", *(name for name, _ in levels)]
    return pd.MultiIndex.from_product([names, years, *(values for _, values in levels)],
                                      names=columns)


# --- 1. Participation ----------------------------------------------------------------------

def participation_indicator(clean: dict[str, pd.DataFrame], periods: pd.DataFrame,
                            timeliness: pd.DataFrame, years: list[int], *,
                            cohort_min_days: int = _DEFAULTS.cohort_min_days,
                            min_age: int = _DEFAULTS.participation_min_age,
                            latest_review_base: str = _DEFAULTS.latest_review_base,
                            year_ends: YearEnds | None = None) -> pd.DataFrame:
    """Children's participation in reviews (former PAF C63, and attendance at the latest review).

    Only reviews held at age ``min_age`` or over count (PN0 reviews are of under-4s), in
    every period of care the child had in the year. A cohort child must have had one such
    review: with none there is no participation to measure. Attendance at the latest review
    (at 4+, in the year, in whichever period of care) is taken over the children looked after
    at 31 March with such a review, or with ``latest_review_base="March"`` over those looked
    after at any time in March, as Central Bedfordshire's "monthly reporting data for March
    2012" may have been (its 160/164 beside C63's 143/157).
    """
    year_ends = year_ends or YearEnds.of(clean, periods)
    dob = table(clean, "children").drop_duplicates("child_id").set_index("child_id")["dob"]
    children = year_ends.children
    dob_of_child = dob.reindex(children).to_numpy()
    reviews = _not_short_breaks(table(clean, "reviews"), timeliness)
    aged = age_at(lookup(reviews["child_id"], dob), reviews["review_date"]) >= min_age
    # Only the columns counted: each year's rows are taken from these, column by column.
    reviews = reviews.loc[aged.to_numpy(), [AUTHORITY, "child_id", "review_date", "review_code"]]
    reviews = reviews.assign(year_ending=year_of(reviews["review_date"]),
                             _child=children.get_indexer(reviews["child_id"]))
    reviews = reviews.sort_values("review_date", kind="stable")
    names = authorities(year_ends.episodes)
    parts = []
    for year in years:
        when = year_end(year)
        in_year = reviews[reviews["year_ending"] == year]
        at = year_ends.at(year)[[AUTHORITY, "period_start"]]
        at_child = year_ends.numbers(at)
        # Children looked after at 31 March with a review at 4+ in the year.
        reviewed = _marked(in_year["_child"], len(children))[at_child]
        base, base_child = at[reviewed], at_child[reviewed]
        in_cohort = ((base["period_start"] <= when - pd.Timedelta(days=cohort_min_days)).to_numpy()
                     & (age_at(pd.Series(dob_of_child[base_child], index=base.index), when)
                        >= min_age).to_numpy())
        cohort, cohort_child = base[in_cohort], base_child[in_cohort]
        silent = _marked(in_year.loc[~in_year["review_code"].isin(VIEWS_CODES), "_child"],
                         len(children))
        latest = in_year.drop_duplicates("child_id", keep="last")
        attended = _marked(latest.loc[latest["review_code"].isin(ATTENDED_CODES), "_child"],
                           len(children))
        absent = _marked(in_year.loc[in_year["review_code"] == NOT_REPRESENTED_CODE, "_child"],
                         len(children))
        if latest_review_base == "March":
            during = looked_after_during(periods, when.replace(day=1), when)
            latest_base = in_year.loc[in_year["child_id"].isin(during).to_numpy(),
                                      [AUTHORITY, "child_id", "_child"]]
            latest_base = latest_base.drop_duplicates("child_id")
            latest_base_child = latest_base["_child"].to_numpy()
        else:
            latest_base, latest_base_child = base, base_child
        for measure, counted, where in (
            (VIEWS_EVERY_REVIEW, cohort, ~silent[cohort_child]),
            (ATTENDED_LATEST, latest_base, attended[latest_base_child]),
            (NOT_REPRESENTED, base, absent[base_child]),
        ):
            parts.append(pd.DataFrame({
                AUTHORITY: names, "year_ending": year, "measure": measure,
                "numerator": per_authority(counted, names, where),
                "denominator": per_authority(counted, names)}))
    out = _stacked(parts, [AUTHORITY, "year_ending", "measure", "numerator", "denominator"])
    reviewed = f"with a review at {min_age}+ in the year"
    at_year_end = f"looked after at 31 March {reviewed}"
    out["children_counted"] = out["measure"].map({
        VIEWS_EVERY_REVIEW: f"looked after {cohort_min_days}+ days at 31 March, aged {min_age}+ "
                            f"then, {reviewed}",
        ATTENDED_LATEST: (f"looked after at any time in March {reviewed}"
                          if latest_review_base == "March" else at_year_end),
        NOT_REPRESENTED: at_year_end,
    })
    out["percent"] = percent(out["numerator"], out["denominator"])
    return as_mart("participation_indicator", out)


# --- 2. Parental participation -------------------------------------------------------------

def parental_participation(clean: dict[str, pd.DataFrame], timeliness: pd.DataFrame,
                           years: list[int]) -> pd.DataFrame:
    """Reviews by parent role and status, over the reviews with any participant recorded.

    The denominator is the seeds': Central Bedfordshire's 181 reviews are those with a
    monitoring form, so every role's statuses are shares of the same reviews (mothers
    attended or consulted: (71 + 52) / 181 = 68%), and shares of roles add up
    (step parent or connected person: (2 + 4 + 25 + 6) / 181 = 20%).
    """
    rows = _not_short_breaks(table(clean, "review_participants"), timeliness)
    rows = rows.assign(year_ending=year_of(rows["review_date"]))
    rows = rows[rows["year_ending"].isin(years)]
    years_of = [AUTHORITY, "year_ending"]
    recorded = rows.drop_duplicates(["child_id", "review_date"]).groupby(years_of).size()
    parents = rows[rows["role"].isin(PARENT_ROLES)]
    grid = _grid(_authorities(clean), years, ("role", PARENT_ROLES),
                 ("status", codes.PARTICIPATION_STATUSES))
    counts = (parents.drop_duplicates(["child_id", "review_date", "role"])
              .groupby([*years_of, "role", "status"]).size().reindex(grid, fill_value=0))
    out = counts.rename("reviews").reset_index()
    out["reviews_recorded"] = recorded.reindex(pd.MultiIndex.from_frame(out[years_of]),
                                               fill_value=0).to_numpy()
    out["percent"] = percent(out["reviews"], out["reviews_recorded"])
    return as_mart("parental_participation", out)


# --- 3. Review quality and RAG -------------------------------------------------------------

def quality_reviews(clean: dict[str, pd.DataFrame], periods: pd.DataFrame,
                    timeliness: pd.DataFrame, years: list[int],
                    year_ends: YearEnds | None = None) -> pd.DataFrame:
    """Held review records of the years, once per basis they belong to, with the child's age.

    What :func:`review_quality` and :func:`rag_distribution` count (pass it to both).
    """
    records = table(clean, "review_records")
    records = records[records["status"].isin(codes.REVIEW_HELD)]
    records = _not_short_breaks(records, timeliness)
    records = records.assign(year_ending=year_of(records["review_date"]))
    records = records[records["year_ending"].isin(years)].sort_values("review_date", kind="stable")
    dob = table(clean, "children").drop_duplicates("child_id").set_index("child_id")["dob"]
    records = records.assign(age=age_at(lookup(records["child_id"], dob), records["review_date"]))
    year_ends = year_ends or YearEnds.of(clean, periods)
    latest = []
    for year in years:
        at = year_ends.at(year)
        in_year = records[(records["year_ending"] == year) & records["child_id"].isin(at["child_id"])]
        latest.append(in_year.drop_duplicates("child_id", keep="last"))
    return pd.concat([records.assign(basis=BASIS_YEAR),
                      *(frame.assign(basis=BASIS_LATEST) for frame in latest)], ignore_index=True)


def review_quality(clean: dict[str, pd.DataFrame], periods: pd.DataFrame,
                   timeliness: pd.DataFrame, years: list[int], calendar: WorkingCalendar, *,
                   min_age: int = _DEFAULTS.participation_min_age,
                   sw_report_working_days: int = _DEFAULTS.sw_report_working_days,
                   reviews: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of held reviews meeting each checklist item, on both bases (see the schema).

    A blank answer is not counted as a no: it is reported as not recorded and left out
    of the denominator. The young-person items count reviews of children aged 4+ only.
    The report deadline is also worked out from the date received: on or before the
    3rd working day strictly before the review (domain.md's convention). ``reviews`` is
    :func:`quality_reviews`' output, when the caller already has it.
    """
    if reviews is None:
        reviews = quality_reviews(clean, periods, timeliness, years)
    grown = (reviews["age"] >= min_age).to_numpy()
    items = {}
    for column, label in QUALITY_CHECKLIST.items():
        applies = grown if column in YOUNG_PERSON_ITEMS else np.ones(len(reviews), dtype=bool)
        answer = reviews[column].astype("boolean")
        items[label] = (applies, answer.fillna(False).to_numpy(dtype=bool),
                        answer.notna().to_numpy())
    deadline = calendar.add_working_days(reviews["review_date"], -sw_report_working_days)
    received = reviews["sw_report_received"]
    items[SW_REPORT_BY_DATES] = (np.ones(len(reviews), dtype=bool),
                                 (received <= deadline).fillna(False).to_numpy(dtype=bool),
                                 received.notna().to_numpy())
    grid = _grid(_authorities(clean), years, ("basis", QUALITY_BASES))
    keys = [reviews[c].to_numpy() for c in (AUTHORITY, "year_ending", "basis")]
    parts = []
    for label, (applies, met, answered) in items.items():
        flags = pd.DataFrame({"numerator": met & applies, "denominator": answered & applies,
                              "not_recorded": ~answered & applies})
        sums = flags.groupby(keys).sum()
        parts.append(sums.reindex(grid, fill_value=0).reset_index().assign(measure=label))
    out = pd.concat(parts, ignore_index=True)
    out["percent"] = percent(out["numerator"], out["denominator"])
    # Year, then basis in the contract's order, then measure in the checklist's order.
    basis_order = out["basis"].map({basis: i for i, basis in enumerate(QUALITY_BASES)})
    out = out.assign(_basis=basis_order).sort_values(["year_ending", "_basis"], kind="stable")
    return as_mart("review_quality", out)


def rag_distribution(clean: dict[str, pd.DataFrame], periods: pd.DataFrame,
                     timeliness: pd.DataFrame, years: list[int],
                     reviews: pd.DataFrame | None = None) -> pd.DataFrame:
    """Green, amber and red ratings among the rated reviews, on both bases."""
    if reviews is None:
        reviews = quality_reviews(clean, periods, timeliness, years)
    rated = reviews[reviews["rag"].isin(codes.RAG)]
    grid = _grid(_authorities(clean), years, ("basis", QUALITY_BASES), ("rag", codes.RAG))
    counts = rated.groupby([AUTHORITY, "year_ending", "basis", "rag"]).size().reindex(
        grid, fill_value=0)
    out = counts.rename("reviews").reset_index()
    out["rated"] = out.groupby([AUTHORITY, "year_ending", "basis"])["reviews"].transform("sum")
    out["percent"] = percent(out["reviews"], out["rated"])
    return as_mart("rag_distribution", out)


# --- 4. Population breakdowns at 31 March --------------------------------------------------

ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other", "Not given")
LOCATIONS = ("inside", "outside", "not known")
PLACEMENT_COUNTS = ("1", "2", "3 or more")


def distance_categories(miles: float) -> tuple[str, str, str]:
    """The placement distance categories of a policy placing "at a distance" beyond ``miles``,
    in the order they are built."""
    return f"over {miles:g} miles", f"{miles:g} miles or less", "not known"


def stability_categories(years: float) -> tuple[str, str]:
    """The placement stability categories of a policy asking for ``years`` in the same
    placement, in the order they are built."""
    return f"same placement {years:g}+ years", f"placement under {years:g} years"


def _with_placement_start(episodes: pd.DataFrame, new_placement_rne: tuple[str, ...]) -> pd.DataFrame:
    """Episodes with the start of the placement they are part of, and whether they start one."""
    first = episodes["period_id"] != episodes["period_id"].shift()
    starts = first | episodes["rne"].isin(new_placement_rne)
    start = episodes["decom"].where(starts).groupby(episodes["period_id"]).ffill()
    return episodes.assign(starts_placement=starts.to_numpy(), placement_start=start)


def placement_location(episodes: pd.DataFrame) -> pd.Series:
    """inside / outside the authority: PL_LOCATION, else the pre-2013 code's own location."""
    location = episodes["pl_location"].str.strip().str.upper().map({"IN": "inside",
                                                                    "OUT": "outside"})
    return location.fillna(episodes["place"].map(codes.PLACE_LOCATION)).fillna("not known")


def _placements_in_year(episodes: pd.DataFrame, short_breaks: np.ndarray, year: int,
                        child: np.ndarray, children: int) -> np.ndarray:
    """Placements each child had in the year: the one held on 1 April and every new one since.

    ``short_breaks``: whether each episode is in a period of short breaks (not counted);
    ``child``: each episode's child as a number below ``children``; the counts are by it.
    """
    when, before = year_end(year), year_end(year - 1)
    live = ((episodes["decom"] <= when)
            & (episodes["dec"].isna() | (episodes["dec"] > before))).to_numpy() & ~short_breaks
    rows = episodes[live]
    counted = rows["starts_placement"] | ~rows["period_id"].duplicated()
    return np.bincount(child[live], weights=counted.to_numpy(), minlength=children)


def _counts(values: pd.Series, authority: pd.Series, names: pd.Index,
            categories: tuple[str, ...] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(authority, category, rows): every one of ``categories`` for each authority, or the
    categories seen, sorted.

    Counted on integer codes: a group-by on two text columns costs more than the rest of
    a breakdown.
    """
    if categories:
        seen = np.asarray(categories, dtype=object)
        codes = pd.Index(categories).get_indexer(values)
    else:
        codes, seen = pd.factorize(values, sort=True)
        seen = np.asarray(seen, dtype=object)
    counted = codes >= 0
    cells = names.get_indexer(authority)[counted] * len(seen) + codes[counted]
    counts = np.bincount(cells, minlength=len(names) * len(seen))
    cells = np.arange(len(counts)) if categories else np.flatnonzero(counts)
    return (names.to_numpy()[cells // max(len(seen), 1)], seen[cells % max(len(seen), 1)],
            counts[cells].astype("int64"))


def population_breakdowns(clean: dict[str, pd.DataFrame], periods: pd.DataFrame,
                          years: list[int], *,
                          distance_miles: float = _DEFAULTS.distance_miles,
                          stability_max_age: int = _DEFAULTS.stability_max_age,
                          stability_months_looked_after: int = _DEFAULTS.stability_months_looked_after,
                          stability_months_same_placement: int =
                          _DEFAULTS.stability_months_same_placement,
                          new_placement_rne: tuple[str, ...] = _DEFAULTS.new_placement_rne,
                          year_ends: YearEnds | None = None) -> pd.DataFrame:
    """Children looked after at 31 March by ethnicity, placement location, distance, stability.

    Placement stability (former NI 63): children under 16 at 31 March whose period of care
    began 2.5+ years earlier, and of them those whose current placement began 2+ years
    earlier. A placement begins with the period or with an episode whose RNE is a placement
    change (P, T, B or U). Placements in the year (former NI 62) counts the placement held
    on 1 April (or at the period's start) plus every placement change, over all the child's
    periods in the year.
    """
    children = table(clean, "children").drop_duplicates("child_id").set_index("child_id")
    ethnic = children["ethnic"].str.strip().str.upper()
    group_of = {code: codes.ethnic_group(code) for code in ethnic.dropna().unique()}
    ethnic_group = ethnic.map(group_of).astype(object).fillna("Not given")
    year_ends = year_ends or YearEnds.of(clean, periods)
    episodes = _with_placement_start(year_ends.episodes, new_placement_rne)
    child_ids, child = year_ends.children, year_ends.numbers(episodes)
    group_of_child = ethnic_group.reindex(child_ids).fillna("Not given").to_numpy()
    dob_of_child = children["dob"].reindex(child_ids).to_numpy()
    short_breaks = episodes["period_id"].map(periods.set_index("period_id")["short_breaks"])
    short_breaks = short_breaks.fillna(False).astype(bool).to_numpy()
    far, near, unknown = distance_categories(distance_miles)
    same, moved = stability_categories(stability_months_same_placement / 12)
    names = authorities(year_ends.episodes)
    parts = []
    for year in years:
        when = year_end(year)
        at = year_ends.at(year)
        rows = episodes.index.get_indexer(at.index)
        at_child = child[rows]
        location = placement_location(at)
        distance = at["pl_distance"]
        age = age_at(pd.Series(dob_of_child[at_child], index=at.index), when)
        eligible = ((age < stability_max_age)
                    & (at["period_start"] <= when - pd.DateOffset(
                        months=stability_months_looked_after))).to_numpy()
        stable = episodes["placement_start"].to_numpy()[rows[eligible]] <= when - pd.DateOffset(
            months=stability_months_same_placement)
        moves = _placements_in_year(episodes, short_breaks, year, child, len(child_ids))[at_child]
        everyone = per_authority(at, names)
        authority, eligible_authority = at[AUTHORITY], at.loc[eligible, AUTHORITY]
        breakdowns = {
            "ethnicity group": (pd.Series(group_of_child[at_child], index=at.index),
                                ETHNIC_GROUPS, authority, everyone),
            "placement location": (location, LOCATIONS, authority, everyone),
            "placement group and location": (
                at["place"].map(codes.PLACE_GROUP).fillna("other") + ", " + location, None,
                authority, everyone),
            "placement code": (at["place"], None, authority, everyone),
            "placement distance": (pd.Series(np.select(
                [distance > distance_miles, distance <= distance_miles], [far, near],
                unknown), index=at.index), (far, near, unknown), authority, everyone),
            "placement stability": (pd.Series(np.where(stable, same, moved),
                                              index=eligible_authority.index, dtype=object),
                                    (same, moved), eligible_authority,
                                    per_authority(at, names, eligible)),
            "placements in the year": (pd.Series(np.where(moves >= 3, "3 or more",
                                                          moves.astype(int).astype(str)),
                                                 index=at.index), PLACEMENT_COUNTS, authority,
                                       everyone),
        }
        for name, (values, categories, of, denominator) in breakdowns.items():
            counted, category, counts = _counts(values, of, names, categories)
            parts.append(pd.DataFrame({
                AUTHORITY: counted, "year_ending": year, "breakdown": name,
                "category": category.astype(str), "children": counts,
                "denominator": denominator[names.get_indexer(counted)]}))
    out = _stacked(parts, [AUTHORITY, "year_ending", "breakdown", "category", "children",
                           "denominator"])
    out["percent"] = percent(out["children"], out["denominator"])
    return as_mart("population_breakdowns", out)


# --- 5. IRO workforce ----------------------------------------------------------------------

def month_ends(years: list[int]) -> pd.DataFrame:
    """The twelve month ends of each year ending 31 March (30 April ... 31 March)."""
    parts = [pd.DataFrame({"year_ending": year, "month_end": pd.date_range(
        year_end(year - 1) + pd.Timedelta(days=1), year_end(year), freq="ME")}) for year in years]
    if not parts:
        return pd.DataFrame({"year_ending": pd.Series(dtype="int64"),
                             "month_end": pd.Series(dtype="datetime64[us]")})
    return pd.concat(parts, ignore_index=True)


def _open_on(frame: pd.DataFrame, dates: pd.DataFrame, column: str = "month_end") -> pd.DataFrame:
    """Rows of ``frame`` (from_date / to_date, to_date the last day) open on each date: a row
    once per date of ``dates`` it is open on, with that date's columns.

    Each row's dates are a run of the sorted dates, found by binary search, so the work is
    the rows' open months and not every row against every date (a cross join of a national
    run's allocations with six years of month ends is millions of rows).
    """
    dates = dates.sort_values(column, kind="stable", ignore_index=True)
    on = dates[column].to_numpy(dtype="datetime64[ns]")
    starts, ends = (frame[c].to_numpy(dtype="datetime64[ns]") for c in ("from_date", "to_date"))
    first = np.searchsorted(on, starts, side="left")  # NaT sorts last: open on none
    last = np.where(np.isnat(ends), len(on), np.searchsorted(on, ends, side="right"))
    counts = np.clip(last - first, 0, None)
    rows = np.repeat(np.arange(len(frame)), counts)
    offsets = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    picked = dates.iloc[np.repeat(first, counts) + offsets].reset_index(drop=True)
    out = frame.iloc[rows].reset_index(drop=True)
    return pd.concat([out, picked], axis=1)


def _staff_on(staff: pd.DataFrame, dates: pd.DataFrame) -> pd.DataFrame:
    """Each IRO's spell of hours on each date (the latest-starting one if spells overlap)."""
    on = _open_on(staff.sort_values("from_date", kind="stable"), dates)
    return on.drop_duplicates(["iro_id", "month_end"], keep="last")


def iro_workforce(clean: dict[str, pd.DataFrame], periods: pd.DataFrame, years: list[int], *,
                  caseload_low: int = _DEFAULTS.caseload_low,
                  caseload_high: int = _DEFAULTS.caseload_high,
                  default_iro_share: float = _DEFAULTS.default_iro_share,
                  year_ends: YearEnds | None = None) -> pd.DataFrame:
    """IROs, FTE and caseloads at 31 March, the year's month-end peak, and IROs per child.

    Peak: at each month end, children with an open allocation to an IRO divided by that
    IRO's IRO-role FTE then (IROs not in post, or with no IRO time, are left out); the
    highest over IROs and month ends. IROs per child: distinct IROs allocated to the child
    at some time in the year.
    """
    staff = table(clean, "iro_staff")
    staff = staff.assign(iro_fte=staff["fte"] * staff["iro_share"].fillna(default_iro_share))
    allocations = table(clean, "iro_allocations")
    ends = month_ends(years)
    staff_on = _staff_on(staff, ends)
    load = (_open_on(allocations, ends).groupby(["iro_id", "month_end"])["child_id"].nunique()
            .rename("children").reset_index())
    years_of = [AUTHORITY, "year_ending"]
    load = load.merge(staff_on[[*years_of, "iro_id", "month_end", "iro_fte"]],
                      on=["iro_id", "month_end"])
    load = load[load["iro_fte"] > 0]
    load = load.assign(caseload=load["children"] / load["iro_fte"])
    peak = load.sort_values(["caseload", "month_end"], kind="stable").drop_duplicates(
        years_of, keep="last").set_index(years_of)
    # The year's last month end is its 31 March.
    at_end = staff_on[staff_on["month_end"].dt.month == 3]
    at_end = at_end.groupby(years_of).agg(iros_in_post=("iro_id", "nunique"),
                                          fte=("fte", "sum"), iro_fte=("iro_fte", "sum"))
    year_ends = year_ends or YearEnds.of(clean, periods)
    grid = _grid(authorities(year_ends.episodes), years)
    out = at_end.reindex(grid).fillna(0).reset_index()
    out["children_looked_after"] = year_ends.counts(grid).to_numpy()
    average = out["children_looked_after"] / out["iro_fte"].where(out["iro_fte"] > 0)
    out["average_caseload"] = average.round(1)
    out["recommended_min"], out["recommended_max"] = caseload_low, caseload_high
    out["caseload_band"] = pd.Series(np.select(
        [average < caseload_low, average > caseload_high, average.notna()],
        ["below", "above", "within"], ""), dtype=object).replace("", None)
    out["peak_caseload"] = peak["caseload"].reindex(grid).astype(float).round(1).to_numpy()
    out["peak_month_end"] = peak["month_end"].reindex(grid).to_numpy()
    iros = _iros_per_child(allocations, grid)
    return as_mart("iro_workforce", out.merge(iros, on=years_of, how="left"))


def _iros_per_child(allocations: pd.DataFrame, grid: pd.MultiIndex) -> pd.DataFrame:
    """Per (authority, year) of ``grid``: children allocated at some time in the year, and how
    many had 1, 2 or 3+ IROs."""
    years = list(grid.get_level_values("year_ending").unique())
    # Typed explicitly: with no complete year yet the lists are empty.
    spans = pd.DataFrame({"year_ending": pd.Series(years, dtype="int64"),
                          "start": pd.Series([year_end(y - 1) + pd.Timedelta(days=1) for y in years],
                                             dtype="datetime64[us]"),
                          "end": pd.Series([year_end(y) for y in years], dtype="datetime64[us]")})
    crossed = allocations.merge(spans, how="cross")
    live = crossed[(crossed["from_date"] <= crossed["end"])
                   & (crossed["to_date"].isna() | (crossed["to_date"] >= crossed["start"]))]
    years_of = [AUTHORITY, "year_ending"]
    per_child = live.groupby([*years_of, "child_id"])["iro_id"].nunique().clip(upper=3)
    counts = per_child.groupby(level=years_of).value_counts().unstack(fill_value=0)
    counts = counts.reindex(index=grid, columns=[1, 2, 3], fill_value=0)
    counts.columns = ["children_one_iro", "children_two_iros", "children_three_plus_iros"]
    counts["children_allocated"] = counts.sum(axis=1)
    return counts.reset_index()


# --- 6. Disputes ---------------------------------------------------------------------------

def disputes_by_stage(clean: dict[str, pd.DataFrame], years: list[int]) -> pd.DataFrame:
    """Dispute steps raised, resolved and open at 31 March, per year and stage."""
    disputes = table(clean, "disputes")
    grid = _grid(_authorities(clean), years, ("stage", codes.DISPUTE_STAGES))
    keys = [AUTHORITY, "year_ending", "stage"]
    raised = disputes.assign(year_ending=year_of(disputes["raised_date"])).groupby(keys).agg(
        raised=("child_id", "size"), children=("child_id", "nunique"))
    resolved = disputes.assign(year_ending=year_of(disputes["resolved_date"])).groupby(
        keys).size().rename("resolved")
    ends = pd.DataFrame({"year_ending": years, "end": [year_end(y) for y in years]})
    crossed = disputes.merge(ends, how="cross")
    open_ = crossed[(crossed["raised_date"] <= crossed["end"])
                    & (crossed["resolved_date"].isna() | (crossed["resolved_date"] > crossed["end"]))]
    open_ = open_.groupby(keys).size().rename("open_at_year_end")
    out = pd.concat([raised.reindex(grid), resolved.reindex(grid), open_.reindex(grid)], axis=1)
    return as_mart("disputes_by_stage", out.fillna(0).astype("int64").reset_index())


# --- 7. Trends -----------------------------------------------------------------------------

def trends(clean: dict[str, pd.DataFrame], periods: pd.DataFrame, timeliness: pd.DataFrame,
           indicator: pd.DataFrame, participation: pd.DataFrame, years: list[int],
           year_ends: YearEnds | None = None) -> pd.DataFrame:
    """Headline measures over all years, long: (year_ending, measure, unit, value).

    ``indicator`` is the rules' reviewed-within-timescales table
    (``RuleResults.indicator``); ``participation`` the output of
    :func:`participation_indicator`. Reviews held are those outside short breaks.
    """
    year_ends = year_ends or YearEnds.of(clean, periods)
    reviews = _not_short_breaks(table(clean, "reviews"), timeliness)
    reviews = reviews.assign(year_ending=year_of(reviews["review_date"]))
    years_of = [AUTHORITY, "year_ending"]
    grid = _grid(authorities(year_ends.episodes), years)
    by_year = reviews.groupby(years_of)
    timely = indicator.set_index(years_of).reindex(grid)
    views = participation.set_index(["measure", *years_of])["percent"]
    nothing = pd.Series(dtype=float, index=pd.MultiIndex.from_arrays([[], []], names=years_of))
    values = {
        "looked after at 31 March": year_ends.counts(grid),
        "reviews held in the year": by_year.size().reindex(grid, fill_value=0),
        "children reviewed in the year": by_year["child_id"].nunique().reindex(grid,
                                                                               fill_value=0),
        "reviewed within timescales cohort": timely["cohort"],
        "reviewed within timescales": timely["reviewed_on_time"],
        "reviewed within timescales %": timely["percent"],
        "communicated views at every review %": views.get(VIEWS_EVERY_REVIEW,
                                                          nothing).reindex(grid),
        "attended most recent review %": views.get(ATTENDED_LATEST, nothing).reindex(grid),
    }
    parts = [pd.DataFrame({AUTHORITY: grid.get_level_values(AUTHORITY),
                           "year_ending": grid.get_level_values("year_ending"),
                           "measure": measure,
                           "measure_code": TREND_CODES[measure], "unit": TREND_MEASURES[measure],
                           "value": np.asarray(value, dtype=float)})
             for measure, value in values.items()]
    out = pd.concat(parts, ignore_index=True).sort_values(["year_ending"], kind="stable")
    return as_mart("trends", out)


# --- All of them ---------------------------------------------------------------------------

def indicator_marts(clean: dict[str, pd.DataFrame], episodes: pd.DataFrame,
                    periods: pd.DataFrame, timeliness: pd.DataFrame, indicator: pd.DataFrame,
                    years: list[int], calendar: WorkingCalendar,
                    thresholds: Thresholds = _DEFAULTS, year_ends: YearEnds | None = None
                    ) -> dict[str, pd.DataFrame]:
    """Every yearly indicator mart, by name (the keys of ``INDICATOR_MODELS``).

    ``episodes`` carry the period ids the rules gave them (:func:`with_period_ids`), so
    the 31 March snapshots are taken once per load (``year_ends``, when the caller shares
    them with the population mart).
    """
    if not years:
        # Nothing has reached a 31 March yet: every mart is published empty.
        return {name: as_mart(name, pd.DataFrame()) for name in INDICATOR_MODELS}
    t = asdict(thresholds)
    year_ends = year_ends or YearEnds(episodes, periods)
    participation = participation_indicator(clean, periods, timeliness, years,
                                            cohort_min_days=t["cohort_min_days"],
                                            min_age=t["participation_min_age"],
                                            latest_review_base=t["latest_review_base"],
                                            year_ends=year_ends)
    reviewed = quality_reviews(clean, periods, timeliness, years, year_ends)
    return {
        "participation_indicator": participation,
        "parental_participation": parental_participation(clean, timeliness, years),
        "review_quality": review_quality(clean, periods, timeliness, years, calendar,
                                         min_age=t["participation_min_age"],
                                         sw_report_working_days=t["sw_report_working_days"],
                                         reviews=reviewed),
        "rag_distribution": rag_distribution(clean, periods, timeliness, years, reviewed),
        "population_breakdowns": population_breakdowns(
            clean, periods, years, distance_miles=t["distance_miles"],
            stability_max_age=t["stability_max_age"],
            stability_months_looked_after=t["stability_months_looked_after"],
            stability_months_same_placement=t["stability_months_same_placement"],
            new_placement_rne=t["new_placement_rne"], year_ends=year_ends),
        "iro_workforce": iro_workforce(clean, periods, years, caseload_low=t["caseload_low"],
                                       caseload_high=t["caseload_high"],
                                       default_iro_share=t["default_iro_share"],
                                       year_ends=year_ends),
        "disputes_by_stage": disputes_by_stage(clean, years),
        "trends": trends(clean, periods, timeliness, indicator, participation, years,
                         year_ends),
    }
