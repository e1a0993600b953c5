"""The Standard Safeguarding Dataset tables this plugin reads, with the SSD's own column names.

The SSD (data-to-insight/ssd-data-model) is one schema that authorities on SystemC/
Liquidlogic, Mosaic, Eclipse, Azeus and CareDirector populate from their own warehouse
with the project's extract SQL. Column names follow the SSD's published DDL (v1.4), and
codes follow the DfE returns: pers_sex M/F, 903 codes for start and end reasons, legal
status, placement type and participation. Each table is read as text; the assembly into
canonical tables (joins, the legal status in force) is in :mod:`iro_plugin_ssd.assemble`.
"""

from __future__ import annotations

from iro_etl.sources.warehouse import WarehouseTable, column_names

PERSON = WarehouseTable(
    "ssd_person", "children",
    {"pers_person_id": "child_id", "pers_sex": "sex", "pers_dob": "dob",
     "pers_ethnicity": "ethnic", "pers_upn": "upn"},
    required=("pers_person_id",), order_by=("pers_person_id",))

EPISODES = WarehouseTable(
    "ssd_cla_episodes", "episodes",
    {"clae_cla_episode_id": "episode_id", "clae_person_id": "child_id",
     "clae_cla_placement_id": "placement_id", "clae_cla_episode_start_date": "decom",
     "clae_cla_episode_start_reason": "rne", "clae_cla_primary_need_code": "cin",
     "clae_cla_episode_ceased_date": "dec", "clae_cla_episode_ceased_reason": "rec",
     "clae_cla_id": "cla_id"},
    required=("clae_person_id", "clae_cla_episode_start_date"),
    order_by=("clae_cla_episode_id",))

PLACEMENTS = WarehouseTable(
    "ssd_cla_placement", "episodes",
    {"clap_cla_placement_id": "placement_id", "clap_cla_placement_type": "place",
     "clap_cla_placement_urn": "urn", "clap_cla_placement_distance": "pl_distance",
     "clap_cla_placement_provider": "place_provider", "clap_cla_placement_postcode": "pl_post",
     "clap_cla_placement_change_reason": "reason_place_change"},
    required=("clap_cla_placement_id",), order_by=("clap_cla_placement_id",))

LEGAL_STATUSES = WarehouseTable(
    "ssd_legal_status", "episodes",
    {"lega_legal_status_id": "legal_status_id", "lega_person_id": "child_id",
     "lega_legal_status": "ls", "lega_legal_status_start_date": "start",
     "lega_legal_status_end_date": "end"},
    required=("lega_person_id", "lega_legal_status", "lega_legal_status_start_date"),
    order_by=("lega_legal_status_id",))

REVIEWS = WarehouseTable(
    "ssd_cla_reviews", "reviews",
    {"clar_cla_review_id": "review_id", "clar_cla_id": "cla_id",
     # Not in the SSD's DDL, but the SystemC extract SQL adds it; used when present.
     "clar_cla_person_id": "child_id",
     "clar_cla_review_date": "review_date", "clar_cla_review_cancelled": "cancelled",
     "clar_cla_review_participation": "review_code"},
    required=("clar_cla_review_id",), order_by=("clar_cla_review_id",))

INVOLVEMENTS = WarehouseTable(
    "ssd_involvements", "iro_allocations",
    {"invo_involvements_id": "involvement_id", "invo_professional_id": "iro_id",
     "invo_professional_role_id": "role", "invo_person_id": "child_id",
     "invo_involvement_start_date": "from_date", "invo_involvement_end_date": "to_date"},
    required=("invo_professional_id", "invo_person_id", "invo_professional_role_id"),
    order_by=("invo_involvements_id",))

PROFESSIONALS = WarehouseTable(
    "ssd_professionals", "iro_staff",
    {"prof_professional_id": "iro_id", "prof_professional_department": "team",
     "prof_full_time_equivalency": "fte"},
    required=("prof_professional_id",), order_by=("prof_professional_id",))

TABLES = (PERSON, EPISODES, PLACEMENTS, LEGAL_STATUSES, REVIEWS, INVOLVEMENTS, PROFESSIONALS)

#: Tables whose presence says a location is an SSD (by their own headers).
SIGNATURE = (PERSON, EPISODES)

#: Involvement roles (invo_professional_role_id) that mean the child's IRO, compared case-
#: and punctuation-insensitively. The SSD carries the source system's own involvement type
#: code here, so authorities whose code differs set the ``iro_roles`` option.
IRO_ROLES = ("IRO", "Independent Reviewing Officer")

#: What the SSD does not hold for the IRO service, per canonical table: said in the load
#: summary (not as a failure); an authority adds them through another source.
NOT_IN_SSD = {
    "notifications": "not in the SSD: the IRO manager's notifications come from another source",
    "review_records": "not in the SSD: the IRO's review records come from another source",
    "review_participants": "not in the SSD: who took part in each review comes from another "
                           "source (the SSD holds the child's participation code only)",
    "disputes": "not in the SSD: the IRO's dispute resolution log comes from another source",
}


COLUMN_NAMES = column_names(TABLES)
