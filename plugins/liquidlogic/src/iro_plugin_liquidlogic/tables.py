"""The Liquidlogic LCS reporting warehouse (``HDM.Child_Social``) as this plugin reads it.

The warehouse tables and columns are the ones SystemC's own Standard Safeguarding Dataset
extract reads (data-to-insight/ssd-data-model, deployment_extracts/systemc): people in
DIM_PERSON, episodes of care in FACT_CARE_EPISODES with their placement in
FACT_CLA_PLACEMENT and legal statuses as spans in FACT_LEGAL_STATUS, reviews in
FACT_CLA_REVIEW with the meeting's cancellation in FACT_MEETINGS and the child's
participation in FACT_MEETING_SUBJECTS, workers' involvements in FACT_INVOLVEMENTS (the
IRO's by involvement type) and workers in DIM_WORKER. Each column is renamed to the name
the SSD plugin's assembly uses for the same thing, so the two share one assembly
(:mod:`iro_plugin_ssd.assemble`).

The warehouse holds nothing of the IRO service's own records (notifications to the IRO
manager, review records, who took part, disputes): authorities that keep them in tables of
their own beside the warehouse name them here (``IRO_SERVICE``); they are optional.
"""

from __future__ import annotations

from iro_etl.sources.warehouse import WarehouseTable, column_names

PERSON = WarehouseTable(
    "DIM_PERSON", "children",
    {"DIM_PERSON_ID": "child_id", "GENDER_MAIN_CODE": "sex", "BIRTH_DTTM": "dob",
     "ETHNICITY_MAIN_CODE": "ethnic", "UPN": "upn", "DUPLICATED_DTTM": "duplicated"},
    required=("DIM_PERSON_ID",), order_by=("DIM_PERSON_ID",))

#: LCS's own ethnicity codes -> the DfE's (NAT_ID); deployments without it hold DfE codes.
ETHNICITY = WarehouseTable(
    "DIM_LOOKUP_DFE_ETHNIC", "children", {"MAIN_CODE": "main_code", "NAT_ID": "nat_id"},
    required=("MAIN_CODE", "NAT_ID"), order_by=("MAIN_CODE",), optional=True)

EPISODES = WarehouseTable(
    "FACT_CARE_EPISODES", "episodes",
    {"FACT_CARE_EPISODES_ID": "episode_id", "DIM_PERSON_ID": "child_id",
     "FACT_CLA_ID": "cla_id", "FACT_CLA_PLACEMENT_ID": "placement_id",
     "CARE_START_DATE": "decom", "CARE_REASON_DESC": "rne", "CIN_903_CODE": "cin",
     "CARE_END_DATE": "dec", "CARE_REASON_END_CODE": "rec", "OFSTED_URN": "urn"},
    required=("DIM_PERSON_ID", "CARE_START_DATE"), order_by=("FACT_CARE_EPISODES_ID",))

PLACEMENTS = WarehouseTable(
    "FACT_CLA_PLACEMENT", "episodes",
    {"FACT_CLA_PLACEMENT_ID": "placement_id", "DIM_LOOKUP_PLACEMENT_TYPE_CODE": "place",
     "DISTANCE_FROM_HOME": "pl_distance", "DIM_LOOKUP_PLACEMENT_PROVIDER_CODE": "place_provider",
     "POSTCODE": "pl_post", "DIM_LOOKUP_PLAC_CHNG_REAS_CODE": "reason_place_change"},
    required=("FACT_CLA_PLACEMENT_ID",), order_by=("FACT_CLA_PLACEMENT_ID",))

LEGAL_STATUSES = WarehouseTable(
    "FACT_LEGAL_STATUS", "episodes",
    {"FACT_LEGAL_STATUS_ID": "legal_status_id", "DIM_PERSON_ID": "child_id",
     "DIM_LOOKUP_LGL_STATUS_DESC": "ls", "START_DTTM": "start", "END_DTTM": "end"},
    required=("DIM_PERSON_ID", "DIM_LOOKUP_LGL_STATUS_DESC", "START_DTTM"),
    order_by=("FACT_LEGAL_STATUS_ID",))

REVIEWS = WarehouseTable(
    "FACT_CLA_REVIEW", "reviews",
    {"FACT_CLA_REVIEW_ID": "review_id", "FACT_CLA_ID": "cla_id", "DIM_PERSON_ID": "child_id",
     "FACT_MEETING_ID": "meeting_id", "MEETING_DTTM": "review_date"},
    required=("FACT_CLA_REVIEW_ID",), order_by=("FACT_CLA_REVIEW_ID",))

