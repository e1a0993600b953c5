"""The Liquidlogic LCS reporting warehouse as this plugin sees it: its tables and their columns.

Each warehouse table feeds one canonical table. ``WAREHOUSE`` lists, per table,
the columns in the order the warehouse holds them with their storage kind (the
synthetic database is built from it); ``SPECS`` the headers the reader accepts
for each canonical column. Surrogate keys (``episode_id``, ``review_id``...)
are part of the warehouse but not of the contract: the reader only uses them to
order database rows, so lineage row numbers follow the table's primary key.
"""

from __future__ import annotations

from dataclasses import dataclass

from iro_etl.sources.readers import TableSpec

#: Storage kinds of warehouse columns: surrogate key, person key, date, number, free text.
SURROGATE, PERSON, DATE, NUMBER, TEXT = "surrogate", "person", "date", "number", "text"

#: Warehouse table -> {column: storage kind}, in the warehouse's own column order.
WAREHOUSE: dict[str, dict[str, str]] = {
    "person": {"person_id": PERSON, "gender": TEXT, "birth_date": DATE, "ethnicity_code": TEXT,
               "upn": TEXT},
    "cla_episode": {
        "episode_id": SURROGATE, "person_id": PERSON, "start_date": DATE, "rne_code": TEXT,
        "legal_status_code": TEXT, "cin_code": TEXT, "placement_type_code": TEXT,
        "provider_code": TEXT, "end_date": DATE, "reason_ceased_code": TEXT,
        "placement_change_reason": TEXT, "home_postcode": TEXT, "placement_postcode": TEXT,
        "urn": TEXT, "distance_miles": NUMBER, "placement_la": TEXT, "placement_in_out": TEXT,
    },
    "cla_review": {"review_id": SURROGATE, "person_id": PERSON, "review_date": DATE,
                   "participation_code": TEXT},
    "iro_notification": {"notification_id": SURROGATE, "person_id": PERSON,
                         "cla_start_date": DATE, "notified_date": DATE,
                         "iro_allocated_date": DATE},
    "worker": {"worker_id": TEXT, "fte": NUMBER, "iro_fte_share": NUMBER, "team_name": TEXT,
               "start_date": DATE, "end_date": DATE},
    "involvement": {"involvement_id": SURROGATE, "person_id": PERSON, "worker_id": TEXT,
                    "involvement_type": TEXT, "start_date": DATE, "end_date": DATE},
    "review_detail": {
        "review_detail_id": SURROGATE, "person_id": PERSON, "review_date": DATE,
        "review_status": TEXT, "sw_report_received_date": DATE,
        "recommendations_issued_date": DATE, "record_issued_date": DATE,
        "child_informed": TEXT, "sw_report_on_time": TEXT, "child_prepared": TEXT,
        "child_views_available": TEXT, "key_people_present": TEXT, "rag_rating": TEXT,
    },
    "review_participant": {"participant_id": SURROGATE, "person_id": PERSON, "review_date": DATE,
                           "participant_role": TEXT, "participation_status": TEXT},
    "dispute": {"dispute_id": SURROGATE, "person_id": PERSON, "raised_date": DATE,
                "dispute_stage": TEXT, "resolved_date": DATE},
}

#: Column of ``involvement`` saying what part the worker plays; not a canonical column.
INVOLVEMENT_TYPE = "involvement_type"
#: Involvement types that mean an IRO allocation, compared case- and punctuation-insensitively.
IRO_INVOLVEMENT_TYPES = ("IRO", "Independent Reviewing Officer")


@dataclass(frozen=True)
class WarehouseTable:
    """One warehouse table: its name, the canonical table it feeds, and its row order."""

    name: str
    spec: TableSpec
    #: Warehouse columns giving a stable order when read from the database (the primary key).
    order_by: tuple[str, ...]


def _table(name: str, canonical: str, columns: dict[str, tuple[str, ...]],
           required: tuple[str, ...], order_by: tuple[str, ...] = ()) -> WarehouseTable:
    # Rows are ordered by the table's primary key (its surrogate key where it has one), so a
    # person can find a reported row again with the same ORDER BY.
    keys = tuple(c for c, kind in WAREHOUSE[name].items() if kind == SURROGATE)
    return WarehouseTable(name, TableSpec(canonical, columns, required), order_by or keys)


