"""The published marts: one pandera schema per table, with every column described.

These schemas are the single source of the marts' shape: the publisher builds
its SQL tables from them, the marts are validated against them before
publishing, and ``docs/marts.md`` is generated from them. ``child_id`` in every
mart is a keyed pseudonym (see ``iro_etl.marts.pseudonym``), never the authority's
own identifier.
"""

import pandas as pd
import pandera.pandas as pa

from iro_schemas.columns import AUTHORITY, CHILD, COUNT, LOAD_ID, YEAR_ENDING, mart_column, mart_date
from iro_schemas.flags import FLAG_MODELS
from iro_schemas.indicators import INDICATOR_MODELS

_col, _date = mart_column, mart_date


ReviewTimeliness = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "child_id": CHILD,
        "period_start": _date("Start of the period of care the review belongs to."),
        "cycle_start": _date("Start of the review cycle: the period start, or an unplanned "
                             "placement change where the authority's policy restarts the cycle."),
        "review_date": _date("Date the review was held."),
        "review_number": _col(int, "1 for the cycle's first review, 2 for the second, ..."),
        "review_type": _col(str, "first, second or subsequent.",
                            checks=[pa.Check.isin(["first", "second", "subsequent"])]),
        "due_date": _date("Latest date the review could be held on time; blank when excluded.",
                          nullable=True),
        "on_time": _col(pd.BooleanDtype(), "Held on or before the due date; blank when excluded.",
                        nullable=True),
        "days_late": _col(pd.Int64Dtype(), "Calendar days after the due date (0 when on time).",
                          nullable=True),
        "excluded_reason": _col(str, "Why the review is left out of timeliness "
                                "(short breaks), blank when it counts.", nullable=True),
    },
    name="review_timeliness",
    coerce=True,
    description="One row per review held, with its statutory due date and whether it was on time.",
)

ReviewTimelinessIndicator = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "year_ending": YEAR_ENDING,
        "cohort": _col(int, "Children looked after at 31 March for 28+ days, excluding those "
                       "placed for adoption and on short breaks.", checks=[pa.Check.ge(0)]),
        "reviewed_on_time": _col(int, "Cohort children all of whose reviews in the year were on "
                                 "time, with none due and unheld.", checks=[pa.Check.ge(0)]),
        "percent": _col(float, "reviewed_on_time / cohort x 100, one decimal; blank for an "
                        "empty cohort.", nullable=True),
    },
    name="review_timeliness_indicator",
    coerce=True,
    description="Reviewed within timescales (former NI 66 / PAF C68), per year ending 31 March.",
)

OverdueReviews = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "child_id": CHILD,
        "as_of": _date("Date the worklist was computed for."),
        "period_start": _date("Start of the open period of care."),
        "reviews_held": _col(int, "Reviews held so far in this period."),
        "last_review_date": _date("Most recent review in the period.", nullable=True),
        "review_due": _col(str, "The review that is overdue: first, second or subsequent."),
        "due_date": _date("Date the review was due by."),
        "days_overdue": _col(int, "Calendar days from the due date to as_of.",
                             checks=[pa.Check.gt(0)]),
    },
    name="overdue_reviews",
    coerce=True,
    description="Open periods of care whose next review is past due: the IRO manager's worklist.",
)

LacPopulation = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "year_ending": YEAR_ENDING,
        "age_band": _col(str, "Age at 31 March: under 1, 1-4, 5-9, 10-15, 16-17, 18+."),
        "gender": _col(str, "male or female."),
        "legal_status_group": _col(str, "Legal status at 31 March, grouped."),
        "placement_group": _col(str, "Placement at 31 March, grouped."),
        "children": COUNT,
    },
    name="lac_population",
    coerce=True,
    description="Children looked after at 31 March, counted by age band, gender, legal status "
    "and placement; sum over the columns you do not need.",
)

ValidationFailures = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "load_id": LOAD_ID,
        "table_name": _col(str, "Canonical table the row belongs to."),
        "source_file": _col(str, "Export file the row came from.", nullable=True),
        "sheet": _col(str, "Sheet of the workbook; for XML, the record's element path "
                      "(CHILD[12]/EPISODE[3]); blank for CSV.", nullable=True),
        "row": _col(pd.Int64Dtype(), "Row as numbered in Excel (the header is row 1).",
                    nullable=True),
        "column_name": _col(str, "Column of the export to correct.", nullable=True),
        "column_letter": _col(str, "Letter of that column in the file or sheet, as Excel shows it "
                              "(blank for database sources).", nullable=True),
        "value": _col(str, "The offending value as it appears in the export.", nullable=True),
        "rule": _col(str, "Rule id (see docs/rules.md)."),
        "severity": _col(str, "error (row quarantined) or warning (row kept).",
                         checks=[pa.Check.isin(["error", "warning"])]),
        "consequence": _col(str, "What the failure cost: quarantine (the row set aside), blank "
                            "(the field left blank, the row kept), keep (the row kept as it "
                            "is) or hold (the whole load held back).",
                            checks=[pa.Check.isin(["quarantine", "blank", "keep", "hold"])]),
        "message": _col(str, "What is wrong, in plain English."),
        "record_key": _col(str, "The record's own key in the export (restricted table).",
                           nullable=True),
        "dfe_rule": _col(str, "The DfE 903 validator's code for the same finding, where there "
                         "is one (e.g. 440: PN0 for a child of 4 or over).", nullable=True),
    },
    name="validation_failures",
    coerce=True,
    description="One row per problem found in the load (restricted: holds raw values).",
)

