"""The Mosaic warehouse tables this plugin reads, with the warehouse's own column names.

Table and column names are those the public SSD extract SQL for Mosaic reads
(data-to-insight/ssd-data-model, deployment_extracts/mosaic): people in DM_PERSONS,
periods of care, legal statuses and placements (split where an episode splits) in their
own tables, CLA reviews as workflow steps of a subgroup (DM_WORKFLOW_STEPS with
DM_SUBGROUP_SUBJECTS), the IRO's forms as cached form answers (DM_CACHED_FORM_ANSWERS),
and workers with their roles, teams and professional relationships with children. Each
table is read as text; the assembly into canonical tables is in
:mod:`iro_plugin_mosaic.assemble` and :mod:`iro_plugin_mosaic.forms`.
"""

from __future__ import annotations

from iro_etl.sources.warehouse import WarehouseTable, column_names

PERSONS = WarehouseTable(
    "DM_PERSONS", "children",
    {"PERSON_ID": "child_id", "GENDER": "sex", "DATE_OF_BIRTH": "dob",
     "FULL_ETHNICITY_CODE": "ethnic", "UPN_ID": "upn"},
    required=("PERSON_ID",), order_by=("PERSON_ID",))

ETHNICITIES = WarehouseTable(
    "DM_ETHNICITIES", "children",
    {"ETHNICITY_CODE": "code", "ETHNICITY_DESCRIPTION": "description",
     "CBDS_ETHNICITY_CODE": "cbds"},
    required=("ETHNICITY_CODE",), order_by=("ETHNICITY_CODE",), optional=True)

PERIODS_OF_CARE = WarehouseTable(
    "DM_PERIODS_OF_CARE", "episodes",
    {"PERIOD_OF_CARE_ID": "period_id", "PERSON_ID": "child_id", "START_DATE": "start",
     "END_DATE": "end"},
    required=("PERIOD_OF_CARE_ID", "PERSON_ID", "START_DATE"), order_by=("PERIOD_OF_CARE_ID",))

LEGAL_STATUSES = WarehouseTable(
    "DM_LEGAL_STATUSES", "episodes",
    {"LEGAL_STATUS_ID": "legal_status_id", "PERSON_ID": "child_id", "LEGAL_STATUS": "ls",
     "START_DATE": "start", "END_DATE": "end"},
    required=("PERSON_ID", "LEGAL_STATUS", "START_DATE"), order_by=("LEGAL_STATUS_ID",))

#: One row per placement split: Mosaic splits a placement where an episode ends inside it
#: (a change of legal status, of category of need), so a split is an episode's placement.
PLACEMENTS = WarehouseTable(
    "DM_PLACEMENTS", "episodes",
    {"PLACEMENT_ID": "placement_id", "SPLIT_NUMBER": "split", "PERIOD_OF_CARE_ID": "period_id",
     "ELEMENT_DETAIL_ID": "detail_id", "START_DATE": "decom", "END_DATE": "dec",
     "PLACEMENT_TYPE": "place", "CATEGORY_OF_NEED": "cin", "REASON_EPISODE_CEASED": "rec",
     "REASON_FOR_PLACEMENT_CHANGE": "reason_place_change"},
    required=("PLACEMENT_ID", "PERIOD_OF_CARE_ID", "START_DATE"),
    order_by=("PLACEMENT_ID", "SPLIT_NUMBER"))

#: The service element behind a placement: its carer, provider and URN, split over time.
PLACEMENT_DETAILS = WarehouseTable(
    "DM_PLACEMENT_DETAILS", "episodes",
    {"ELEMENT_DETAIL_ID": "detail_id", "SPLIT_NUMBER": "split", "START_DATE": "start",
     "END_DATE": "end", "CARER_ID": "carer_id", "OFSTED_URN": "urn",
     "CIN_PROVIDER_CATEGORY_CODE": "place_provider"},
    required=("ELEMENT_DETAIL_ID", "START_DATE"), order_by=("ELEMENT_DETAIL_ID", "SPLIT_NUMBER"),
    optional=True)

WORKFLOW_STEPS = WarehouseTable(
    "DM_WORKFLOW_STEPS", "reviews",
    {"WORKFLOW_STEP_ID": "step_id", "WORKFLOW_STEP_TYPE_ID": "step_type",
     "SUBGROUP_ID": "subgroup_id", "STEP_STATUS": "step_status", "STARTED_ON": "started_on",
     "COMPLETED_ON": "completed_on", "CANCELLED_ON": "cancelled_on",
     "LAC_REVIEW_CATEGORY": "review_category", "LAC_REVIEW_DATE": "review_date",
     "LAC_REVIEW_PARTICIPATION_CODE": "review_code"},
    required=("WORKFLOW_STEP_ID", "SUBGROUP_ID"), order_by=("WORKFLOW_STEP_ID",))

SUBGROUP_SUBJECTS = WarehouseTable(
    "DM_SUBGROUP_SUBJECTS", "reviews",
    {"SUBGROUP_ID": "subgroup_id", "SUBJECT_COMPOUND_ID": "child_id",
     "SUBJECT_TYPE_CODE": "subject_type"},
    required=("SUBGROUP_ID", "SUBJECT_COMPOUND_ID"),
    order_by=("SUBGROUP_ID", "SUBJECT_TYPE_CODE", "SUBJECT_COMPOUND_ID"))

