"""The shape of Eclipse data: its structured tables, its forms table and the default form layouts.

Eclipse (OLM Systems) keeps a few things as structured tables (``people``,
``cla_episodes``, ``staff``) and records most case work as *forms*: one row per
form instance with its type, the person it is about, when it was created, its
status and its answers as a JSON document. The same names serve an extract
folder (``people.csv``, ``cla_episodes.csv``, ``staff.csv``, ``forms.jsonl``) and
a reporting database (tables ``people``, ``cla_episodes``, ``staff``, ``forms``).

Which form type feeds which canonical table, and under which JSON keys each
answer sits, are defaults here; authorities build their forms differently, so
the plugin's ``form_types`` and ``fields`` options extend them (see plugin.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from iro_etl.quality.failures import FILE_LEVEL
from iro_etl.sources.readers import TableSpec

PEOPLE = TableSpec(
    "children",
    {
        "child_id": ("person_id", "PERSON ID", "PersonID"),
        "sex": ("gender",),
        "dob": ("dob", "date_of_birth"),
        "ethnic": ("ethnicity", "ethnicity_code"),
        "upn": ("upn",),
    },
    required=("child_id", "sex", "dob"),
)

CLA_EPISODES = TableSpec(
    "episodes",
    {
        "child_id": ("person_id", "PERSON ID", "PersonID"),
        "decom": ("decom", "episode_start"),
        "rne": ("rne", "reason_new_episode"),
        "ls": ("ls", "legal_status"),
        "cin": ("cin", "category_of_need"),
        "place": ("place", "placement_type"),
        "place_provider": ("place_provider", "placement_provider"),
        "dec": ("dec", "episode_end"),
        "rec": ("rec", "reason_episode_ceased"),
        "reason_place_change": ("reason_place_change",),
        "home_post": ("home_post",),
        "pl_post": ("pl_post",),
        "urn": ("urn",),
        "pl_distance": ("pl_distance",),
        "pl_la": ("pl_la",),
        "pl_location": ("pl_location",),
    },
    required=("child_id", "decom", "rne", "ls", "place"),
)

STAFF = TableSpec(
    "iro_staff",
    {
        "iro_id": ("staff_id", "worker_id"),
        "fte": ("fte",),
        "iro_share": ("iro_share", "iro_proportion"),
        "team": ("team", "team_name"),
        "from_date": ("start_date",),
        "to_date": ("end_date",),
    },
    required=("iro_id", "from_date"),
)

#: The structured tables, in the order the core validates them.
STRUCTURED_SPECS: tuple[TableSpec, ...] = (PEOPLE, CLA_EPISODES, STAFF)

#: Name of the forms table in the ``columns`` option (it is not a canonical table).
FORMS_OPTION = "forms"

#: The forms table. Its failures are file-level: a form's canonical table is known only
#: once its type has been read.
FORMS = TableSpec(
    FILE_LEVEL,
    {
        "form_id": ("form_id", "form_instance_id"),
        "form_type": ("form_type", "form_type_code"),
        "person_id": ("person_id", "subject_person_id"),
        "created_at": ("created_at", "created_on"),
        "status": ("status", "form_status"),
        "answers": ("answers", "form_data"),
    },
    required=("form_type", "person_id", "status", "answers"),
)

#: Extract file of each structured table, and of the forms.
EXTRACT_FILES = {"children": "people.csv", "episodes": "cla_episodes.csv", "iro_staff": "staff.csv"}
FORMS_FILE = "forms.jsonl"
#: Suffixes of files holding forms one JSON object per line.
JSONL_SUFFIXES = (".jsonl", ".ndjson")

#: Database table of each structured table and the columns giving its rows a stable order.
DB_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "children": ("people", ("person_id",)),
    "episodes": ("cla_episodes", ("episode_id", "person_id", "decom")),
    "iro_staff": ("staff", ("staff_id", "start_date")),
}
DB_FORMS = ("forms", ("form_id",))

#: Eclipse records gender as words; the 903 codes them. Other values pass through to the
#: core, which reports them (or the authority translates them with the ``codes`` option).
GENDER_CODES = {"male": "1", "m": "1", "1": "1", "female": "2", "f": "2", "2": "2"}

#: Pseudo-column of the review-participation form: the JSON key holding its list of
#: participants. The ``role`` and ``status`` keys of that table are read inside each item.
PARTICIPANTS = "participants"


@dataclass(frozen=True)
class FormLayout:
    """One canonical table filled from one form type: the JSON keys of each canonical column.

    Keys may be dotted paths into nested objects (``checklist.child_informed``); where
    several keys are given (older form versions) the first one answered wins.
    ``child_id`` is the form's ``person_id`` unless a key names it in the answers.
    """

    table: str
    form_types: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]

    def display(self, column: str) -> str:
        """The answer a person would correct, as named in failure messages."""
        if column == "child_id" and not self.fields.get(column):
            return FORMS.display("person_id")
        key = self.fields[column][0]
        if self.table == "review_participants" and column in ("role", "status"):
            return f"answers.{self.fields[PARTICIPANTS][0]}[].{key}"
        return f"answers.{key}"


FORM_LAYOUTS: tuple[FormLayout, ...] = (
    FormLayout("reviews", ("CLA_REVIEW",), {
        "review_date": ("review_date", "date_of_review"),
        "review_code": ("participation_code", "review_code"),
    }),
    FormLayout("notifications", ("IRO_NOTIFICATION",), {
        "period_start": ("period_start", "date_became_looked_after"),
        "notified_date": ("date_notified",),
        "iro_allocated_date": ("date_iro_allocated",),
    }),
    FormLayout("iro_allocations", ("IRO_ALLOCATION",), {
        "iro_id": ("iro_worker_id", "iro_id"),
        "from_date": ("start_date",),
        "to_date": ("end_date",),
    }),
    FormLayout("review_records", ("IRO_REVIEW_RECORD",), {
        "review_date": ("review_date", "date_of_review"),
        "status": ("outcome",),
        "sw_report_received": ("date_sw_report_received",),
        "recommendations_issued": ("date_recommendations_issued",),
        "record_issued": ("date_record_issued",),
        "child_informed": ("checklist.child_informed",),
        "sw_report_on_time": ("checklist.sw_report_on_time",),
        "child_prepared": ("checklist.child_prepared",),
        "child_views_available": ("checklist.child_views_available",),
        "key_people_present": ("checklist.key_people_present",),
        "rag": ("rag_rating",),
    }),
    FormLayout("review_participants", ("REVIEW_PARTICIPATION",), {
        "review_date": ("review_date", "date_of_review"),
        PARTICIPANTS: ("participants",),
        "role": ("role",),
        "status": ("participation",),
    }),
    FormLayout("disputes", ("IRO_DISPUTE",), {
        "raised_date": ("date_raised",),
        "stage": ("stage",),
        "resolved_date": ("date_resolved",),
    }),
)

#: Form statuses that count: drafts and cancelled forms are not the record.
COMPLETED_STATUSES = ("completed",)