Quarantine = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "load_id": LOAD_ID,
        "table_name": _col(str, "Canonical table the row belongs to."),
        "source_file": _col(str, "Export file the row came from.", nullable=True),
        "sheet": _col(str, "Sheet of the workbook; for XML, the record's element path "
                      "(CHILD[12]/EPISODE[3]); blank for CSV.", nullable=True),
        "row": _col(pd.Int64Dtype(), "Row as numbered in Excel.", nullable=True),
        "rules": _col(str, "Rule ids that sent the row here, comma separated."),
        "record": _col(str, "The row as read from the export, as JSON (restricted table)."),
    },
    name="quarantine",
    coerce=True,
    description="Rows left out of the clean tables, kept whole so none is lost.",
)

LoadSummary = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "load_id": LOAD_ID,
        "system": _col(str, "Source plugin that read the export."),
        "as_of": _date("Date the load was computed for."),
        "table_name": _col(str, "Canonical table."),
        "rows_in": _col(int, "Rows read from the export."),
        "rows_clean": _col(int, "Rows that passed validation."),
        "rows_quarantined": _col(int, "Rows quarantined."),
        "rows_superseded": _col(int, "Rows of an earlier year's return that a later return in "
                                "the same load restates (the latest return wins), or that an "
                                "earlier source of the same load already holds; not in "
                                "rows_in."),
        "source_note": _col(str, "What the source says of the table beside its rows: e.g. "
                            "that the system does not hold it at all (the Standard "
                            "Safeguarding Dataset has no IRO notifications), so no rows is "
                            "not a fault. Blank otherwise.", nullable=True),
        "errors": _col(int, "Error failures recorded."),
        "warnings": _col(int, "Warning failures recorded."),
        "status": _col(str, "published: this load's marts are the ones readers see; held: the "
                       "export was structurally broken, so only its failures and this summary "
                       "were published and every other mart keeps the previous load.",
                       checks=[pa.Check.isin(["published", "held"])]),
        "held_reason": _col(str, "Why the load was held back, in one line; blank when published.",
                            nullable=True),
    },
    name="load_summary",
    coerce=True,
    description="Per load and table: rows in = rows clean + rows quarantined.",
    checks=[pa.Check(lambda df: df["rows_in"] == df["rows_clean"] + df["rows_quarantined"],
                     name="rows_conserved")],
)

ChildLookup = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "child_id": _col(str, "The child's pseudonym, as every shared mart names them."),
        "own_id": _col(str, "The child's id in the authority's own system (CHILD, person id)."),
    },
    name="child_lookup",
    coerce=True,
    description="Restricted: each pseudonym's child as the authority's own system names them, "
    "for the authority's staff to find the child (the restricted_ views join it on).",
)

Authorities = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "name": _col(str, "The authority's name, as configured (authorities.yaml)."),
        "system": _col(str, "Source plugin(s) its latest load read, '+' between several."),
        "calendar": _col(str, "Whose bank holidays its working days follow (country/subdivision)."),
        "as_of": _date("Date its latest load was computed for."),
        "load_id": LOAD_ID,
    },
    name="authorities",
    coerce=True,
    description="One row per authority: its name and system, for reports and BI tools to "
    "label and join on.",
)

#: Marts holding the export's own identifiers or raw values (record keys, quarantined rows):
#: for the authority's quality officers only, never for shared or regional reporting. Every
#: other mart names children by keyed pseudonym only.
RESTRICTED_MARTS = frozenset({"validation_failures", "quarantine", "failure_history",
                              "child_lookup"})
#: The worklists and flags as the authority's own staff read them: each a view of the shared
#: mart with ``own_id`` (the child's id in their system) joined on from child_lookup.
#: Restricted like child_lookup: grant them to the authority's staff, never to shared or
#: regional readers, who read the marts themselves.
RESTRICTED_VIEWS = {f"restricted_{mart}": mart for mart in (
    "review_worklist", "overdue_reviews", "late_notifications", "social_worker_reports",
    "record_timeliness", "participation_gaps", "iro_changes")}

MART_MODELS: dict[str, pa.DataFrameSchema] = {
    schema.name: schema
    for schema in (
        ReviewTimeliness,
        ReviewTimelinessIndicator,
        OverdueReviews,
        LacPopulation,
        ValidationFailures,
        Quarantine,
        LoadSummary,
    )
}