MEETINGS = WarehouseTable(
    "FACT_MEETINGS", "reviews", {"FACT_MEETING_ID": "meeting_id", "CANCELLED": "cancelled"},
    required=("FACT_MEETING_ID",), order_by=("FACT_MEETING_ID",))

MEETING_SUBJECTS = WarehouseTable(
    "FACT_MEETING_SUBJECTS", "reviews",
    {"FACT_MEETINGS_ID": "meeting_id", "DIM_PERSON_ID": "child_id",
     "DIM_LOOKUP_PARTICIPATION_CODE_DESC": "review_code"},
    required=("FACT_MEETINGS_ID", "DIM_PERSON_ID"), order_by=("FACT_MEETINGS_ID", "DIM_PERSON_ID"))

INVOLVEMENTS = WarehouseTable(
    "FACT_INVOLVEMENTS", "iro_allocations",
    {"FACT_INVOLVEMENTS_ID": "involvement_id", "DIM_WORKER_ID": "iro_id",
     "DIM_LOOKUP_INVOLVEMENT_TYPE_CODE": "role", "DIM_PERSON_ID": "child_id",
     "START_DTTM": "from_date", "END_DTTM": "to_date"},
    required=("DIM_WORKER_ID", "DIM_PERSON_ID", "DIM_LOOKUP_INVOLVEMENT_TYPE_CODE"),
    order_by=("FACT_INVOLVEMENTS_ID",))

WORKERS = WarehouseTable(
    "DIM_WORKER", "iro_staff",
    {"DIM_WORKER_ID": "iro_id", "DEPARTMENT_NAME": "team", "FULL_TIME_EQUIVALENCY": "fte"},
    required=("DIM_WORKER_ID",), order_by=("DIM_WORKER_ID",))

WAREHOUSE = (PERSON, ETHNICITY, EPISODES, PLACEMENTS, LEGAL_STATUSES, REVIEWS, MEETINGS,
             MEETING_SUBJECTS, INVOLVEMENTS, WORKERS)

#: The IRO service's own tables kept beside the warehouse (optional; named as the
#: authority's ``tables`` option says). Columns as the IRO team's tables name them.
IRO_SERVICE = (
    WarehouseTable("iro_notification", "notifications", {
        "person_id": "child_id", "cla_start_date": "period_start",
        "notified_date": "notified_date", "iro_allocated_date": "iro_allocated_date"},
        required=("person_id", "cla_start_date"), order_by=("notification_id",), optional=True),
    WarehouseTable("review_detail", "review_records", {
        "person_id": "child_id", "review_date": "review_date", "review_status": "status",
        "sw_report_received_date": "sw_report_received",
        "recommendations_issued_date": "recommendations_issued",
        "record_issued_date": "record_issued", "child_informed": "child_informed",
        "sw_report_on_time": "sw_report_on_time", "child_prepared": "child_prepared",
        "child_views_available": "child_views_available",
        "key_people_present": "key_people_present", "rag_rating": "rag"},
        required=("person_id", "review_date", "review_status"), order_by=("review_detail_id",),
        optional=True),
    WarehouseTable("review_participant", "review_participants", {
        "person_id": "child_id", "review_date": "review_date", "participant_role": "role",
        "participation_status": "status"},
        required=("person_id", "review_date", "participant_role", "participation_status"),
        order_by=("participant_id",), optional=True),
    WarehouseTable("dispute", "disputes", {
        "person_id": "child_id", "raised_date": "raised_date", "dispute_stage": "stage",
        "resolved_date": "resolved_date"},
        required=("person_id", "raised_date", "dispute_stage"), order_by=("dispute_id",),
        optional=True),
)

TABLES = (*WAREHOUSE, *IRO_SERVICE)

#: Tables whose presence (with their own headers) says a location is an LCS warehouse.
SIGNATURE = (PERSON, EPISODES)

#: Involvement types (DIM_LOOKUP_INVOLVEMENT_TYPE_CODE) that mean the child's IRO, compared
#: case- and punctuation-insensitively; an authority whose code differs sets
#: ``iro_involvement_types``.
IRO_INVOLVEMENT_TYPES = ("IRO",)

#: The warehouse's "unknown" member: a key of -1 is no person or worker at all.
UNKNOWN_KEY = "-1"

#: Said in the load summary when the IRO service's own tables are not beside the warehouse.
NOT_IN_WAREHOUSE = {
    t.feeds: f"not in the LCS warehouse: the IRO service's {t.name} table was not found "
             "(name it with the tables option, or add it through another source)"
    for t in IRO_SERVICE
}

#: Per canonical table, canonical column -> the warehouse column (table.column) to correct.
COLUMN_NAMES = column_names(TABLES)
