"""Liquidlogic's own words for coded values, and turning warehouse text into canonical text.

LCS stores some answers as the words its forms show ('M', 'Held', 'Step-parent',
'Referred to Cafcass') where the contract has codes. These are the same in every
authority running LCS, so they live here; an authority's local codes go in the
core's ``codes`` option, applied after this plugin has read the export.
"""

from __future__ import annotations

import re

import pandas as pd

from iro_plugin_liquidlogic.tables import INVOLVEMENT_TYPE

#: Per canonical table and column: canonical value -> the word LCS stores (what the writer writes).
LCS_TERMS: dict[str, dict[str, dict[str, str]]] = {
    "children": {"sex": {"1": "M", "2": "F"}},
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
    "children": {"sex": {"Male": "1", "Female": "2"}},
    "review_participants": {"role": {"Step parent": "step parent", "Child": "child",
                                     "Young Person": "child"},
                            "status": {"Consulted": "consulted", "N/A": "not applicable"}},
    "disputes": {"stage": {"Informal": "informal", "Cafcass": "cafcass"}},
}

#: What SQL Server Management Studio writes for NULL when results are saved as CSV.
NULL_TEXT = "NULL"
_NULL_SPELLINGS = (NULL_TEXT, NULL_TEXT.lower(), NULL_TEXT.title())


def _key(text: str) -> str:
    """A value compared case-, space- and punctuation-insensitively."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _lookups() -> dict[str, dict[str, dict[str, str]]]:
    """Normalised LCS word (or canonical value) -> canonical value, per table and column."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for table, columns in LCS_TERMS.items():
        for column, terms in columns.items():
            lookup = out.setdefault(table, {}).setdefault(column, {})
            lookup.update({_key(code): code for code in terms})
            lookup.update({_key(word): code for code, word in terms.items()})
            lookup.update({_key(word): code for word, code in
                           _ALSO_READ.get(table, {}).get(column, {}).items()})
    return out


_LOOKUPS = _lookups()


def _normalised(values: pd.Series) -> pd.Series:
    return values.str.lower().str.replace(r"[^0-9a-z]", "", regex=True)


def to_canonical(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Warehouse text as canonical text: NULL markers blanked, LCS words turned into codes.

    A word this plugin does not know is kept as it is, so the core's code check reports
    the value the export actually holds.
    """
    frame = frame.copy()
    for column in frame.columns:
        if column.startswith("_"):
            continue
        values = frame[column]
        # isin is a hash lookup: much cheaper than upper-casing every cell of every column.
        frame[column] = values.mask(values.isin(_NULL_SPELLINGS))
    for column, lookup in _LOOKUPS.get(table, {}).items():
        values = frame[column]
        frame[column] = _normalised(values).map(lookup).astype("string").fillna(values)
    return frame


def iro_involvements(frame: pd.DataFrame, types: tuple[str, ...]) -> pd.DataFrame:
    """Only the involvements that are IRO allocations; social workers and others are dropped.

    Rows keep their lineage, so an allocation is still reported at its row of the extract.
    A row with a blank type cannot be told to be an IRO's, so it is dropped with the others
    (the type is not a contract column, so there is no canonical rule to report it under).
    """
    wanted = {_key(t) for t in types}
    keep = _normalised(frame[INVOLVEMENT_TYPE]).isin(wanted).fillna(False).astype(bool)
    return frame.loc[keep].drop(columns=[INVOLVEMENT_TYPE]).reset_index(drop=True)