FORM_ANSWERS = WarehouseTable(
    "DM_CACHED_FORM_ANSWERS", "review_records",
    {"FORM_ID": "form_id", "WORKFLOW_STEP_ID": "step_id", "FORM_ANSWER_ROW_ID": "answer_row",
     "SUBJECT_PERSON_ID": "subject_person_id", "QUESTION_USER_CODE": "question",
     "TEXT_ANSWER": "text_answer", "DATE_ANSWER": "date_answer",
     "NUMBER_ANSWER": "number_answer"},
    required=("WORKFLOW_STEP_ID", "QUESTION_USER_CODE"),
    order_by=("FORM_ID", "WORKFLOW_STEP_ID", "FORM_ANSWER_ROW_ID", "QUESTION_USER_CODE"),
    optional=True)

PROF_RELATIONSHIPS = WarehouseTable(
    "DM_PROF_RELATIONSHIPS", "iro_allocations",
    {"PROF_RELATIONSHIP_ID": "involvement_id", "PERSON_ID": "child_id", "WORKER_ID": "iro_id",
     "PROF_REL_TYPE_CODE": "role", "START_DATE": "from_date", "END_DATE": "to_date"},
    required=("PERSON_ID", "WORKER_ID", "PROF_REL_TYPE_CODE"),
    order_by=("PROF_RELATIONSHIP_ID",))

#: Mosaic holds no FTE (the SSD's extract says it is in the HR system); ``FTE`` is read
#: where a deployment added it, or through the ``columns`` option, and blank otherwise.
WORKERS = WarehouseTable(
    "DM_WORKERS", "iro_staff", {"WORKER_ID": "iro_id", "FTE": "fte"},
    required=("WORKER_ID",), order_by=("WORKER_ID",))

WORKER_ROLES = WarehouseTable(
    "DM_WORKER_ROLES", "iro_staff",
    {"WORKER_ROLE_ID": "role_id", "WORKER_ID": "iro_id", "ORGANISATION_ID": "team_id",
     "PRIMARY_JOB": "primary_job", "START_DATE": "from_date", "END_DATE": "to_date"},
    required=("WORKER_ID", "START_DATE"), order_by=("WORKER_ROLE_ID",))

ORGANISATIONS = WarehouseTable(
    "DM_ORGANISATIONS", "iro_staff", {"ORGANISATION_ID": "team_id", "NAME": "team"},
    required=("ORGANISATION_ID",), order_by=("ORGANISATION_ID",), optional=True)

#: Optional tables (a deployment may lack them without a failure) are lookups and detail
#: the canonical tables can do without: codes are kept as written, the provider, URN,
#: carer and team are blank, the tables held as forms are empty.
TABLES = (PERSONS, ETHNICITIES, PERIODS_OF_CARE, LEGAL_STATUSES, PLACEMENTS, PLACEMENT_DETAILS,
          WORKFLOW_STEPS, SUBGROUP_SUBJECTS, FORM_ANSWERS, PROF_RELATIONSHIPS, WORKERS,
          WORKER_ROLES, ORGANISATIONS)

#: Tables whose presence says a location is a Mosaic warehouse (by their own headers).
SIGNATURE = (PERSONS, PERIODS_OF_CARE, WORKFLOW_STEPS)

#: Professional relationship types (PROF_REL_TYPE_CODE) that make a worker the child's
#: IRO, compared case- and punctuation-insensitively; option ``iro_relationships``.
IRO_RELATIONSHIPS = ("REL.IRO", "IRO")


#: Step statuses (STEP_STATUS) of a CLA review step that was held, and that was cancelled;
#: any other (PROPOSED, INCOMING, STARTED, REOPENED) is a review not held yet.
HELD = "COMPLETED"
CANCELLED = "CANCELLED"

#: Canonical tables kept as form answers -> {canonical column: question user codes, the
#: preferred first}. Authorities build their own forms, so option ``questions`` replaces
#: any of them; review records and participants are answers on the CLA review steps,
#: notifications and disputes on steps of the types in ``STEP_TYPES``.
QUESTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "review_records": {
        "status": ("iro.review.status",),
        "sw_report_received": ("iro.sw.report.received",),
        "recommendations_issued": ("iro.recommendations.issued",),
        "record_issued": ("iro.review.record.issued",),
        "child_informed": ("iro.child.informed",),
        "sw_report_on_time": ("iro.sw.report.3days",),
        "child_prepared": ("iro.child.prepared",),
        "child_views_available": ("iro.child.views",),
        "key_people_present": ("iro.key.people",),
        "rag": ("iro.rag.rating",),
    },
    "review_participants": {
        "role": ("iro.participant.role",),
        "status": ("iro.participant.status",),
    },
    "notifications": {
        "period_start": ("iro.notif.cla.start",),
        "notified_date": ("iro.notif.date",),
        "iro_allocated_date": ("iro.notif.allocated",),
    },
    "disputes": {
        "raised_date": ("iro.drp.raised",),
        "stage": ("iro.drp.stage",),
        "resolved_date": ("iro.drp.resolved",),
    },
}

#: Tables kept on steps of their own type -> WORKFLOW_STEP_TYPE_IDs; option ``step_types``.
STEP_TYPES: dict[str, tuple[str, ...]] = {"notifications": ("1310",), "disputes": ("1320",)}

#: Answers that are words ("Held", "Stage 1", "Mother"): compared lower-cased, one space.
LABELS = {"review_records": ("status", "rag"), "review_participants": ("role", "status"),
          "disputes": ("stage",)}

COLUMN_NAMES = column_names(TABLES)
