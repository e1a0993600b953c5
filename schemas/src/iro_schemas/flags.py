"""The daily flag marts: one row per case the IRO manager should look at, with the reason.

Each mart is recomputed on every load for the load's run date (``as_of``) and
describes what was known on that date: a report received or a record issued
after ``as_of`` counts as not yet there. Rules and defaults are those of
``domain.md``: notification within 2 working days of becoming looked after,
the social worker's report 3+ working days before the review, recommendations
within 5 and the full record within 20 working days after it, 50-70
looked-after children per full-time IRO. "N working days after D" is the Nth
working day strictly after D (D never counts), "before" likewise.

The schemas follow :mod:`iro_schemas.marts` (``authority`` first, ``child_id``
pseudonymised on publishing); :data:`FLAG_MODELS` maps each mart's name to its
schema so they can be registered with the other marts.
"""

import pandas as pd
import pandera.pandas as pa

from iro_schemas.columns import AUTHORITY, CHILD
from iro_schemas.columns import mart_column as _col
from iro_schemas.columns import mart_date as _date

AS_OF = _date("Date the flags were computed for (the load's run date).")

LateNotifications = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "child_id": CHILD,
        "as_of": AS_OF,
        "period_start": _date("Date the child became looked after (start of the period of care)."),
        "short_breaks": _col(bool, "The period is an agreed series of short breaks (LS V3/V4)."),
        "notified_date": _date("Date the IRO manager was notified; blank if not notified by as_of.",
                               nullable=True),
        "due_date": _date("Last day on time: the 2nd working day after the period started."),
        "working_days_late": _col(pd.Int64Dtype(), "Working days after the due date that the "
                                  "notification came; blank if never notified.", nullable=True,
                                  checks=[pa.Check.gt(0)]),
        "reason": _col(str, "late or never notified.",
                       checks=[pa.Check.isin(["late", "never notified"])]),
        "first_review_date": _date("Date of the period's first review; blank if not yet held.",
                                   nullable=True),
        "first_review_on_time": _col(pd.BooleanDtype(), "The first review was held within 20 working "
                                     "days; blank if not held yet or excluded (short breaks).",
                                     nullable=True),
    },
    name="late_notifications",
    coerce=True,
    description="Periods of care whose IRO manager was notified more than 2 working days after the "
    "child became looked after, or not at all, with the first review they put at risk.",
)

SocialWorkerReports = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "child_id": CHILD,
        "as_of": AS_OF,
        "review_date": _date("Date the review was held."),
        "status": _col(str, "held or rescheduled (held later than first planned).",
                       checks=[pa.Check.isin(["held", "rescheduled"])]),
        "sw_report_received": _date("Date the social worker's report reached the IRO; blank if "
                                    "not received by as_of.", nullable=True),
        "due_date": _date("Last day on time: the 3rd working day before the review."),
        "working_days_before": _col(pd.Int64Dtype(), "Working days from receipt to the review "
                                    "(positive before it, 0 on the day, negative after); blank "
                                    "when missing. Under 3 is late.", nullable=True,
                                    checks=[pa.Check.lt(3)]),
        "reason": _col(str, "missing or late.", checks=[pa.Check.isin(["missing", "late"])]),
    },
    name="social_worker_reports",
    coerce=True,
    description="Reviews held without the social worker's report at least 3 working days before.",
)

RecordTimeliness = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "child_id": CHILD,
        "as_of": AS_OF,
        "review_date": _date("Date the review was held."),
        "document": _col(str, "recommendations (due within 5 working days) or record (the full "
                         "record, due within 20).",
                         checks=[pa.Check.isin(["recommendations", "record"])]),
        "due_date": _date("Last day on time: the 5th or 20th working day after the review."),
        "issued_date": _date("Date the document was issued; blank if not issued by as_of.",
                             nullable=True),
        "working_days_late": _col(pd.Int64Dtype(), "Working days after the due date that it was "
                                  "issued, or has been outstanding at as_of (a weekend or holiday "
                                  "counts as the next working day).", checks=[pa.Check.gt(0)]),
        "reason": _col(str, "late (issued after the due date) or not issued (still outstanding "
                       "and past due).", checks=[pa.Check.isin(["late", "not issued"])]),
    },
    name="record_timeliness",
    coerce=True,
    description="One row per held review and document issued late or still outstanding past its "
    "due date: a review with both problems has two rows.",
)