_PERSON_ID = ("person_id", "personid", "person_ref")

TABLES: tuple[WarehouseTable, ...] = (
    _table("person", "children", {
        "child_id": _PERSON_ID,
        "sex": ("gender", "gender_code", "sex"),
        "dob": ("birth_date", "date_of_birth", "dob"),
        "ethnic": ("ethnicity_code", "ethnicity"),
        "upn": ("upn",),
    }, required=("child_id", "sex", "dob"), order_by=("person_id",)),
    _table("cla_episode", "episodes", {
        "child_id": _PERSON_ID,
        "decom": ("start_date", "episode_start_date"),
        "rne": ("rne_code", "rne"),
        "ls": ("legal_status_code", "legal_status"),
        "cin": ("cin_code", "category_of_need"),
        "place": ("placement_type_code", "placement_type"),
        "place_provider": ("provider_code", "placement_provider"),
        "dec": ("end_date", "episode_end_date"),
        "rec": ("reason_ceased_code", "reason_episode_ceased"),
        "reason_place_change": ("placement_change_reason", "reason_place_change"),
        "home_post": ("home_postcode",),
        "pl_post": ("placement_postcode",),
        "urn": ("urn", "ofsted_urn"),
        "pl_distance": ("distance_miles", "placement_distance"),
        "pl_la": ("placement_la",),
        "pl_location": ("placement_in_out", "placement_location"),
    }, required=("child_id", "decom", "rne", "ls", "place")),
    _table("cla_review", "reviews", {
        "child_id": _PERSON_ID,
        "review_date": ("review_date",),
        "review_code": ("participation_code", "review_participation"),
    }, required=("child_id", "review_date")),
    _table("iro_notification", "notifications", {
        "child_id": _PERSON_ID,
        "period_start": ("cla_start_date", "period_start_date"),
        "notified_date": ("notified_date", "notification_date"),
        "iro_allocated_date": ("iro_allocated_date",),
    }, required=("child_id", "period_start")),
    _table("worker", "iro_staff", {
        "iro_id": ("worker_id", "workerid"),
        "fte": ("fte",),
        "iro_share": ("iro_fte_share",),
        "team": ("team_name", "team"),
        "from_date": ("start_date",),
        "to_date": ("end_date",),
    }, required=("iro_id", "from_date"), order_by=("worker_id", "start_date")),
    _table("involvement", "iro_allocations", {
        "child_id": _PERSON_ID,
        "from_date": ("start_date",),
        "iro_id": ("worker_id", "workerid"),
        "to_date": ("end_date",),
        INVOLVEMENT_TYPE: ("involvement_type", "involvement_type_desc"),
    }, required=("child_id", "iro_id", "from_date", INVOLVEMENT_TYPE)),
    _table("review_detail", "review_records", {
        "child_id": _PERSON_ID,
        "review_date": ("review_date",),
        "status": ("review_status",),
        "sw_report_received": ("sw_report_received_date",),
        "recommendations_issued": ("recommendations_issued_date",),
        "record_issued": ("record_issued_date",),
        "child_informed": ("child_informed",),
        "sw_report_on_time": ("sw_report_on_time",),
        "child_prepared": ("child_prepared",),
        "child_views_available": ("child_views_available",),
        "key_people_present": ("key_people_present",),
        "rag": ("rag_rating", "rag"),
    }, required=("child_id", "review_date", "status")),
    _table("review_participant", "review_participants", {
        "child_id": _PERSON_ID,
        "review_date": ("review_date",),
        "role": ("participant_role",),
        "status": ("participation_status",),
    }, required=("child_id", "review_date", "role", "status")),
    _table("dispute", "disputes", {
        "child_id": _PERSON_ID,
        "raised_date": ("raised_date",),
        "stage": ("dispute_stage",),
        "resolved_date": ("resolved_date",),
    }, required=("child_id", "raised_date", "stage")),
)

TABLE_NAMES = tuple(t.name for t in TABLES)

#: Per canonical table, canonical column -> the warehouse column a person sees.
COLUMN_NAMES: dict[str, dict[str, str]] = {
    t.spec.table: {col: aliases[0] for col, aliases in t.spec.columns.items() if col != INVOLVEMENT_TYPE}
    for t in TABLES
}
