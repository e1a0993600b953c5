"""Liquidlogic's own words for coded values, and turning warehouse text into canonical text.

The warehouse keeps some 903 codes inside the lookup's description (the legal status,
the reason care started, the child's participation in a review: ``C2 - Full care order``)
and the IRO service's tables keep the words LCS forms show ('Held', 'Step-parent',
'Referred to Cafcass'). Both are the same in every authority running LCS, so they live
here; an authority's local codes go in the core's ``codes`` option, applied after this
plugin has read the export.
"""

from __future__ import annotations

import pandas as pd
from iro_etl.sources.distinct import per_distinct
from iro_etl.sources.readers import normalise_header, normalised
from iro_schemas.canonical import valid_codes

#: Per canonical table and column: canonical value -> the word LCS stores (what the writer writes).
LCS_TERMS: dict[str, dict[str, dict[str, str]]] = {
    "review_records": {
        "status": {"held": "Held", "rescheduled": "Rescheduled", "cancelled": "Cancelled"},
        "rag": {"green": "Green", "amber": "Amber", "red": "Red"},
    },
    "review_participants": {
        "role": {"mother": "Mother", "father": "Father", "step parent": "Step-parent",
                 "connected person": "Connected Person", "child": "Child/Young Person"},
        "status": {"attended": "Attended", "consulted": "Consulted - did not attend",
                   "not applicable": "Not Applicable", "no consultation": "Not Consulted",
                   "not recorded": "Not Recorded"},
    },
    "disputes": {"stage": {"informal": "Informal Resolution", "stage 1": "Stage 1",
                           "stage 2": "Stage 2", "stage 3": "Stage 3",
                           "cafcass": "Referred to Cafcass"}},
}

#: Other spellings seen in LCS reports for the same values (read, never written).
_ALSO_READ: dict[str, dict[str, dict[str, str]]] = {
    "review_participants": {"role": {"Step parent": "step parent", "Child": "child",
                                     "Young Person": "child"},
                            "status": {"Consulted": "consulted", "N/A": "not applicable"}},
    "disputes": {"stage": {"Informal": "informal", "Cafcass": "cafcass"}},
}

#: Columns holding a lookup description that starts with the 903 code (``V2 - Single
#: period of accommodation``): internal column -> (canonical table, column) of its codes.
DESCRIBED_CODES = {"rne": ("episodes", "rne"), "ls": ("episodes", "ls"),
                   "review_code": ("reviews", "review_code")}

#: What SQL Server Management Studio writes for NULL when results are saved as CSV.
NULL_TEXT = "NULL"
_NULL_SPELLINGS = (NULL_TEXT, NULL_TEXT.lower(), NULL_TEXT.title())


def _lookups() -> dict[str, dict[str, dict[str, str]]]:
    """Normalised LCS word (or canonical value) -> canonical value, per table and column."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for table, columns in LCS_TERMS.items():
        for column, terms in columns.items():
            lookup = out.setdefault(table, {}).setdefault(column, {})
            lookup.update({normalise_header(code): code for code in terms})
            lookup.update({normalise_header(word): code for code, word in terms.items()})
            lookup.update({normalise_header(word): code for word, code in
                           _ALSO_READ.get(table, {}).get(column, {}).items()})
    return out


_LOOKUPS = _lookups()


def without_nulls(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with SSMS's ``NULL`` markers blanked (lineage columns untouched)."""
    frame = frame.copy()
    for column in frame.columns:
        if not column.startswith("_"):
            # isin is a hash lookup: much cheaper than upper-casing every cell.
            frame[column] = frame[column].mask(frame[column].isin(_NULL_SPELLINGS))
    return frame


def lcs_words(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """LCS words as canonical codes; a word this plugin does not know is kept as it is, so
    the core's code check reports the value the export actually holds."""
    frame = frame.copy()
    for column, lookup in _LOOKUPS.get(table, {}).items():
        values = frame[column]
        frame[column] = normalised(values).map(lookup).astype("string").fillna(values)
    return frame


def leading_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """Lookup descriptions as their 903 code: the first word, where it is a valid code.

    A description that does not start with one (a deployment that renamed its lookup) is
    kept as it is, for the ``codes`` option to map or the code check to report.
    """
    frame = frame.copy()
    for column, (table, canonical) in DESCRIBED_CODES.items():
        if column not in frame:
            continue
        values = frame[column]
        first = per_distinct(values, lambda text: text.str.strip().str.extract(
            r"^([0-9A-Za-z]+)", expand=False).str.upper())
        frame[column] = first.where(first.isin(valid_codes(table, canonical))).fillna(values)
    return frame


def reason_ceased(values: pd.Series) -> pd.Series:
    """CARE_REASON_END_CODE as the 903 code: LCS holds some without their E (``45``)."""
    prefixed = "E" + values.str.strip()
    return prefixed.where(values.str.fullmatch(r"\s*\d+[AB]?\s*").fillna(False)
                          & prefixed.isin(valid_codes("episodes", "rec"))).fillna(values)