ReviewWorklist = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "child_id": CHILD,
        "as_of": AS_OF,
        "period_start": _date("Start of the open period of care."),
        "reviews_held": _col(int, "Reviews held so far in the period (or review cycle)."),
        "last_review_date": _date("Most recent review in the period.", nullable=True),
        "review_due": _col(str, "The review due next: first, second or subsequent.",
                           checks=[pa.Check.isin(["first", "second", "subsequent"])]),
        "due_date": _date("Date the review is due by."),
        "status": _col(str, "overdue (due date passed) or due soon (due within 14 days).",
                       checks=[pa.Check.isin(["overdue", "due soon"])]),
        "days_until_due": _col(int, "Calendar days from as_of to the due date; negative when "
                               "overdue."),
        "iro_id": _col(str, "The IRO allocated at as_of; blank if none.", nullable=True),
        "team": _col(str, "The IRO's team; blank if none allocated or not recorded.",
                     nullable=True),
    },
    name="review_worklist",
    coerce=True,
    description="Reviews overdue or due within 14 days for children looked after at as_of (short "
    "breaks aside), with the allocated IRO and team: the IRO manager's daily worklist.",
)

ParticipationGaps = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "child_id": CHILD,
        "as_of": AS_OF,
        "review_date": _date("Date the review was held."),
        "age_at_review": _col(int, "The child's age in whole years on the review date (4 or over, "
                              "unless the authority sets another age).", checks=[pa.Check.ge(0)]),
        "review_code": _col(str, "Participation code PN0-PN7 as recorded; blank if none.",
                            nullable=True),
        "reason": _col(str, "views not conveyed (PN7), did not attend (PN5, PN6) or not recorded "
                       "(no code, or PN0 although aged 4+).",
                       checks=[pa.Check.isin(["views not conveyed", "did not attend",
                                              "not recorded"])]),
    },
    name="participation_gaps",
    coerce=True,
    description="Reviews of children aged 4+ who did not attend, whose views were not conveyed, "
    "or whose participation was not recorded.",
)

IroCaseloads = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "as_of": AS_OF,
        "iro_id": _col(str, "The IRO; blank for the children with no IRO allocated.",
                       nullable=True),
        "team": _col(str, "The IRO's team.", nullable=True),
        "children": _col(int, "Children looked after at as_of (short breaks aside) allocated to "
                         "the IRO.", checks=[pa.Check.ge(0)]),
        "fte": _col(float, "Full-time equivalent of the post at as_of; blank if not in post.",
                    nullable=True),
        "iro_share": _col(float, "Share of the post's time on the IRO role, as recorded.",
                          nullable=True),
        "iro_fte": _col(float, "FTE on the IRO role: fte x iro_share (a blank share counts as the "
                        "whole post).", nullable=True),
        "caseload_per_fte": _col(float, "children / iro_fte, one decimal; blank without IRO time.",
                                 nullable=True),
        "band": _col(str, "below, within or above the recommended 50-70 per full-time IRO; blank "
                     "without IRO time.", nullable=True,
                     checks=[pa.Check.isin(["below", "within", "above"])]),
    },
    name="iro_caseloads",
    coerce=True,
    description="Per IRO at as_of: looked-after children allocated and caseload per IRO FTE "
    "against the IRO Handbook's 50-70.",
)

IroChanges = pa.DataFrameSchema(
    {
        "authority": AUTHORITY,
        "child_id": CHILD,
        "as_of": AS_OF,
        "period_start": _date("Start of the period of care."),
        "period_end": _date("End of the period of care; blank if open at as_of.", nullable=True),
        "allocations": _col(int, "IRO allocations overlapping the period, up to as_of.",
                            checks=[pa.Check.ge(0)]),
        "iros": _col(int, "Different IROs allocated in the period.", checks=[pa.Check.ge(0)]),
        "changes": _col(int, "Changes of IRO: allocations whose IRO differs from the one before.",
                        checks=[pa.Check.ge(0)]),
        "flagged": _col(bool, "More changes of IRO than the authority's threshold (default 1)."),
    },
    name="iro_changes",
    coerce=True,
    description="Per child and period of care: changes of IRO, flagged above the threshold.",
)

FLAG_MODELS: dict[str, pa.DataFrameSchema] = {
    schema.name: schema
    for schema in (
        LateNotifications,
        SocialWorkerReports,
        RecordTimeliness,
        ReviewWorklist,
        ParticipationGaps,
        IroCaseloads,
        IroChanges,
    )
}
