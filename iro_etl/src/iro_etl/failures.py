"""Failure records: one problem with one value of one row, in words a person can act on."""

from dataclasses import asdict, dataclass

import pandas as pd
from iro_schemas.rules import RULES, message

FAILURE_COLUMNS = [
    "table_name", "source_file", "sheet", "row", "column_name", "value",
    "rule", "severity", "message", "record_key",
]


@dataclass(frozen=True)
class Failure:
    """A single failure found while reading a file (the validator builds the rest in bulk)."""

    table_name: str
    source_file: str | None
    rule: str
    sheet: str | None = None
    row: int | None = None
    column_name: str | None = None
    value: str | None = None
    record_key: str | None = None

    def record(self) -> dict:
        out = asdict(self)
        out["severity"] = RULES[self.rule].severity
        out["message"] = message(self.rule, self.column_name, self.value)
        return out


def failures_frame(failures: list[Failure] | pd.DataFrame | None = None) -> pd.DataFrame:
    """Failures as a frame with the standard columns (an empty frame for none)."""
    if isinstance(failures, pd.DataFrame):
        frame = failures
    else:
        frame = pd.DataFrame([f.record() for f in failures or []], columns=FAILURE_COLUMNS)
    frame = frame.reindex(columns=FAILURE_COLUMNS)
    return frame.astype({"row": "Int64"})
