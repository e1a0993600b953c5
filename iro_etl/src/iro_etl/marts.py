"""Building the published marts of one authority from its clean tables."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from iro_schemas.marts import MART_MODELS

from iro_etl.failures import RowFailures
from iro_etl.periods import periods_of_care, with_period_ids
from iro_etl.pseudonym import pseudonymise
from iro_etl.timeliness import assign_periods, overdue_reviews, review_timeliness
from iro_etl.workdays import WorkingCalendar
from iro_etl.yearly import lac_population, timeliness_indicator, years_covered


@dataclass
class RuleResults:
    """The rules' output for one authority, before pseudonymising."""

    periods: pd.DataFrame
    timeliness: pd.DataFrame
    overdue: pd.DataFrame
    indicator: pd.DataFrame
    population: pd.DataFrame
    #: Reviews outside every period of care (warnings for the failures table).
    stray_reviews: pd.DataFrame


def apply_rules(clean: dict[str, pd.DataFrame], as_of: pd.Timestamp,
                calendar: WorkingCalendar,
                column_names: dict[str, dict[str, str]] | None = None) -> RuleResults:
    column_names = column_names or {}
    episodes = with_period_ids(clean["episodes"])
    periods = periods_of_care(episodes)
    reviews = clean["reviews"]
    timeliness = review_timeliness(reviews, periods, calendar)
    placed = assign_periods(reviews, periods)
    stray = reviews[placed["period_id"].isna().to_numpy()]
    as_text = stray.assign(review_date=stray["review_date"].dt.strftime("%d/%m/%Y"))
    stray_failures = RowFailures("reviews", as_text, column_names.get("reviews", {}))
    stray_failures.add(pd.Series(True, index=as_text.index), "review_outside_care", "review_date")
    years = years_covered(episodes, as_of)
    return RuleResults(
        periods=periods,
        timeliness=timeliness,
        overdue=overdue_reviews(periods, timeliness, as_of, calendar),
        indicator=timeliness_indicator(episodes, periods, timeliness, years, calendar),
        population=lac_population(clean["children"], episodes, periods, years),
        stray_reviews=stray_failures.frame().drop(columns="_index"),
    )


def mart_frames(results: RuleResults, authority: str, key: bytes) -> dict[str, pd.DataFrame]:
    """The rule marts in their published shape: authority column, pseudonymised children."""
    raw = {
        "review_timeliness": results.timeliness,
        "overdue_reviews": results.overdue,
        "review_timeliness_indicator": results.indicator,
        "lac_population": results.population,
    }
    out = {}
    for name, frame in raw.items():
        frame = frame.copy()
        if "child_id" in frame:
            frame["child_id"] = pseudonymise(frame["child_id"], authority, key)
        frame.insert(0, "authority", authority)
        out[name] = conform(name, frame)
    return out


def conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in contract order, validated against the mart's schema."""
    schema = MART_MODELS[name]
    frame = frame.reindex(columns=list(schema.columns)).reset_index(drop=True)
    return schema.validate(frame)
