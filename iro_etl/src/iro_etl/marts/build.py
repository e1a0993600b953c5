"""Building the published marts of one authority (or of several stacked) from clean tables.

The rules give each mart in its contract's columns; this is the one place the contract
is checked (:func:`check_marts`), so a mart that breaks it is held back for this load
while every other mart publishes. Several authorities' tables stacked
(:func:`iro_etl.rules.stack.stack`) go through the rules once, and
:func:`split_results` gives each authority its own results.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
import pandera.pandas as pa
from iro_schemas.canonical import CANONICAL_MODELS
from iro_schemas.marts import MART_MODELS

from iro_etl.config import Policies
from iro_etl.marts.pseudonym import pseudonymise
from iro_etl.quality.failures import RowFailures
from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.rules.flags import flag_marts
from iro_etl.rules.frames import AUTHORITY, lookup, table
from iro_etl.rules.indicators import indicator_marts
from iro_etl.rules.periods import periods_of_care, with_period_ids
from iro_etl.rules.stack import unstack
from iro_etl.rules.timeliness import assign_cycles, overdue_reviews, review_cycles, review_timeliness
from iro_etl.rules.yearly import (
    YearEnds,
    first_years,
    lac_population,
    timeliness_indicator,
    years_covered,
)


@dataclass
class RuleResults:
    """The rules' output for one authority (or several stacked), before pseudonymising.

    Period and cycle ids number the periods of everything the rules ran over together.
    """

    periods: pd.DataFrame
    cycles: pd.DataFrame
    timeliness: pd.DataFrame
    overdue: pd.DataFrame
    indicator: pd.DataFrame
    population: pd.DataFrame
    #: The daily flag marts and the yearly indicator marts, by mart name.
    flags: dict[str, pd.DataFrame]
    indicators: dict[str, pd.DataFrame]
    #: Reviews outside every period of care (see :func:`stray_failures`).
    stray_reviews: pd.DataFrame


def _in_years(frame: pd.DataFrame, first: pd.Series) -> pd.DataFrame:
    """Rows of a yearly mart in one of its authority's own years (from ``first`` on)."""
    own = frame["year_ending"].astype("float64") >= lookup(frame[AUTHORITY], first)
    return frame[own.to_numpy()].reset_index(drop=True)


def apply_rules(clean: dict[str, pd.DataFrame], as_of: pd.Timestamp,
                calendar: WorkingCalendar, policies: Policies | None = None) -> RuleResults:
    """Every rule over the clean tables of one authority, or of several stacked that share
    ``as_of``, ``calendar`` and ``policies``."""
    policies = policies or Policies()
    # Every contract column, so hand-made or partial exports reach the indicators whole.
    clean = {name: table(clean, name) for name in CANONICAL_MODELS}
    episodes = with_period_ids(clean["episodes"])
    periods = periods_of_care(episodes)
    cycles = review_cycles(episodes, periods, policies.restart_on_unplanned_move)
    reviews = clean["reviews"]
    placed = assign_cycles(reviews, cycles)
    timeliness = review_timeliness(placed, calendar)
    # The yearly marts are worked out over every year any stacked authority has, then
    # each authority keeps its own years.
    years = years_covered(episodes, as_of)
    first = first_years(episodes, as_of)
    # The 31 March snapshots, shared by the population and the indicators.
    year_ends = YearEnds(episodes, periods)
    indicator = timeliness_indicator(year_ends, cycles, timeliness, years, calendar)
    indicators = indicator_marts(clean, episodes, periods, timeliness, indicator, years, calendar,
                                 policies.thresholds, year_ends)
    return RuleResults(
        periods=periods,
        cycles=cycles,
        timeliness=timeliness,
        overdue=overdue_reviews(cycles, timeliness, as_of, calendar),
        indicator=_in_years(indicator, first),
        population=_in_years(lac_population(clean["children"], year_ends, years), first),
        flags=flag_marts(clean, periods, cycles, timeliness, as_of, calendar, policies.thresholds),
        indicators={name: _in_years(frame, first) for name, frame in indicators.items()},
        stray_reviews=reviews[placed["cycle_id"].isna().to_numpy()],
    )


def split_results(results: RuleResults, codes: list[str]) -> dict[str, RuleResults]:
    """Each authority's own results from results of several stacked (see module docstring)."""
    parts = {}
    for item in fields(RuleResults):
        value = getattr(results, item.name)
        if isinstance(value, dict):
            by_mart = {name: unstack(frame, codes) for name, frame in value.items()}
            parts[item.name] = {code: {name: by_mart[name][code] for name in value}
                                for code in codes}
        else:
            parts[item.name] = unstack(value, codes)
    return {code: RuleResults(**{name: part[code] for name, part in parts.items()})
            for code in codes}


