"""Canonical IRO-service tables: what only the case-recording systems hold.

Notifications to the IRO manager, IRO allocations and staff, the IRO's record
of each review (reports, recommendations, checklist, RAG rating), who took
part, and disputes. They key on ``child_id`` plus a date, like the 903 tables,
and their foreign keys are declared in :data:`iro_schemas.canonical.FOREIGN_KEYS`.
"""

import pandera.pandas as pa

from iro_schemas import codes
from iro_schemas.checks import code_check
from iro_schemas.columns import date, flag, number, text

Notifications = pa.DataFrameSchema(
    {
        "child_id": text("The child.", required=True),
        "period_start": date("Date the child became looked after.", required=True),
        "notified_date": date("Date the IRO manager was told; blank if never."),
        "iro_allocated_date": date("Date an IRO was allocated; blank if not yet."),
    },
    name="notifications",
    description="One row per period of care: when the IRO manager was notified.",
    strict="filter",
)

IroStaff = pa.DataFrameSchema(
    {
        "iro_id": text("The authority's identifier of the IRO (no names).", required=True),
        "fte": number("Full-time equivalent of the post (1.0 = full time). A blank keeps the "
                      "IRO (a warning): their caseload per FTE is blank and the workforce's "
                      "FTE leaves them out.", expected=True,
                      checks=[pa.Check.in_range(0.05, 1.5)]),
        "iro_share": number("Share of the post's time on the IRO role, 0-1 (the rest chairs "
                            "conferences etc.).", checks=[pa.Check.in_range(0, 1)]),
        "team": text("Team, for worklists by team."),
        "from_date": date("First day in post (or on these hours).", required=True),
        "to_date": date("Last day; blank while in post."),
    },
    name="iro_staff",
    description="One row per IRO and spell of hours.",
    strict="filter",
)

IroAllocations = pa.DataFrameSchema(
    {
        "child_id": text("The child.", required=True),
        "iro_id": text("The IRO allocated.", required=True),
        "from_date": date("First day of the allocation.", required=True),
        "to_date": date("Last day; blank while allocated."),
    },
    name="iro_allocations",
    description="One row per IRO allocated to a child, for the time allocated.",
    strict="filter",
)

ReviewRecords = pa.DataFrameSchema(
    {
        "child_id": text("The child.", required=True),
        "review_date": date("Date the review was (or was to be) held.", required=True),
        "status": text("held, rescheduled (held later than planned) or cancelled.",
                       required=True, checks=[code_check(codes.REVIEW_STATUSES)]),
        "sw_report_received": date("Date the social worker's report reached the IRO."),
        "recommendations_issued": date("Date the IRO's recommendations were issued."),
        "record_issued": date("Date the full record of the review was issued."),
        "child_informed": flag("Checklist: the child knows why they are looked after."),
        "sw_report_on_time": flag("Checklist: the report came 3+ working days before."),
        "child_prepared": flag("Checklist: the young person (4+) was prepared."),
        "child_views_available": flag("Checklist: the young person's views were available."),
        "key_people_present": flag("Checklist: all key people present or reported."),
        "rag": text("The IRO's RAG rating of the case.", checks=[code_check(codes.RAG)]),
    },
    name="review_records",
    description="One row per review the IRO chaired or planned: timings, checklist, rating.",
    strict="filter",
)

ReviewParticipants = pa.DataFrameSchema(
    {
        "child_id": text("The child.", required=True),
        "review_date": date("The review.", required=True),
        "role": text("mother, father, step parent, connected person or child.", required=True,
                     checks=[code_check(codes.PARTICIPANT_ROLES)]),
        "status": text("attended, consulted, not applicable, no consultation, not recorded.",
                       required=True, checks=[code_check(codes.PARTICIPATION_STATUSES)]),
    },
    name="review_participants",
    description="One row per review and participant role: how they took part.",
    strict="filter",
)

Disputes = pa.DataFrameSchema(
    {
        "child_id": text("The child.", required=True),
        "raised_date": date("Date the IRO raised the issue.", required=True),
        "stage": text("informal, stage 1-3, or cafcass (referral).", required=True,
                      checks=[code_check(codes.DISPUTE_STAGES)]),
        "resolved_date": date("Date it was resolved; blank while open."),
    },
    name="disputes",
    description="One row per dispute-resolution step the IRO took.",
    strict="filter",
)

IRO_MODELS: dict[str, pa.DataFrameSchema] = {
    schema.name: schema
    for schema in (Notifications, IroStaff, IroAllocations, ReviewRecords, ReviewParticipants,
                   Disputes)
}