FailureHistory = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "failure_key": _col(str, "Stable key of the failure: table, record, rule and column hashed."),
        "table_name": _col(str, "Canonical table."),
        "record_key": _col(str, "The record's own key in the export (restricted table).",
                           nullable=True),
        "column_name": _col(str, "Column to correct.", nullable=True),
        "rule": _col(str, "Rule id."),
        "severity": _col(str, "error or warning.", checks=[pa.Check.isin(["error", "warning"])]),
        "message": _col(str, "The latest message for it."),
        "source_file": _col(str, "Where it was last seen.", nullable=True),
        "row": _col(pd.Int64Dtype(), "Excel row where it was last seen.", nullable=True),
        "status": _col(str, "As of the latest load: new, open (seen before too) or resolved.",
                       checks=[pa.Check.isin(["new", "open", "resolved"])]),
        "first_seen_load": LOAD_ID,
        "first_seen_on": _date("as_of of the load that first saw it."),
        "last_seen_load": LOAD_ID,
        "last_seen_on": _date("as_of of the latest load that saw it."),
        "resolved_on": _date("as_of of the load that no longer saw it.", nullable=True),
        "resolved_load": _col(str, "The load that no longer saw it.", nullable=True),
        "accepted": _col(bool, "A quality officer accepted it as a known exception."),
        "accepted_by": _col(str, "Who accepted it.", nullable=True),
        "accepted_reason": _col(str, "Why.", nullable=True),
    },
    name="failure_history",
    coerce=True,
    description="Every failure ever seen for the authority, tracked load to load "
    "(restricted: holds record keys). Accepted failures stop counting against it.",
)

FailureAcceptances = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "failure_key": _col(str, "The failure accepted (see failure_history)."),
        "accepted_by": _col(str, "Who accepted it."),
        "accepted_reason": _col(str, "Why it is a known, explained exception."),
        "accepted_at": _col(pd.DatetimeTZDtype(tz="UTC"), "When."),
    },
    name="failure_acceptances",
    coerce=True,
    description="Quality officers' acceptances, kept across loads (written by iro-etl accept).",
)

LoadLog = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "load_id": LOAD_ID,
        "as_of": _date("Date the load was computed for."),
        "status": _col(str, "published or held (see load_summary).",
                       checks=[pa.Check.isin(["published", "held"])]),
        "table_name": _col(str, "Canonical table."),
        "rows_in": _col(int, "Rows read from the export."),
        "rows_clean": _col(int, "Rows that passed validation."),
        "logged_at": _col(pd.DatetimeTZDtype(tz="UTC"), "When the load was published or held."),
    },
    name="load_log",
    coerce=True,
    description="Every load's row counts per table, published or held, kept across loads: the "
    "publish guard compares a new load with the last published one.",
)

MART_MODELS[FailureHistory.name] = FailureHistory
MART_MODELS[Authorities.name] = Authorities
MART_MODELS[ChildLookup.name] = ChildLookup
MART_MODELS.update(FLAG_MODELS)
MART_MODELS.update(INDICATOR_MODELS)
#: Tables kept across loads (not replaced by them): what people write, and the load log.
STATE_MODELS: dict[str, pa.DataFrameSchema] = {FailureAcceptances.name: FailureAcceptances,
                                               LoadLog.name: LoadLog}

#: Each mart's grain: the columns (after authority) that name one row. Checked as the
#: contract's uniqueness on every load (a mart that breaks it is held back) and created as a
#: unique index, so a BI tool can rely on it. validation_failures has none: a row is one
#: finding, and a cell may break two rules.
MART_KEYS: dict[str, tuple[str, ...]] = {
    "review_timeliness": ("child_id", "review_date"),
    "review_timeliness_indicator": ("year_ending",),
    "overdue_reviews": ("child_id", "period_start"),
    "lac_population": ("year_ending", "age_band", "gender", "legal_status_group",
                       "placement_group"),
    "quarantine": ("load_id", "table_name", "source_file", "sheet", "row"),
    "load_summary": ("load_id", "table_name"),
    "failure_history": ("failure_key",),
    "authorities": (),
    "child_lookup": ("child_id",),
    "late_notifications": ("child_id", "period_start"),
    "social_worker_reports": ("child_id", "review_date"),
    "record_timeliness": ("child_id", "review_date", "document"),
    "review_worklist": ("child_id", "period_start"),
    "participation_gaps": ("child_id", "review_date"),
    "iro_caseloads": ("iro_id",),
    "iro_changes": ("child_id", "period_start"),
    "participation_indicator": ("year_ending", "measure"),
    "parental_participation": ("year_ending", "role", "status"),
    "review_quality": ("year_ending", "basis", "measure"),
    "rag_distribution": ("year_ending", "basis", "rag"),
    "population_breakdowns": ("year_ending", "breakdown", "category"),
    "iro_workforce": ("year_ending",),
    "disputes_by_stage": ("year_ending", "stage"),
    "trends": ("year_ending", "measure_code"),
}
for _name, _keys in MART_KEYS.items():
    MART_MODELS[_name].unique = ["authority", *_keys]

