"""Canonical tables: what every source plugin maps its system's exports onto.

Column names are the contract's own (snake case), not any system's. Each table
also carries the lineage columns (:mod:`iro_schemas.lineage`). Checks that need
more than one column are declared in :data:`ROW_CHECKS` so the validator can
report them against the column a person would correct; keys between tables in
:data:`FOREIGN_KEYS`. The IRO-service tables are in :mod:`iro_schemas.iro`.
"""

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from iro_schemas import codes
from iro_schemas.checks import code_check
from iro_schemas.columns import date, text
from iro_schemas.iro import IRO_MODELS

Children = pa.DataFrameSchema(
    {
        "child_id": text("The authority's identifier of the child (903 CHILD).", required=True),
        "sex": text("1 male, 2 female (903 SEX).", required=True, checks=[code_check(codes.SEX)]),
        "dob": date("Date of birth.", required=True),
        "ethnic": text("Ethnicity code (903 ETHNIC).", checks=[code_check(codes.ETHNIC, warn=True)]),
        "upn": text("Unique pupil number, where known."),
    },
    name="children",
    description="One row per child known to the export (903 header).",
    strict="filter",
)

Episodes = pa.DataFrameSchema(
    {
        "child_id": text("The child (903 CHILD).", required=True),
        "decom": date("Date the episode began (903 DECOM).", required=True),
        "rne": text("Reason for new episode (903 RNE).", required=True,
                     checks=[code_check(codes.RNE)]),
        "ls": text("Legal status (903 LS).", required=True, checks=[code_check(codes.LS)]),
        "cin": text("Category of need N1-N8 (903 CIN).", checks=[code_check(codes.CIN, warn=True)]),
        "place": text("Placement type (903 PLACE).", required=True,
                       checks=[code_check(codes.PLACE)]),
        "place_provider": text("Placement provider (903 PLACE_PROVIDER)."),
        "dec": date("Date the episode ceased (903 DEC); blank while open."),
        "rec": text("Reason the episode ceased (903 REC).", checks=[code_check(codes.REC)]),
        "reason_place_change": text("Reason for placement change (903 REASON_PLACE_CHANGE)."),
        "home_post": text("Postcode district of the child's home (903 HOME_POST)."),
        "pl_post": text("Postcode district of the placement (903 PL_POST)."),
        "urn": text("Ofsted URN of the placement (903 URN)."),
        "pl_distance": pa.Column(float, nullable=True, checks=[pa.Check.ge(0)],
                                 description="Miles from home to placement (903 PL_DISTANCE)."),
        "pl_la": text("Local authority where the placement is (903 PL_LA)."),
        "pl_location": text("IN or OUT of the authority's boundary (903 PL_LOCATION).",
                             checks=[code_check({"IN", "OUT"}, warn=True)]),
    },
    name="episodes",
    description="One row per episode of care (903 episodes).",
    strict="filter",
)

Reviews = pa.DataFrameSchema(
    {
        "child_id": text("The child (903 CHILD).", required=True),
        "review_date": date("Date the review was held (903 REVIEW).", required=True),
        "review_code": text("How the child took part, PN0-PN7 (903 REVIEW_CODE).",
                             checks=[code_check(codes.REVIEW_CODE, warn=True)]),
    },
    name="reviews",
    description="One row per statutory review held (903 reviews).",
    strict="filter",
)

PeriodsOfCare = pa.DataFrameSchema(
    {
        "authority": pa.Column(str, description="The authority (blank for one read alone)."),
        "period_id": pa.Column(int, unique=True, description="Number of the period in this load."),
        "child_id": text("The child.", required=True),
        "period_start": date("DECOM of the episode that started the period (RNE S).",
                              required=True),
        "period_end": date("DEC of the episode that ended it (REC other than X1); blank if open."),
        "end_reason": text("REC of that episode.", checks=[code_check(codes.REC)]),
        "short_breaks": pa.Column(bool, description="Any episode under LS V3/V4."),
        "episodes": pa.Column(int, checks=[pa.Check.ge(1)], description="Episodes chained by X1."),
    },
    name="periods_of_care",
    description="Derived: one row per continuous period of being looked after.",
    checks=[pa.Check(lambda df: df["period_end"].isna() | (df["period_end"] >= df["period_start"]),
                     name="period_ends_after_start")],
    strict=True,
)

#: Every canonical table, parents before the tables that refer to them.
CANONICAL_MODELS: dict[str, pa.DataFrameSchema] = {
    "children": Children,
    "episodes": Episodes,
    "reviews": Reviews,
    **IRO_MODELS,
}

