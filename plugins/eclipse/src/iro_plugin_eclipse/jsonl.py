"""Reading the forms of an extract folder: one JSON object per line, lineage row = line number.

A line that is not a JSON object is a failure (on the canonical table its form type
feeds, when that can still be made out) and every other line is kept. The answers
of a form may be a nested object or, as some extract tools write them, a string
holding the JSON document; both are parsed later, only for the forms that count.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.readers import TableSpec, decode, normalise_header
from iro_schemas.lineage import ROW, SHEET, SOURCE_FILE

from iro_plugin_eclipse.answers import load_json

#: How many leading lines recognise() looks at for a form record.
_PROBE_LINES = 5
#: A "key": "text" pair, to make out the form type of a line that is not valid JSON.
_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"')


def is_forms_file(path: Path, spec: TableSpec) -> bool:
    """Whether the first lines of ``path`` are form records (a form type and answers)."""
    lookup = spec.lookup()
    try:
        with path.open("rb") as fh:
            lines = [fh.readline(1 << 20) for _ in range(_PROBE_LINES)]
    except OSError:
        return False
    for raw in lines:
        text, _ = decode(raw)
        if not text.strip():
            continue
        try:
            record = load_json(text)
        except ValueError:
            continue
        if isinstance(record, dict):
            return {"form_type", "answers"} <= {lookup.get(normalise_header(k)) for k in record}
        return False
    return False


def _broken_line_table(line: str, lookup: dict[str, str], type_table: dict[str, str]) -> str | None:
    """The canonical table of a broken line's form type; FILE_LEVEL if unknown, None if ignored."""
    for key, value in _PAIR.findall(line):
        if lookup.get(normalise_header(key)) == "form_type":
            return type_table.get(normalise_header(value))
    return FILE_LEVEL


def read_forms_jsonl(path: Path, spec: TableSpec, type_table: dict[str, str]
                     ) -> tuple[pd.DataFrame, list[Failure]]:
    """Every form record of a JSON-lines file: forms-table columns as text, answers as read.

    ``type_table`` maps normalised form types to canonical tables, so a broken line of a
    form type that is ignored anyway is not reported.
    """
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = exc.strerror or str(exc)
        return empty_forms(spec), [Failure(FILE_LEVEL, name, "unreadable_file", value=problem)]
    if not data.strip():
        return empty_forms(spec), [Failure(FILE_LEVEL, name, "empty_file")]
    text, fell_back = decode(data)
    failures = [Failure(FILE_LEVEL, name, "not_utf8")] if fell_back else []
    lookup = spec.lookup()
    records: list[dict] = []
    rows: list[int] = []
    # Split on newlines only: JSON strings may hold other line-break characters.
    for number, line in enumerate(text.rstrip().split("\n"), start=1):
        line = line.strip()
        if not line:
            failures.append(Failure(FILE_LEVEL, name, "blank_row", row=number))
            continue
        try:
            record = load_json(line)
        except ValueError as exc:
            where = f" at character {exc.pos + 1}" if hasattr(exc, "pos") else ""
            record = None
            problem = f"line {number} is not valid JSON ({getattr(exc, 'msg', exc)}{where})"
        else:
            problem = f"line {number} is not a JSON object"
        if not isinstance(record, dict):
            table = _broken_line_table(line, lookup, type_table)
            if table is not None:
                failures.append(Failure(table, name, "line_not_json", row=number, value=problem))
            continue
        records.append(record)
        rows.append(number)
    frame, missing = _forms_frame(records, spec)
    failures += [Failure(FILE_LEVEL, name, "missing_column", column_name=spec.display(c)) for c in missing]
    frame[SOURCE_FILE] = name
    frame[SHEET] = None
    frame[ROW] = np.asarray(rows, dtype=np.int64)
    return frame, failures


def _forms_frame(records: list[dict], spec: TableSpec) -> tuple[pd.DataFrame, list[str]]:
    """Form records under the forms table's column names, and the required columns no record has.

    Keys are matched as headers are (an authority's renamed keys through ``columns``);
    where two keys mean the same column, a record's value under the key met first wins.
    """
    if not records:
        return empty_forms(spec), []
    raw = pd.DataFrame.from_records(records)
    lookup = spec.lookup()
    frame = pd.DataFrame(index=raw.index)
    for column in spec.columns:
        value = pd.Series(None, index=raw.index, dtype=object)
        for key in raw.columns:
            if lookup.get(normalise_header(key)) == column:
                value = value.combine_first(raw[key].astype(object))
        if column == "answers":
            frame[column] = value
        else:
            text = value.astype("string").str.strip()
            frame[column] = text.mask(text == "")
    missing = [c for c in spec.required if frame[c].isna().all()]
    return frame, missing


def empty_forms(spec: TableSpec) -> pd.DataFrame:
    """A forms frame with no rows (no forms file in the extract)."""
    frame = pd.DataFrame({c: pd.Series(dtype="string" if c != "answers" else object) for c in spec.columns})
    frame[SOURCE_FILE] = pd.Series(dtype="string")
    frame[SHEET] = pd.Series(dtype=object)
    frame[ROW] = pd.Series(dtype="int64")
    return frame
