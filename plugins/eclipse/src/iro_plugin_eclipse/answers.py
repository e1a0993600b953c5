"""Form answers onto the canonical tables: JSON parsed safely, then flattened and mapped in bulk.

Only completed forms of the configured types are looked at; case notes, drafts and
every other form are left alone (not even parsed, so a broken case note costs
nothing). Each answers document is parsed once with numbers kept exactly as
written; one that is not a JSON object becomes a failure naming its file, row and
the ``answers`` column, and the rest of the load goes on. The parsed documents are
flattened with ``pd.json_normalize`` (nested objects become dotted keys) and the
participants list of the review-participation form is exploded into one row per
participant.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd
from iro_etl.quality.failures import Failure
from iro_etl.sources.readers import normalise_header
from iro_schemas.canonical import CANONICAL_MODELS
from iro_schemas.lineage import LINEAGE_COLUMNS, ROW, SHEET, SOURCE_FILE

from iro_plugin_eclipse.options import FormConfig
from iro_plugin_eclipse.tables import PARTICIPANTS, FormLayout

#: Longest raw value quoted in a failure record (answers documents can be long).
VALUE_CLIP = 200


def clip(text: object) -> str:
    """A raw value short enough to quote in a failure message."""
    text = str(text)
    return text if len(text) <= VALUE_CLIP else text[:VALUE_CLIP] + "..."


def load_json(text: str) -> Any:
    """A JSON document with numbers kept as written (ids stay ids, 0.80 stays 0.80)."""
    return json.loads(text, parse_int=str, parse_float=str, parse_constant=str)


def parse_documents(values: pd.Series) -> tuple[list[dict], pd.Series]:
    """Each answers document as a dict, and the mask of documents that are not a JSON object.

    A document may already be an object (inside a JSON-lines record) or text (a database
    column, or an extract that encoded it as a string); a blank one is an empty form.
    This is the low-level parser, so it loops over the documents it is given.
    """
    docs: list[dict] = []
    bad: list[bool] = []
    for value in values.tolist():
        if isinstance(value, str):
            try:
                doc = load_json(value) if value.strip() else {}
            except ValueError:
                doc = None
        elif value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            doc = {}
        else:
            doc = value
        ok = isinstance(doc, dict)
        docs.append(doc if ok else {})
        bad.append(not ok)
    return docs, pd.Series(bad, index=values.index, dtype=bool)


def as_text(values: pd.Series) -> pd.Series:
    """Answer values as export text: trimmed strings, blanks as NA (true/false stay words)."""
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def pick(flat: pd.DataFrame, keys: tuple[str, ...]) -> pd.Series:
    """The first answered of ``keys`` per row (keys matched as headers are: loosely)."""
    by_name: dict[str, list[str]] = {}
    for column in flat.columns:
        by_name.setdefault(normalise_header(column), []).append(column)
    out = pd.Series(None, index=flat.index, dtype=object)
    for key in keys:
        for column in by_name.get(normalise_header(key), []):
            out = out.combine_first(flat[column].astype(object))
    return out


def _flatten(docs: list[dict], index: pd.Index) -> pd.DataFrame:
    flat = pd.json_normalize(docs) if docs else pd.DataFrame()
    flat.index = index
    return flat


def _map_layout(layout: FormLayout, forms: pd.DataFrame, docs: list[dict]
                ) -> tuple[pd.DataFrame, list[Failure]]:
    """One form type's completed forms onto its canonical table."""
    flat = _flatten(docs, forms.index)
    columns = list(CANONICAL_MODELS[layout.table].columns)
    out = pd.DataFrame(index=forms.index)
    for column in columns:
        keys = layout.fields.get(column, ())
        if column == "child_id":
            # The form's subject is the child, unless the authority keeps it in the answers.
            value = pick(flat, keys).combine_first(forms["person_id"].astype(object))
        elif layout.table == "review_participants" and column in ("role", "status"):
            continue  # read from each participant below
        else:
            value = pick(flat, keys)
        out[column] = as_text(value)
    for column in LINEAGE_COLUMNS:
        out[column] = forms[column]
    failures: list[Failure] = []
    if layout.table == "review_participants":
        out, failures = _participants(layout, out, pick(flat, layout.fields[PARTICIPANTS]))
    return out.reindex(columns=[*columns, *LINEAGE_COLUMNS]).reset_index(drop=True), failures


def _participants(layout: FormLayout, forms: pd.DataFrame, lists: pd.Series
                  ) -> tuple[pd.DataFrame, list[Failure]]:
    """One row per participant listed in each form (a form listing none gives no rows)."""
    items = lists.explode()
    is_item = items.map(lambda v: isinstance(v, dict), na_action="ignore").fillna(False).astype(bool)
    # Anything listed that is not a participant record (a bare word, a number) is reported.
    stray = items[items.notna() & ~is_item]
    where = forms.loc[stray.index]
    failures = [
        Failure(layout.table, src, "participant_not_record", sheet=sheet, row=int(row),
                column_name=f"answers.{layout.fields[PARTICIPANTS][0]}", value=clip(value))
        for src, sheet, row, value in zip(where[SOURCE_FILE], where[SHEET], where[ROW], stray, strict=True)
    ]
    items = items[is_item]
    rows = forms.loc[items.index].reset_index(drop=True)
    flat = _flatten(items.tolist(), rows.index)
    rows["role"] = as_text(pick(flat, layout.fields["role"]))
    rows["status"] = as_text(pick(flat, layout.fields["status"]))
    return rows, failures


def map_forms(forms: pd.DataFrame, config: FormConfig) -> tuple[dict[str, pd.DataFrame], list[Failure]]:
    """The canonical tables held in forms, and a failure per answers document that is not JSON.

    ``forms`` has the forms table's columns as text (``answers`` may hold parsed objects)
    plus lineage.
    """
    kind = (forms["form_type"].astype("string").str.lower()
            .str.replace(r"[^0-9a-z]", "", regex=True).map(config.table_of_type()))
    done = forms["status"].astype("string").str.strip().str.lower().isin(config.completed)
    used = forms[kind.notna() & done.fillna(False).astype(bool)]
    kind = kind[used.index]
    docs, bad = parse_documents(used["answers"])
    doc_of = pd.Series(docs, index=used.index, dtype=object)
    failures = [
        Failure(table, src, "answers_not_json", sheet=sheet, row=int(row), column_name="answers",
                value=clip(value))
        for table, src, sheet, row, value in zip(
            kind[bad], used.loc[bad, SOURCE_FILE], used.loc[bad, SHEET], used.loc[bad, ROW],
            used.loc[bad, "answers"], strict=True)
    ]
    tables = {}
    for table, layout in config.layouts.items():
        sel = (kind == table) & ~bad
        tables[table], more = _map_layout(layout, used[sel], doc_of[sel].tolist())
        failures += more
    return tables, failures