#: Columns identifying one record for people and for failure history, per table.
RECORD_KEYS: dict[str, tuple[str, ...]] = {
    "children": ("child_id",),
    "episodes": ("child_id", "decom"),
    "reviews": ("child_id", "review_date"),
    "notifications": ("child_id", "period_start"),
    "iro_staff": ("iro_id", "from_date"),
    "iro_allocations": ("child_id", "from_date"),
    "review_records": ("child_id", "review_date"),
    "review_participants": ("child_id", "review_date", "role"),
    "disputes": ("child_id", "raised_date", "stage"),
}


@dataclass(frozen=True)
class ForeignKey:
    """Rows of a table must match a clean row of ``parent`` on ``columns`` (where ``when`` holds)."""

    columns: tuple[str, ...]
    parent: str
    rule: str
    #: Only rows whose column has one of these values are checked (None: every row).
    when: tuple[str, tuple[str, ...]] | None = None


_CHILD = ForeignKey(("child_id",), "children", "unknown_child")
FOREIGN_KEYS: dict[str, tuple[ForeignKey, ...]] = {
    "episodes": (_CHILD,),
    "reviews": (_CHILD,),
    "notifications": (_CHILD,),
    "iro_allocations": (_CHILD, ForeignKey(("iro_id",), "iro_staff", "unknown_iro")),
    "review_records": (_CHILD, ForeignKey(("child_id", "review_date"), "reviews",
                                          "unknown_review", when=("status", codes.REVIEW_HELD))),
    "review_participants": (_CHILD, ForeignKey(("child_id", "review_date"), "reviews",
                                               "unknown_review")),
    "disputes": (_CHILD,),
}


def episode_row_failures(df: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    """Checks across columns of an episode row, and against the child's later episodes:
    {(rule, column): mask of failing rows}."""
    has_dec = df["dec"].notna()
    has_rec = df["rec"].notna()
    # The child's last episode by start date (one with no readable start sorts last, as the
    # DfE's check 142 sorts them); every earlier one must have ended.
    last = df.sort_values("decom", kind="stable").groupby("child_id", sort=False).tail(1).index
    earlier = ~df.index.isin(last) & df["child_id"].notna() & df["decom"].notna()
    # The DfE's 501: by child and start, an episode starting before the one before it ended.
    ordered = df.sort_values(["child_id", "decom"], kind="stable")
    before_end = ordered["decom"] < ordered["dec"].groupby(ordered["child_id"], sort=False).shift()
    return {
        ("episode_ends_before_start", "dec"): has_dec & (df["dec"] < df["decom"]),
        ("reason_without_end", "rec"): has_rec & ~has_dec,
        ("end_without_reason", "dec"): has_dec & ~has_rec,
        ("earlier_episode_open", "decom"): pd.Series(earlier, index=df.index) & ~(
            has_dec & has_rec),
        ("overlapping_episode", "decom"): before_end.reindex(df.index, fill_value=False),
    }


def _ends_after_starts(start: str, end: str):
    def check(df: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
        return {("ends_before_start", end): df[end].notna() & (df[end] < df[start])}
    return check


def review_record_row_failures(df: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    """Checks across columns of one review record: documents dated before the review they
    record, and a RAG rating on a review that was cancelled."""
    return {
        **{("issued_before_review", column): df[column].notna() & (df[column] < df["review_date"])
           for column in ("recommendations_issued", "record_issued")},
        ("rating_on_cancelled_review", "rag"): df["rag"].notna() & (df["status"] == "cancelled"),
    }


ROW_CHECKS = {
    "episodes": episode_row_failures,
    "review_records": review_record_row_failures,
    "iro_staff": _ends_after_starts("from_date", "to_date"),
    "iro_allocations": _ends_after_starts("from_date", "to_date"),
    "disputes": _ends_after_starts("raised_date", "resolved_date"),
}

#: The rule for a repeated record key, per table.
DUPLICATE_RULES = {
    "children": "duplicate_child", "episodes": "duplicate_episode", "reviews": "duplicate_review",
    "notifications": "duplicate_notification", "iro_staff": "duplicate_iro_staff",
    "iro_allocations": "duplicate_iro_allocation", "review_records": "duplicate_review_record",
    "review_participants": "duplicate_review_participant", "disputes": "duplicate_dispute",
}

#: Tables the core derives from the canonical ones, validated as they are built.
DERIVED_MODELS: dict[str, pa.DataFrameSchema] = {"periods_of_care": PeriodsOfCare}


def valid_codes(table: str, column: str) -> tuple[str, ...]:
    """The codes the contract accepts in a coded column (none for a column that is not)."""
    spec = CANONICAL_MODELS.get(table)
    if spec is None or column not in spec.columns:
        return ()
    for check in spec.columns[column].checks:
        if check.name in ("code_list", "code_list_warning"):
            return tuple(check.statistics["allowed_values"])
    return ()

