"""Canonical tables: what every source plugin maps its system's exports onto.

Column names are the contract's own (snake case), not any system's. Each table
also carries the lineage columns (:mod:`iro_schemas.lineage`). Checks that need
more than one column are declared in :data:`ROW_CHECKS` so the validator can
report them against the column a person would correct. The IRO-only tables
(notifications, social-worker reports, IRO allocations, participants) key on
``child_id`` and a review or period date in the same way, so they join later
without a redesign.
"""

import pandas as pd
import pandera.pandas as pa

from iro_schemas import codes
from iro_schemas.checks import code_check, plausible_date


def _text(description: str, *, required: bool = False, checks=None) -> pa.Column:
    return pa.Column(str, nullable=not required, checks=checks, description=description)


def _date(description: str, *, required: bool = False) -> pa.Column:
    return pa.Column(
        pa.DateTime, nullable=not required, checks=[plausible_date()], description=description
    )


Children = pa.DataFrameSchema(
    {
        "child_id": _text("The authority's identifier of the child (903 CHILD).", required=True),
        "sex": _text("1 male, 2 female (903 SEX).", required=True, checks=[code_check(codes.SEX)]),
        "dob": _date("Date of birth.", required=True),
        "ethnic": _text("Ethnicity code (903 ETHNIC).", checks=[code_check(codes.ETHNIC, warn=True)]),
        "upn": _text("Unique pupil number, where known."),
    },
    name="children",
    description="One row per child known to the export (903 header).",
    strict="filter",
)

Episodes = pa.DataFrameSchema(
    {
        "child_id": _text("The child (903 CHILD).", required=True),
        "decom": _date("Date the episode began (903 DECOM).", required=True),
        "rne": _text("Reason for new episode (903 RNE).", required=True,
                     checks=[code_check(codes.RNE)]),
        "ls": _text("Legal status (903 LS).", required=True, checks=[code_check(codes.LS)]),
        "cin": _text("Category of need N1-N8 (903 CIN).", checks=[code_check(codes.CIN, warn=True)]),
        "place": _text("Placement type (903 PLACE).", required=True,
                       checks=[code_check(codes.PLACE)]),
        "place_provider": _text("Placement provider (903 PLACE_PROVIDER)."),
        "dec": _date("Date the episode ceased (903 DEC); blank while open."),
        "rec": _text("Reason the episode ceased (903 REC).", checks=[code_check(codes.REC)]),
        "reason_place_change": _text("Reason for placement change (903 REASON_PLACE_CHANGE)."),
        "home_post": _text("Postcode district of the child's home (903 HOME_POST)."),
        "pl_post": _text("Postcode district of the placement (903 PL_POST)."),
        "urn": _text("Ofsted URN of the placement (903 URN)."),
        "pl_distance": pa.Column(float, nullable=True, checks=[pa.Check.ge(0)],
                                 description="Miles from home to placement (903 PL_DISTANCE)."),
        "pl_la": _text("Local authority where the placement is (903 PL_LA)."),
        "pl_location": _text("IN or OUT of the authority's boundary (903 PL_LOCATION).",
                             checks=[code_check({"IN", "OUT"}, warn=True)]),
    },
    name="episodes",
    description="One row per episode of care (903 episodes).",
    strict="filter",
)

Reviews = pa.DataFrameSchema(
    {
        "child_id": _text("The child (903 CHILD).", required=True),
        "review_date": _date("Date the review was held (903 REVIEW).", required=True),
        "review_code": _text("How the child took part, PN0-PN7 (903 REVIEW_CODE).",
                             checks=[code_check(codes.REVIEW_CODE, warn=True)]),
    },
    name="reviews",
    description="One row per statutory review held (903 reviews).",
    strict="filter",
)

PeriodsOfCare = pa.DataFrameSchema(
    {
        "period_id": pa.Column(int, unique=True, description="Number of the period in this load."),
        "child_id": _text("The child.", required=True),
        "period_start": _date("DECOM of the episode that started the period (RNE S).",
                              required=True),
        "period_end": _date("DEC of the episode that ended it (REC other than X1); blank if open."),
        "end_reason": _text("REC of that episode.", checks=[code_check(codes.REC)]),
        "short_breaks": pa.Column(bool, description="Any episode under LS V3/V4."),
        "episodes": pa.Column(int, checks=[pa.Check.ge(1)], description="Episodes chained by X1."),
    },
    name="periods_of_care",
    description="Derived: one row per continuous period of being looked after.",
    checks=[pa.Check(lambda df: df["period_end"].isna() | (df["period_end"] >= df["period_start"]),
                     name="period_ends_after_start")],
    strict=True,
)

CANONICAL_MODELS: dict[str, pa.DataFrameSchema] = {
    "children": Children,
    "episodes": Episodes,
    "reviews": Reviews,
}

#: Columns identifying one record for people and for failure history, per table.
RECORD_KEYS: dict[str, tuple[str, ...]] = {
    "children": ("child_id",),
    "episodes": ("child_id", "decom"),
    "reviews": ("child_id", "review_date"),
}


def episode_row_failures(df: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    """Checks across columns of one episode row: {(rule, column): mask of failing rows}."""
    has_dec = df["dec"].notna()
    has_rec = df["rec"].notna()
    return {
        ("episode_ends_before_start", "dec"): has_dec & (df["dec"] < df["decom"]),
        ("reason_without_end", "rec"): has_rec & ~has_dec,
        ("end_without_reason", "dec"): has_dec & ~has_rec,
    }


ROW_CHECKS = {"episodes": episode_row_failures}

#: Tables the core derives from the canonical ones, validated as they are built.
DERIVED_MODELS: dict[str, pa.DataFrameSchema] = {"periods_of_care": PeriodsOfCare}
