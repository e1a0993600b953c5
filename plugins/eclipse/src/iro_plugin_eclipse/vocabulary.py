"""Eclipse's own codes and words that mean the same 903 code in every authority.

Eclipse keeps ethnicity, category of need and placement type in its own vocabulary; the
public extract SQL turns them into the DfE's codes, and so does the plugin. Sex words are
turned into 903 codes by the SSD plugin's helper. A value found in none of these tables is
kept as it is, so the core's code check reports it (or the authority's ``codes`` option
translates a local one); legal status, start and end reasons, placement provider and the
child's participation are already held as 903 codes.
"""

from __future__ import annotations

import pandas as pd
from iro_etl.sources.distinct import per_distinct

#: persondemographicsview.ethnicitycode -> 903 ETHNIC.
ETHNICITY = {
    "BANGLADESHI": "ABAN", "INDIAN": "AIND", "OTHER_ASIAN": "AOTH",
    "PAKISTANI": "APKN", "AFRICAN": "BAFR", "BLACK_AFRICAN": "BAFR", "CARIBBEAN": "BCRB",
    "BLACK_CARIBBEAN": "BCRB", "OTHER_BLACK": "BOTH", "OTHER_AFRICAN": "BOTH",
    "CHINESE": "CHNE", "OTHER_MIXED": "MOTH", "WHITE_AND_ASIAN": "MWAS",
    "WHITE_AND_BLACK_AFRICAN": "MWBA", "WHITE_AND_BLACK_CARIBBEAN": "MWBC",
    "NOT_KNOWN": "NOBT", "OTHER_ETHNIC": "OOTH", "REFUSED": "REFU", "WHITE_BRITISH": "WBRI",
    "WHITE_SCOTTISH": "WBRI", "WHITE_WELSH": "WBRI", "WHITE_NORTHERNIRISH": "WBRI",
    "WHITE_IRISH": "WIRI", "IRISHTRAVELLER": "WIRT", "OTHER_WHITE_ORIGIN": "WOTH",
    "WHITE_POLISH": "WOTH", "GYPSY": "WROM", "ROMA": "WROM", "TRAVELLER": "WROM",
}

#: claepisodeofcareview.categoryofneed (the CIN census wording) -> 903 CIN.
CATEGORY_OF_NEED = {
    "abuse or neglect": "N1", "child's disability": "N2", "parental illness/disability": "N3",
    "family in acute stress": "N4", "family dysfunction": "N5",
    "socially unacceptable behaviour": "N6", "low income": "N7", "absent parenting": "N8",
}

#: claepisodeofcareview.placementtypecode -> 903 PLACE, where one code means one placement
#: type (codes the extract SQL can only flag for checking are left to the code check).
PLACEMENT_TYPE = {
    "APP_ADOPT": "A3", "CONS_ADOPT_NOTFP": "A4", "ORD_ADOPT_FP": "A5", "ORD_ADOPT_NOTFP": "A6",
    "NO_CHREGS": "H5", "CHLD_HOME": "K2", "PARENT": "P1", "IND_LIV": "P2", "RES_CARE": "R1",
    "NHS": "R2", "YOI": "R5", "RES_SCH": "S1", "REL": "U1", "REL_NOT_LT_ADOPT": "U3",
    "LT": "U4", "NOT_LT_ADOPT": "U6", "OTH": "Z1",
}


def translated(values: pd.Series, vocabulary: dict[str, str], *, lower: bool = False
               ) -> pd.Series:
    """Each value's 903 code where the vocabulary has it; any other value as it was."""
    key = per_distinct(values, lambda text: (text.str.strip().str.lower() if lower
                                             else text.str.strip().str.upper()))
    return key.map(vocabulary).astype("string").fillna(values)
