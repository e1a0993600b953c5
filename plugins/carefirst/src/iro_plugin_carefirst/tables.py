"""The CareFirst LAC IRO report: its sheets (or CSV files) and the headers of each, per canonical table.

CareFirst 6 reports leave the system as one workbook, ``LAC_IRO_Report.xlsx``, with
one sheet per table, or as one CSV file per sheet named after it ("Client Details.csv").
The first header listed for a column is the one the report prints; the others are
headers seen in older or locally edited versions of the report.
"""

from iro_etl.sources.readers import TableSpec, classify_header, find_header, normalise_header
from iro_schemas.canonical import CANONICAL_MODELS

#: The workbook the report writes.
WORKBOOK_NAME = "LAC_IRO_Report.xlsx"

#: Canonical table -> the report's sheet name (and CSV file stem).
SHEET_NAMES: dict[str, str] = {
    "children": "Client Details",
    "episodes": "Care Episodes",
    "reviews": "LAC Reviews",
    "notifications": "IRO Notifications",
    "iro_allocations": "IRO Allocations",
    "iro_staff": "IRO Staff",
    "review_records": "Review Record",
    "review_participants": "Review Participants",
    "disputes": "Dispute Resolution",
}

# CareFirst calls every person a "client"; the ID is its own, never the 903 CHILD header,
# which keeps a stray 903 file from being taken for a CareFirst sheet.
_CLIENT = ("Client ID", "Client No", "Client Number", "Client Ref")
_IRO = ("IRO Worker ID", "Worker ID", "IRO ID")

_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "children": {
        "child_id": _CLIENT,
        "sex": ("Gender",),
        "dob": ("Date of Birth", "DOB", "Birth Date"),
        "ethnic": ("Ethnicity", "Ethnic Origin", "Ethnicity Code"),
        "upn": ("UPN", "Unique Pupil Number"),
    },
    "episodes": {
        "child_id": _CLIENT,
        "decom": ("Episode Start Date", "Episode Start"),
        "rne": ("Reason for New Episode",),
        "ls": ("Legal Status",),
        "cin": ("Category of Need",),
        "place": ("Placement Type",),
        "place_provider": ("Placement Provider",),
        "dec": ("Episode End Date", "Episode End"),
        "rec": ("Reason Episode Ceased",),
        "reason_place_change": ("Reason for Placement Change",),
        "home_post": ("Home Postcode",),
        "pl_post": ("Placement Postcode",),
        "urn": ("Ofsted URN",),
        "pl_distance": ("Distance to Placement (miles)", "Placement Distance"),
        "pl_la": ("Placement LA",),
        "pl_location": ("Placement Location",),
    },
    "reviews": {
        "child_id": _CLIENT,
        "review_date": ("Review Date", "Date of Review"),
        "review_code": ("Participation Code", "Child Participation"),
    },
    "notifications": {
        "child_id": _CLIENT,
        "period_start": ("Date Became Looked After", "Period Start Date"),
        "notified_date": ("Date IRO Manager Notified", "Date Notified"),
        "iro_allocated_date": ("Date IRO Allocated",),
    },
    "iro_staff": {
        "iro_id": _IRO,
        "fte": ("FTE",),
        # A percentage in CareFirst (48 = 48%); the plugin turns it into the contract's share.
        "iro_share": ("IRO Time %", "% Time as IRO"),
        "team": ("Team",),
        "from_date": ("Start Date",),
        "to_date": ("End Date",),
    },
    "iro_allocations": {
        "child_id": _CLIENT,
        "iro_id": _IRO,
        "from_date": ("Allocation Start Date", "Allocated From"),
        "to_date": ("Allocation End Date", "Allocated To"),
    },
    "review_records": {
        "child_id": _CLIENT,
        "review_date": ("Review Date", "Date of Review"),
        "status": ("Review Status",),
        "sw_report_received": ("SW Report Received",),
        "recommendations_issued": ("Recommendations Issued",),
        "record_issued": ("Review Record Issued",),
        "child_informed": ("Child Informed Why Looked After",),
        "sw_report_on_time": ("SW Report 3 Days Before",),
        "child_prepared": ("Child Prepared for Review",),
        "child_views_available": ("Child's Views Available",),
        "key_people_present": ("Key People Present or Reported",),
        "rag": ("RAG Rating",),
    },
    "review_participants": {
        "child_id": _CLIENT,
        "review_date": ("Review Date", "Date of Review"),
        "role": ("Participant",),
        "status": ("Participation",),
    },
    "disputes": {
        "child_id": _CLIENT,
        "raised_date": ("Date Raised",),
        "stage": ("Resolution Stage",),
        "resolved_date": ("Date Resolved",),
    },
}


def _required(table: str) -> tuple[str, ...]:
    """Columns the contract never allows blank: a sheet without them is reported as such."""
    return tuple(name for name, column in CANONICAL_MODELS[table].columns.items()
                 if not column.nullable)


#: One spec per canonical table, in the contract's order (parents first).
SPECS: tuple[TableSpec, ...] = tuple(
    TableSpec(table, _HEADERS[table], required=_required(table)) for table in CANONICAL_MODELS)

#: Canonical column -> the header the report prints, per table.
DISPLAY_NAMES: dict[str, dict[str, str]] = {
    spec.table: {col: spec.display(col) for col in spec.columns} for spec in SPECS}


def classify(name: str, rows: list[list[str]], specs: tuple[TableSpec, ...]) -> TableSpec | None:
    """The table a sheet (or CSV file) holds: by its report name first, else by its header row.

    A sheet named as the report names it is taken for that table even if its header is
    wrong, so the missing columns are reported rather than the whole sheet skipped.
    """
    by_name = {normalise_header(SHEET_NAMES[spec.table]): spec for spec in specs}
    spec = by_name.get(normalise_header(name))
    return spec if spec is not None else classify_header(rows, specs)


def has_required(rows: list[list[str]], spec: TableSpec) -> bool:
    """Whether the header names every required column of the table."""
    return set(spec.required) <= set(find_header(rows, spec)[1].values())
