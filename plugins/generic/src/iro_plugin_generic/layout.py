"""The deliberately unusual layout of the synthetic export, and the mapping that describes it.

One workbook (``IRO Extract.xlsx``: a cover sheet, then children, episodes, IRO
staff and reviews on their own sheets) plus CSV files for the rest, with the
house's own column names, gender and other codes as words, checklist answers as
Yes/No, title rows above some headers, dates as real Excel dates, serial numbers,
dd/mm/yyyy text or ISO text, allocations split over two files and review records
split by outcome. The writer and the mapping are both built from this one
description, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

WORKBOOK = "IRO Extract.xlsx"
COVER_SHEET = "About this extract"

#: How dates are written: workbook date cells, serial numbers, dd/mm/yyyy text or ISO text.
DateStyle = Literal["cell", "serial", "text", "iso"]


@dataclass(frozen=True)
class Placement:
    """Where one canonical table (or part of it) goes in the synthetic export."""

    table: str
    #: File written (``{part}`` numbered from 1 when the table is split over files).
    file: str
    #: The pattern the mapping gives for it.
    pattern: str
    #: canonical column -> house header, in the order the columns are written.
    headers: dict[str, str]
    sheet: str | None = None
    #: canonical column -> {canonical value: the house's word for it}.
    words: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    #: Lines above the header (a blank line separates them from it).
    titles: tuple[str, ...] = ()
    #: Give the header's row in the mapping (else the reader finds it).
    header_row_in_mapping: bool = False
    dates: DateStyle = "text"
    parts: int = 1
    #: Which of the table's rows go here (None: all).
    rows: Callable[[pd.DataFrame], pd.Series] | None = None

    def header_row(self) -> int:
        return len(self.titles) + (1 if self.titles else 0) + 1


_CASE = "Case No"
_PERSON = "YP Number"
_STATUS_WORDS = {"rescheduled": "Re-arranged", "cancelled": "Called off"}

PLACEMENTS: tuple[Placement, ...] = (
    Placement(
        "children", WORKBOOK, "IRO Extract*.xlsx", sheet="Young People",
        headers={"child_id": _PERSON, "dob": "Born", "sex": "Gender",
                 "ethnic": "Ethnic Group", "upn": "Pupil Number"},
        words={"sex": {"1": "Male", "2": "Female"}},
        titles=("Young people looked after", "Northshire Children's Services - IRO extract"),
        dates="cell",
    ),
    Placement(
        "episodes", WORKBOOK, "IRO Extract*.xlsx", sheet="Care Spells",
        headers={"child_id": _PERSON, "decom": "Spell Began", "dec": "Spell Ended",
                 "rne": "Reason New", "ls": "Legal Status", "cin": "Need", "place": "Placement",
                 "place_provider": "Provider", "rec": "Reason Ended",
                 "reason_place_change": "Move Reason", "home_post": "Home Area",
                 "pl_post": "Placement Area", "urn": "Inspection No", "pl_distance": "Miles",
                 "pl_la": "Host Council", "pl_location": "Inside/Outside"},
        words={"pl_location": {"IN": "Inside", "OUT": "Outside"}},
        dates="serial",
    ),
    Placement(
        "iro_staff", WORKBOOK, "IRO Extract*.xlsx", sheet="IRO Team",
        headers={"iro_id": "Officer Code", "team": "Team Name", "fte": "Contract FTE",
                 "iro_share": "IRO Share", "from_date": "Start", "to_date": "Finish"},
        titles=("IRO establishment",), header_row_in_mapping=True, dates="cell",
    ),
    Placement(
        "reviews", WORKBOOK, "IRO Extract*.xlsx", sheet="Reviews Held",
        headers={"child_id": _PERSON, "review_date": "Review Held", "review_code": "Participation"},
        dates="text",
    ),
    Placement(
        "notifications", "lac_notifications.csv", "lac_notifications.csv",
        headers={"child_id": _CASE, "period_start": "Became LAC",
                 "notified_date": "IRO Manager Notified", "iro_allocated_date": "IRO Allocated On"},
        dates="iso",
    ),
    Placement(
        "iro_allocations", "allocations_part{part}.csv", "allocations_part*.csv",
        headers={"child_id": _CASE, "iro_id": "Officer Code", "from_date": "IRO From",
                 "to_date": "IRO Until"},
        parts=2,
    ),
    Placement(
        "review_records", "review_checklist_held.csv", "review_checklist_held.csv",
        headers={"child_id": _CASE, "review_date": "Meeting Date",
                 "sw_report_received": "Report Received", "recommendations_issued": "Recs Sent",
                 "record_issued": "Record Sent", "child_informed": "Child Knows Why LAC",
                 "sw_report_on_time": "Report 3 Days Before", "child_prepared": "YP Prepared",
                 "child_views_available": "YP Views Available",
                 "key_people_present": "Key People Present", "rag": "Case Rating"},
        words={"rag": {"green": "Green", "amber": "Amber", "red": "Red"}},
        constants={"status": "held"},
        rows=lambda frame: frame["status"] == "held",
    ),
    Placement(
        "review_records", "review_checklist_other.csv", "review_checklist_other.csv",
        headers={"child_id": _CASE, "review_date": "Planned Date", "status": "Outcome",
                 "sw_report_received": "Report Received", "recommendations_issued": "Recs Sent",
                 "record_issued": "Record Sent", "child_informed": "Child Knows Why LAC",
                 "sw_report_on_time": "Report 3 Days Before", "child_prepared": "YP Prepared",
                 "child_views_available": "YP Views Available",
                 "key_people_present": "Key People Present", "rag": "Case Rating"},
        words={"status": _STATUS_WORDS, "rag": {"green": "Green", "amber": "Amber", "red": "Red"}},
        rows=lambda frame: frame["status"] != "held",
    ),
    Placement(
        "review_participants", "participation.csv", "participation.csv",
        headers={"child_id": _CASE, "review_date": "Meeting Date", "role": "Relationship",
                 "status": "Involvement"},
        words={"role": {"mother": "Mum", "father": "Dad", "step parent": "Step-parent",
                        "connected person": "Family friend", "child": "Young person"},
               "status": {"attended": "Came", "consulted": "Views sent",
                          "not applicable": "N/A", "no consultation": "Not asked",
                          "not recorded": "Unknown"}},
        dates="iso",
    ),
    Placement(
        "disputes", "dispute_log.csv", "dispute_log.csv",
        headers={"child_id": _CASE, "raised_date": "Raised On", "stage": "Escalation",
                 "resolved_date": "Settled On"},
        words={"stage": {"informal": "Informal chat", "stage 1": "Stage One",
                         "stage 2": "Stage Two", "stage 3": "Stage Three",
                         "cafcass": "CAFCASS referral"}},
        titles=("Dispute resolution log",),
    ),
)

#: Checklist answers as the house writes them (the core reads Yes/No as they are).
FLAG_WORDS = {"Y": "Yes", "N": "No"}


def mapping_document(placements: tuple[Placement, ...] = PLACEMENTS) -> dict:
    """The mapping file for the layout, as the dict ``yaml.safe_dump`` writes."""
    tables: dict[str, list[dict]] = {}
    for place in placements:
        entry: dict = {"file": place.pattern}
        if place.sheet is not None:
            entry["sheet"] = place.sheet
        if place.header_row_in_mapping:
            entry["header_row"] = place.header_row()
        entry["columns"] = dict(place.headers)
        if place.words:
            entry["codes"] = {col: {word: value for value, word in words.items()}
                              for col, words in place.words.items()}
        if place.constants:
            entry["constants"] = dict(place.constants)
        tables.setdefault(place.table, []).append(entry)
    return {
        "description": "Northshire IRO extract: one workbook plus CSV reports (synthetic)",
        "tables": {table: entries[0] if len(entries) == 1 else entries
                   for table, entries in tables.items()},
    }
