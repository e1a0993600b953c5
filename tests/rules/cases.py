"""Hand-checked cases: tiny clean tables typed the way validation leaves them."""

import pandas as pd
from iro_etl.config import Policies
from iro_etl.marts.build import RuleResults, apply_rules
from iro_etl.rules.calendar import WorkingCalendar

LINEAGE = {"_source_file": "hand.csv", "_sheet": None}


def _dates(values):
    return pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[us]")


def children(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """(child, sex, dob) rows."""
    frame = pd.DataFrame(rows, columns=["child_id", "sex", "dob"])
    frame["dob"] = _dates(frame["dob"])
    return frame.assign(ethnic="WBRI", upn=None, **LINEAGE, _row=range(2, len(frame) + 2))


def episodes(*rows: tuple) -> pd.DataFrame:
    """(child, decom, rne, ls, place, dec, rec[, reason_place_change]) rows; dec, rec None if open."""
    rows = [(*row, None) if len(row) == 7 else row for row in rows]
    frame = pd.DataFrame(rows, columns=["child_id", "decom", "rne", "ls", "place", "dec", "rec",
                                        "reason_place_change"])
    frame["decom"] = _dates(frame["decom"])
    frame["dec"] = _dates(frame["dec"])
    return frame.assign(**LINEAGE, _row=range(2, len(frame) + 2))


def reviews(*rows: tuple[str, str]) -> pd.DataFrame:
    """(child, review date) rows."""
    frame = pd.DataFrame(rows, columns=["child_id", "review_date"]).astype({"child_id": "str"})
    frame["review_date"] = _dates(frame["review_date"])
    return frame.assign(review_code="PN1", **LINEAGE, _row=range(2, len(frame) + 2))


def run(child_rows, episode_rows, review_rows, as_of: str, policies: Policies | None = None
        ) -> RuleResults:
    clean = {"children": children(*child_rows), "episodes": episodes(*episode_rows),
             "reviews": reviews(*review_rows)}
    return apply_rules(clean, pd.Timestamp(as_of), WorkingCalendar(), policies)


def as_text(frame: pd.DataFrame, column: str) -> list:
    return [None if pd.isna(v) else str(pd.Timestamp(v).date()) for v in frame[column]]
