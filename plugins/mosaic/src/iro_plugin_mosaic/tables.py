"""The Mosaic warehouse tables as extracted to CSV: accepted headers, and the IRO form defaults.

Mosaic's data warehouse keeps people, their 903 episodes and reviews in
``dm_`` tables, and everything the IRO service records as workflow steps whose
form answers sit in a long table (one row per answer). Each extract is a CSV
file named after its table (``dm_persons.csv``, ...).

Tables that hold one canonical row per warehouse row use the canonical column
names in their :class:`TableSpec` (so an authority's ``columns`` option names
them the same way as for every system); the workflow tables use the
warehouse's own column names, as they feed several canonical tables.
"""

from iro_etl.sources.readers import TableSpec

#: dm_persons: every person Mosaic knows (children, parents, carers); gender is M/F.
PERSONS = TableSpec(
    "children",
    {
        "child_id": ("person_id", "person_ref"),
        "sex": ("gender", "gender_code"),
        "dob": ("date_of_birth", "dob"),
        "ethnic": ("ethnicity", "ethnicity_code"),
        "upn": ("upn",),
    },
    required=("child_id", "sex", "dob"),
)

#: dm_cla_episodes: the 903-style episodes Mosaic builds for the return.
EPISODES = TableSpec(
    "episodes",
    {
        "child_id": ("person_id", "person_ref"),
        "decom": ("start_date", "episode_start_date"),
        "rne": ("rne", "reason_new_episode"),
        "ls": ("legal_status",),
        "cin": ("cin", "category_of_need"),
        "place": ("placement_type",),
        "place_provider": ("placement_provider",),
        "dec": ("end_date", "episode_end_date"),
        "rec": ("reason_ceased", "reason_episode_ceased"),
        "reason_place_change": ("reason_place_change", "reason_placement_change"),
        "home_post": ("home_postcode",),
        "pl_post": ("placement_postcode",),
        "urn": ("urn",),
        "pl_distance": ("distance_from_home", "placement_distance"),
        "pl_la": ("placement_la",),
        "pl_location": ("placement_location",),
    },
    required=("child_id", "decom", "rne", "ls", "place"),
)

#: dm_cla_reviews: statutory reviews with the child's participation code.
REVIEWS = TableSpec(
    "reviews",
    {
        "child_id": ("person_id", "person_ref"),
        "review_date": ("review_date",),
        "review_code": ("participation_code",),
    },
    required=("child_id", "review_date"),
)

#: dm_workers: every worker; only those with an IRO job title become IRO staff.
WORKERS = TableSpec(
    "iro_staff",
    {
        "iro_id": ("worker_id",),
        "fte": ("fte", "contracted_fte"),
        "iro_share": ("iro_proportion",),
        "team": ("team_name", "team"),
        "from_date": ("start_date",),
        "to_date": ("end_date",),
        # Not canonical: used to pick the IROs out of all workers, then dropped.
        "job_title": ("job_title",),
    },
    required=("iro_id", "from_date"),
)

#: dm_review_participants: who took part in a review, keyed on the review record's step.
PARTICIPANTS = TableSpec(
    "review_participants",
    {
        "step_id": ("step_id",),
        "role": ("participant_role",),
        "status": ("participation",),
    },
    required=("step_id", "role", "status"),
)

#: dm_workflow_steps: one row per workflow step (of every kind) started for a person.
STEPS = TableSpec(
    "dm_workflow_steps",
    {
        "step_id": ("step_id", "workflow_step_id"),
        "person_id": ("person_id", "subject_person_id"),
        "step_type": ("step_type", "step_type_description"),
        "step_status": ("step_status",),
        "started_on": ("started_on",),
        "completed_on": ("completed_on",),
    },
    required=("step_id", "person_id", "step_type"),
)

#: dm_step_answers: the steps' form answers in long format, one row per answer.
ANSWERS = TableSpec(
    "dm_step_answers",
    {
        "step_id": ("step_id", "workflow_step_id"),
        "question_code": ("question_code", "question_user_code"),
        "answer_text": ("answer_text", "answer"),
    },
    required=("step_id", "question_code", "answer_text"),
)

