"""Building the published marts of one authority from its clean tables.

The rules give each mart in its contract's columns; this is the one place the contract
is checked (:func:`check_marts`), so a mart that breaks it is held back for this load
while every other mart publishes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa
from iro_schemas.marts import MART_MODELS

from iro_etl.config import Policies
from iro_etl.marts.pseudonym import pseudonymise
from iro_etl.quality.failures import RowFailures
from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.rules.flags import flag_marts
from iro_etl.rules.frames import table
from iro_etl.rules.indicators import indicator_marts
from iro_etl.rules.periods import periods_of_care, with_period_ids
from iro_etl.rules.timeliness import assign_cycles, overdue_reviews, review_cycles, review_timeliness
from iro_etl.rules.yearly import lac_population, timeliness_indicator, years_covered


@dataclass
class RuleResults:
    """The rules' output for one authority, before pseudonymising."""

    periods: pd.DataFrame
    cycles: pd.DataFrame
    timeliness: pd.DataFrame
    overdue: pd.DataFrame
    indicator: pd.DataFrame
    population: pd.DataFrame
    #: The daily flag marts and the yearly indicator marts, by mart name.
    flags: dict[str, pd.DataFrame]
    indicators: dict[str, pd.DataFrame]
    #: Reviews outside every period of care (warnings for the failures table).
    stray_reviews: pd.DataFrame


def apply_rules(clean: dict[str, pd.DataFrame], as_of: pd.Timestamp,
                calendar: WorkingCalendar, policies: Policies | None = None,
                column_names: dict[str, dict[str, str]] | None = None) -> RuleResults:
    column_names = column_names or {}
    policies = policies or Policies()
    # Every contract column, so hand-made or partial exports reach the indicators whole.
    episodes = with_period_ids(table(clean, "episodes"))
    periods = periods_of_care(episodes)
    cycles = review_cycles(episodes, periods, policies.restart_on_unplanned_move)
    reviews = clean["reviews"]
    placed = assign_cycles(reviews, cycles)
    timeliness = review_timeliness(placed, calendar)
    stray = reviews[placed["cycle_id"].isna().to_numpy()]
    as_text = stray.assign(review_date=stray["review_date"].dt.strftime("%d/%m/%Y"))
    stray_failures = RowFailures("reviews", as_text, column_names.get("reviews", {}))
    stray_failures.add(pd.Series(True, index=as_text.index), "review_outside_care", "review_date")
    years = years_covered(episodes, as_of)
    indicator = timeliness_indicator(episodes, periods, cycles, timeliness, years, calendar)
    return RuleResults(
        periods=periods,
        cycles=cycles,
        timeliness=timeliness,
        overdue=overdue_reviews(cycles, timeliness, as_of, calendar),
        indicator=indicator,
        population=lac_population(clean["children"], episodes, periods, years),
        flags=flag_marts(clean, periods, cycles, timeliness, as_of, calendar, policies.thresholds),
        indicators=indicator_marts(clean, episodes, periods, timeliness, indicator, years, calendar,
                                   policies.thresholds),
        stray_reviews=stray_failures.frame().drop(columns="_index"),
    )


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
    out = {}
    for name, frame in raw.items():
        frame = frame.copy()
        if "child_id" in frame:
            frame["child_id"] = pseudonymise(frame["child_id"], authority, key)
        frame.insert(0, "authority", authority)
        out[name] = frame
    # Restricted: the way back from pseudonym to the authority's own id, for its staff.
    own = pd.concat([f["child_id"] for f in raw.values() if "child_id" in f],
                    ignore_index=True).dropna().astype("string").drop_duplicates()
    out["child_lookup"] = pd.DataFrame({"authority": authority,
                                        "child_id": pseudonymise(own, authority, key).to_numpy(),
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
    rejected: dict[str, str]
    #: Each held-back mart as the rules built it (contract columns, unchecked), so the
    #: expectations can show which values broke it.
    held: dict[str, pd.DataFrame] = field(default_factory=dict)

    def built(self) -> dict[str, pd.DataFrame]:
        """Every mart this load built, held back or not."""
        return {**self.frames, **self.held}


def check_marts(shaped: dict[str, pd.DataFrame]) -> Marts:
    """Each mart checked against its contract, one by one."""
    frames, rejected, held = {}, {}, {}
    for name, frame in shaped.items():
        try:
            frames[name] = conform(name, frame)
        except pa.errors.SchemaErrors as exc:
            rejected[name] = contract_problems(exc)
            held[name] = _in_contract_columns(name, frame)
    return Marts(frames, rejected, held)