def stray_failures(stray: pd.DataFrame, column_names: dict[str, dict[str, str]]) -> pd.DataFrame:
    """Warnings for reviews outside every period of care, in the authority's own headers."""
    as_text = stray.assign(review_date=stray["review_date"].dt.strftime("%d/%m/%Y"))
    failures = RowFailures("reviews", as_text, column_names.get("reviews", {}))
    failures.add(pd.Series(True, index=as_text.index), "review_outside_care", "review_date")
    return failures.frame().drop(columns="_index")


def mart_frames(results: RuleResults, authority: str, key: bytes) -> dict[str, pd.DataFrame]:
    """The rule marts in their published shape (authority column, pseudonymised children),
    not yet checked against the contract (see :func:`conform`)."""
    raw = {
        "review_timeliness": results.timeliness,
        "overdue_reviews": results.overdue,
        "review_timeliness_indicator": results.indicator,
        "lac_population": results.population,
        **results.flags,
        **results.indicators,
    }
    # Every child once, though most are in several marts.
    own = pd.concat([f["child_id"] for f in raw.values() if "child_id" in f],
                    ignore_index=True).dropna().astype("string").drop_duplicates()
    hashed = pseudonymise(own, authority, key)
    digests = dict(zip(own, hashed, strict=True))
    out = {}
    for name, frame in raw.items():
        frame = frame.assign(**{AUTHORITY: authority})
        if "child_id" in frame:
            frame["child_id"] = frame["child_id"].map(digests)
        out[name] = frame
    # Restricted: the way back from pseudonym to the authority's own id, for its staff.
    out["child_lookup"] = pd.DataFrame({"authority": authority,
                                        "child_id": hashed.to_numpy(),
                                        "own_id": own.to_numpy()})
    return out


def _in_contract_columns(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.reindex(columns=list(MART_MODELS[name].columns)).reset_index(drop=True)


def conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in contract order, validated (lazily, every check) against the mart's schema."""
    return MART_MODELS[name].validate(_in_contract_columns(name, frame), lazy=True)


def contract_problems(error: pa.errors.SchemaErrors) -> str:
    """What broke a mart's contract, by column and check, with counts but no values."""
    cases = error.failure_cases
    counts = cases.groupby(["column", "check"], dropna=False).size()
    return "; ".join(f"{'table' if pd.isna(col) else col}: {check} ({n} rows)"
                     for (col, check), n in counts.items())


@dataclass
class Marts:
    """One load's marts: those that meet their contract, and those held back (and why)."""

    frames: dict[str, pd.DataFrame]
    #: A mart that breaks its contract is not published for this authority: readers keep
    #: the previous load's rows, and the reason goes to Dagster's checks.
    rejected: dict[str, str] = field(default_factory=dict)
    #: Each held-back mart as the rules built it (contract columns, unchecked), so the
    #: expectations can show which values broke it.
    held: dict[str, pd.DataFrame] = field(default_factory=dict)

    def built(self) -> dict[str, pd.DataFrame]:
        """Every mart this load built, held back or not."""
        return {**self.frames, **self.held}


def _check(marts: Marts, name: str, frame: pd.DataFrame) -> None:
    try:
        marts.frames[name] = conform(name, frame)
    except pa.errors.SchemaErrors as exc:
        marts.rejected[name] = contract_problems(exc)
        marts.held[name] = _in_contract_columns(name, frame)


def check_marts(shaped: dict[str, pd.DataFrame]) -> Marts:
    """Each mart checked against its contract, one by one."""
    return check_loads([shaped])[0]


def check_loads(loads: list[dict[str, pd.DataFrame]]) -> list[Marts]:
    """The marts of several loads, as :func:`check_marts` checks each load's: every mart is
    checked once over all the loads, and only if that fails load by load, so that a mart
    breaking its contract is held back for its own authority alone."""
    out = [Marts({}) for _ in loads]
    for name in dict.fromkeys(name for shaped in loads for name in shaped):
        frames = [shaped[name] for shaped in loads]
        if len(frames) == 1:
            _check(out[0], name, frames[0])
            continue
        try:
            together = conform(name, pd.concat([_in_contract_columns(name, frame)
                                                for frame in frames], ignore_index=True))
        except pa.errors.SchemaErrors:
            for marts, frame in zip(out, frames, strict=True):
                _check(marts, name, frame)
            continue
        # Checking keeps the rows in order: each load's are where the concatenation put them.
        bounds = np.cumsum([0, *map(len, frames)])
        for marts, start, end in zip(out, bounds[:-1], bounds[1:], strict=True):
            marts.frames[name] = together.iloc[start:end].reset_index(drop=True)
    return out
