"""CareFirst's own words for coded values, and their canonical codes (both ways).

CareFirst prints genders as Male/Female, review statuses, roles and stages in title
case ("Step Parent", "CAFCASS Referral"), 903 codes with their description
("C2 - Full care order") and the IRO's time as a percentage. The reader turns these
into the contract's codes; a value it does not know is left exactly as written, so
the core reports it as the export shows it and an authority's ``codes`` option can
still translate it. Everything here is vectorised over whole columns.
"""

from collections.abc import Callable

import pandas as pd
from iro_schemas import codes

SEX = {"male": "1", "female": "2", "m": "1", "f": "2"}
REVIEW_STATUS = {**{s: s for s in codes.REVIEW_STATUSES}, "canceled": "cancelled"}
RAG = {**{r: r for r in codes.RAG}, "r": "red", "a": "amber", "g": "green"}
ROLE = {**{r: r for r in codes.PARTICIPANT_ROLES}, "step-parent": "step parent",
        "stepparent": "step parent", "young person": "child"}
PARTICIPATION = {s: s for s in codes.PARTICIPATION_STATUSES}
STAGE = {**{s: s for s in codes.DISPUTE_STAGES}, "cafcass referral": "cafcass",
         "referral to cafcass": "cafcass"}

#: What the report prints for each canonical code (the synthetic writer's vocabulary).
SEX_NAMES = {"1": "Male", "2": "Female"}
REVIEW_STATUS_NAMES = {"held": "Held", "rescheduled": "Rescheduled", "cancelled": "Cancelled"}
RAG_NAMES = {"red": "Red", "amber": "Amber", "green": "Green"}
ROLE_NAMES = {"mother": "Mother", "father": "Father", "step parent": "Step Parent",
              "connected person": "Connected Person", "child": "Child"}
PARTICIPATION_NAMES = {"attended": "Attended", "consulted": "Consulted",
                       "not applicable": "Not Applicable", "no consultation": "No Consultation",
                       "not recorded": "Not Recorded"}
STAGE_NAMES = {"informal": "Informal", "stage 1": "Stage 1", "stage 2": "Stage 2",
               "stage 3": "Stage 3", "cafcass": "CAFCASS Referral"}
FLAG_NAMES = {"Y": "Yes", "N": "No"}
#: 903 code columns the report prints as "code - description".
DESCRIBED_CODES = {"ls": codes.LS, "place": codes.PLACE, "review_code": codes.REVIEW_CODE}


def words(values: pd.Series, vocabulary: dict[str, str]) -> pd.Series:
    """Known words (case and spacing aside) as canonical codes; anything else as written."""
    key = values.str.lower().str.replace(r"\s+", " ", regex=True)
    return key.map(vocabulary).astype("string").fillna(values)


def bare_code(values: pd.Series) -> pd.Series:
    """'C2 - Full care order' -> 'C2'. Codes have no spaces, so the first ' - ' starts the text."""
    return values.str.replace(r"\s+-\s.*$", "", regex=True).str.strip()


def percent_share(values: pd.Series) -> pd.Series:
    """A percentage (48, '48%') as the contract's share ('0.48'); a non-number is left as written."""
    number = pd.to_numeric(values.str.rstrip("%").str.strip(), errors="coerce")
    share = (number.astype("float64") / 100).round(6).astype("string")
    return share.where(number.notna(), values)


def _column(vocabulary: dict[str, str]) -> Callable[[pd.Series], pd.Series]:
    return lambda values: words(values, vocabulary)


#: Per table, column -> how its CareFirst values become canonical text.
TO_CANONICAL: dict[str, dict[str, Callable[[pd.Series], pd.Series]]] = {
    "children": {"sex": _column(SEX)},
    "episodes": dict.fromkeys(("rne", "ls", "cin", "place", "place_provider", "rec",
                               "reason_place_change", "pl_location"), bare_code),
    "reviews": {"review_code": bare_code},
    "iro_staff": {"iro_share": percent_share},
    "review_records": {"status": _column(REVIEW_STATUS), "rag": _column(RAG)},
    "review_participants": {"role": _column(ROLE), "status": _column(PARTICIPATION)},
    "disputes": {"stage": _column(STAGE)},
}


def to_canonical(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (text as read) with CareFirst's words replaced by canonical codes."""
    for column, translate in TO_CANONICAL.get(table, {}).items():
        if column in frame and len(frame):
            frame[column] = translate(frame[column].astype("string"))
    return frame


def described(values: pd.Series, descriptions: dict[str, str]) -> pd.Series:
    """Codes as the report prints them: 'C2 - Full care order' (a code it cannot describe stays bare)."""
    text = values.map(descriptions)
    has = text.notna()
    out = values.copy()
    # Sentence case without lowering acronyms inside the description (NHS).
    out[has] = values[has] + " - " + text[has].str[:1].str.upper() + text[has].str[1:]
    return out
