"""Failure records: one problem with one value of one row, in words a person can act on."""

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from iro_schemas.canonical import RECORD_KEYS, valid_codes
from iro_schemas.lineage import ROW, SHEET, SOURCE_FILE
from iro_schemas.rules import DFE_CODES, RULES, message

#: ``table_name`` of a problem with a whole file rather than a row of one table.
FILE_LEVEL = "files"
#: How much of a bad value a failure record quotes.
VALUE_SHOWN = 500

FAILURE_COLUMNS = [
    "table_name", "source_file", "sheet", "row", "column_name", "value",
    "rule", "severity", "consequence", "message", "record_key", "dfe_rule",
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
        out["consequence"] = RULES[self.rule].consequence
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


class RowFailures:
    """Failures of one table, gathered as (mask, rule, column) and built in bulk."""

    def __init__(self, table: str, raw: pd.DataFrame, names: dict[str, str]) -> None:
        self.table, self.raw, self.names = table, raw, names
        keys = [raw[c].astype("string").fillna("") for c in RECORD_KEYS[table]]
        self.record_key = keys[0].str.cat(keys[1:], sep="|") if len(keys) > 1 else keys[0]
        self.parts: list[pd.DataFrame] = []
        #: Values that could not be read, per column: "required" is not reported again for them.
        self.unreadable: dict[str, pd.Series] = {}

    def add(self, mask: pd.Series, rule: str, column: str | None) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        rows = self.raw.loc[mask]
        value = rows[column] if column in rows else pd.Series(None, index=rows.index)
        self.add_at(rows.index, rule, column, value)

    def add_at(self, index: pd.Index, rule: str, column: str | None, value: pd.Series) -> None:
        rows = self.raw.loc[index]
        label = self.names.get(column, column) if column else None
        # A failure quotes what the cell held; a runaway value is cut (the quarantine keeps it).
        text = value.astype("string").str.slice(0, VALUE_SHOWN)
        template = RULES[rule].message
        messages = (text.fillna("").map(lambda v: template.format(column=label, value=v))
                    if "{value}" in template else template.format(column=label, value=""))
        codes = valid_codes(self.table, column) if rule.startswith("code_list") else ()
        if codes:
            # The person correcting it needs the list, not a search through the contract.
            messages = messages + f" Valid codes: {', '.join(codes)}."
        self.parts.append(pd.DataFrame({
            "table_name": self.table, "source_file": rows[SOURCE_FILE], "sheet": rows[SHEET],
            "row": rows[ROW], "column_name": label, "value": text, "rule": rule,
            "severity": RULES[rule].severity, "consequence": RULES[rule].consequence,
            "message": messages, "dfe_rule": DFE_CODES.get((self.table, column or "", rule)),
            "record_key": self.record_key.loc[index],
            "_index": index,
        }, index=index))

    def error_rows(self) -> pd.Index:
        """Rows with an error-level failure so far."""
        errors = [p.index[p["severity"] == "error"] for p in self.parts]
        return pd.Index(np.unique(np.concatenate(errors)) if errors else [], dtype="int64")

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=[*FAILURE_COLUMNS, "_index"])
        return pd.concat(self.parts, ignore_index=True)
