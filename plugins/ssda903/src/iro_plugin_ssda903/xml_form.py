"""The SSDA903 XML form (root EXPSSDA903), read with defusedxml's SAX parser.

Lineage for XML is the record's element path (``CHILD[12]/EPISODE[3]``, reported in the
``sheet`` field, which an XML file has no other use for) and the line where the element
starts (``row``). A return written on one line has every element on line 1: the path is
what finds it.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

import defusedxml.sax
import pandas as pd
from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_schemas.lineage import ROW, SHEET, SOURCE_FILE

from iro_plugin_ssda903.tables import CHILDREN, EPISODES, REVIEWS

ROOT = "EXPSSDA903"
_HEADER_FIELDS = {"CHILDID": "child_id", "UPN": "upn", "SEX": "sex", "DOB": "dob",
                  "ETHNIC": "ethnic"}
_EPISODE_FIELDS = {"DECOM": "decom", "RNE": "rne", "LS": "ls", "CIN": "cin", "PL": "place",
                   "PLACE": "place", "PL_POST": "pl_post", "HOME_POST": "home_post",
                   "URN": "urn", "PLACE_PROVIDER": "place_provider", "DEC": "dec", "REC": "rec",
                   "REASON_PLACE_CHANGE": "reason_place_change", "PL_DISTANCE": "pl_distance",
                   "PL_LA": "pl_la", "PL_LOCATION": "pl_location"}
_REVIEW_FIELDS = {"REVIEW": "review_date", "REVIEW_CODE": "review_code"}
#: The return's other sections, by element: read past, and reported as read but not used.
OTHER_SECTIONS = {"AMISSING": "missing", "OC2": "oc2", "OC3": "oc3", "AD1": "ad1",
                  "PERMANENCE": "previous_permanence", "AD_PLACED": "placed_for_adoption",
                  "UASC": "uasc", "SWEPISODE": "sw_episodes"}


class _Handler(ContentHandler):
    """Collects one record per HEADER, EPISODE and AREVIEW, keyed to its CHILD."""

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, list[dict]] = {"children": [], "episodes": [], "reviews": []}
        self._child: dict | None = None
        self._current: tuple[dict, dict[str, str]] | None = None
        self._text: list[str] = []
        self._locator = None
        self._children = 0
        #: How many of each of the return's other sections were passed over.
        self.other: dict[str, int] = {}
        #: Per child, how many of each record element so far (for the element path).
        self._counts: dict[str, int] = {}

    def setDocumentLocator(self, locator) -> None:
        self._locator = locator

    def _line(self) -> int:
        return self._locator.getLineNumber() if self._locator else 0

    def path(self) -> str | None:
        """Where the parser is: the current record's element path."""
        record = self._current[0] if self._current else self._child
        return record.get(SHEET) if record else None

    def _record(self, name: str, within: str) -> dict:
        self._counts[name] = self._counts.get(name, 0) + 1
        return {ROW: self._line(), "_child": self._child,
                SHEET: f"{self._child[SHEET]}/{within}{name}[{self._counts[name]}]"}

    def startElement(self, name, attrs) -> None:
        self._text = []
        if name in OTHER_SECTIONS:
            self.other[name] = self.other.get(name, 0) + 1
        if name == "CHILD":
            self._children += 1
            self._counts = {}
            self._child = {ROW: self._line(), SHEET: f"CHILD[{self._children}]"}
            self.records["children"].append(self._child)
        elif self._child is None:
            return
        elif name == "HEADER":
            self._current = (self._child, _HEADER_FIELDS)
        elif name == "EPISODE":
            record = self._record(name, "")
            self.records["episodes"].append(record)
            self._current = (record, _EPISODE_FIELDS)
        elif name == "AREVIEW":
            record = self._record(name, "HEADER/")
            self.records["reviews"].append(record)
            self._current = (record, _REVIEW_FIELDS)

    def characters(self, content) -> None:
        self._text.append(content)

    def endElement(self, name) -> None:
        if self._current is not None:
            record, fields = self._current
            if name in fields:
                record[fields[name]] = "".join(self._text).strip() or None
            elif name in ("EPISODE", "AREVIEW"):
                self._current = (self._child, _HEADER_FIELDS)
        if name == "CHILD":
            self._child, self._current = None, None
        self._text = []


def is_903_xml(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(2048)
    except OSError:
        return False
    return f"<{ROOT}".encode() in head


def read_xml(path: Path) -> tuple[dict[str, pd.DataFrame], list[Failure], dict[str, int]]:
    """The children, episodes and reviews of one 903 XML file, its failures, and how many of
    each other section (OC2, AMISSING, ...) it holds."""
    handler = _Handler()
    failures: list[Failure] = []
    try:
        defusedxml.sax.parse(str(path), handler)
    except (SAXException, ValueError, OSError) as exc:
        # Whatever was read before the fault is kept; the fault itself is reported with its
        # line, and holds the load back: the children after it were never read.
        failures.append(Failure(FILE_LEVEL, path.name, "parse_stopped", sheet=handler.path(),
                                row=handler._line(), value=str(exc)))
    tables = {}
    for spec in (CHILDREN, EPISODES, REVIEWS):
        records = handler.records[spec.table]
        if spec.table != "children":
            for record in records:
                record["child_id"] = record.pop("_child").get("child_id")
        frame = pd.DataFrame.from_records(records, columns=[*spec.columns, ROW, SHEET])
        frame = frame.astype({c: "string" for c in spec.columns})
        for col in spec.columns:
            frame[col] = frame[col].str.strip().replace("", pd.NA)
        frame[SOURCE_FILE] = path.name
        frame[ROW] = frame[ROW].astype("int64")
        tables[spec.table] = frame
    return tables, failures, handler.other