#: Warehouse table name (the extract's file stem) -> its spec, in reading order.
WAREHOUSE = {
    "dm_persons": PERSONS,
    "dm_cla_episodes": EPISODES,
    "dm_cla_reviews": REVIEWS,
    "dm_workers": WORKERS,
    "dm_workflow_steps": STEPS,
    "dm_step_answers": ANSWERS,
    "dm_review_participants": PARTICIPANTS,
}

#: The key column by which each warehouse table is recognised, and ordered when read from a database.
KEYS = {"dm_persons": "child_id", "dm_cla_episodes": "child_id", "dm_cla_reviews": "child_id",
        "dm_workers": "iro_id", "dm_workflow_steps": "step_id", "dm_step_answers": "step_id",
        "dm_review_participants": "step_id"}

#: Surrogate keys of the warehouse tables: database rows are read in this order, so row numbers
#: (and "the later answer wins") follow the order rows were created in.
SURROGATE_KEYS = {"dm_persons": "person_id", "dm_cla_episodes": "episode_id", "dm_cla_reviews": "review_id",
                  "dm_workers": "worker_id", "dm_workflow_steps": "step_id", "dm_step_answers": "answer_id",
                  "dm_review_participants": "participant_id"}

#: The workflow tables: they feed several canonical tables through the mapping, and only Mosaic
#: holds them in this shape, so their header alone tells a Mosaic extract.
WORKFLOW_TABLES = ("dm_workflow_steps", "dm_step_answers")

#: Canonical tables built from workflow steps -> the step types that record them.
STEP_TYPES: dict[str, tuple[str, ...]] = {
    "notifications": ("IRO Notification",),
    "iro_allocations": ("IRO Allocation",),
    "review_records": ("CLA Review Record",),
    "disputes": ("Dispute Resolution",),
}

#: Canonical columns held as form answers -> the question codes of the standard forms.
QUESTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "notifications": {
        "period_start": ("CLA_START_DATE",),
        "notified_date": ("IRO_NOTIFIED_DATE",),
        "iro_allocated_date": ("IRO_ALLOCATED_DATE",),
    },
    "iro_allocations": {
        "iro_id": ("IRO_WORKER_ID",),
        "from_date": ("ALLOCATION_START",),
        "to_date": ("ALLOCATION_END",),
    },
    "review_records": {
        "review_date": ("REVIEW_DATE",),
        "status": ("REVIEW_STATUS",),
        "sw_report_received": ("SW_REPORT_RECEIVED",),
        "recommendations_issued": ("RECOMMENDATIONS_ISSUED",),
        "record_issued": ("REVIEW_RECORD_ISSUED",),
        "child_informed": ("CHECK_CHILD_INFORMED",),
        "sw_report_on_time": ("CHECK_REPORT_3_DAYS",),
        "child_prepared": ("CHECK_CHILD_PREPARED",),
        "child_views_available": ("CHECK_CHILD_VIEWS",),
        "key_people_present": ("CHECK_KEY_PEOPLE",),
        "rag": ("IRO_RAG_RATING",),
    },
    "disputes": {
        "raised_date": ("DRP_DATE_RAISED",),
        "stage": ("DRP_STAGE",),
        "resolved_date": ("DRP_DATE_RESOLVED",),
    },
}

#: Answers and lookups shown as labels ("Held", "Stage 1", "Mother"): compared lower-cased.
LABEL_COLUMNS = {"review_records": ("status", "rag"), "disputes": ("stage",),
                 "review_participants": ("role", "status")}

#: Job titles that make a worker an IRO (compared case-, space- and punctuation-insensitively).
IRO_JOB_TITLES = ("Independent Reviewing Officer", "Senior Independent Reviewing Officer", "IRO",
                  "Senior IRO")

#: Step statuses of steps that were voided: their answers are not records.
VOID_STEP_STATUSES = ("CANCELLED", "CANCELED", "DELETED")

#: Mosaic's gender codes -> 903 SEX; anything else is passed on for the core to report.
GENDER = {"M": "1", "MALE": "1", "F": "2", "FEMALE": "2"}
