"""The Eclipse source plugin: people, CLA episodes and IRO staff tables, and case work as JSON forms.

Reads either Eclipse's reporting database (a SQLAlchemy URL: tables ``people``,
``cla_episodes``, ``staff`` and ``forms``) or an extract folder (``people.csv``,
``cla_episodes.csv``, ``staff.csv`` and ``forms.jsonl``; files are told apart by their
header or first record, so their names may carry dates). Children, episodes and
IRO staff come from the structured tables; reviews, notifications, IRO
allocations, review records, review participants and disputes from completed
forms of the configured types. Every other form (case notes, drafts) is ignored.
An export is recognised by its forms (a JSON-lines file of form records, or a
``forms`` table with form types and answers): Eclipse's people and episode tables
look too much like other person-based systems' to claim a folder on their own.

Failures particular to forms: an answers document that is not a JSON object is an
``answers_not_json`` error on column ``answers`` at the form's row (the line of
forms.jsonl, or the row of ``db:forms`` in form_id order, counted from 2), filed under
the canonical table its form type feeds; a forms.jsonl line that is not JSON at all is a
``line_not_json`` error at that line; a participants list item that is not a record is a
``participant_not_record`` error. Either way only that form (or item) is lost.

Options (the authority's ``options`` block in authorities.yaml):

- ``columns``: the standard renamed headers, {table: {canonical column: [headers]}} for
  ``children`` (people), ``episodes`` (cla_episodes) and ``iro_staff`` (staff), plus
  ``forms`` for the forms table's own columns (``form_id``, ``form_type``, ``person_id``,
  ``created_at``, ``status``, ``answers``).
- ``codes``: the standard local-code translations (applied by the core). Eclipse's
  gender words (Male/Female, M/F) are translated to 903 SEX codes by the plugin first.
- ``form_types``, ``fields`` and ``completed_statuses``: how the authority built its
  forms; see :mod:`iro_plugin_eclipse.options`. For example::

      options:
        form_types: {reviews: LAC_REVIEW, review_records: [IRO_REC, IRO_REC_2019]}
        fields:
          reviews: {review_date: meeting.date}
          rag: rating
        completed_statuses: [completed, authorised]
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.plugin import SourceData, SourcePlugin
from iro_etl.sources.readers import (
    TableSpec,
    classify_header,
    csv_header,
    decode,
    empty_frame,
    read_csv_table,
)
from iro_etl.sources.sql import is_database_url
from iro_schemas.canonical import CANONICAL_MODELS

from iro_plugin_eclipse.answers import map_forms
from iro_plugin_eclipse.database import is_eclipse_database, read_database
from iro_plugin_eclipse.jsonl import empty_forms, is_forms_file, read_forms_jsonl
from iro_plugin_eclipse.options import form_config
from iro_plugin_eclipse.tables import FORMS, FORMS_OPTION, GENDER_CODES, JSONL_SUFFIXES, STRUCTURED_SPECS


def classify_csv(path: Path, specs: tuple[TableSpec, ...]) -> TableSpec | None:
    """The structured table a CSV file holds, judged by its header: its key and most required columns."""
    return classify_header(csv_header(path), specs)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    return [path]


def _is_blank(path: Path) -> bool:
    """Whether a file holds nothing but whitespace (and stray delimiters)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64 * 1024)
    except OSError:
        return False
    text, _ = decode(head)
    return not text.replace(",", "").strip()


def _gender_codes(sex: pd.Series) -> pd.Series:
    """Eclipse's gender words as 903 SEX codes; anything else is left for the core to judge."""
    coded = sex.str.strip().str.lower().map(GENDER_CODES)
    return coded.astype("string").fillna(sex)


class EclipsePlugin(SourcePlugin):
    """Eclipse (OLM Systems): structured people/episode/staff tables and JSON form answers."""

    name = "eclipse"
    description = "Eclipse (OLM Systems) forms with JSON answers: reporting database or extract folder"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        # Built now so a mistake in the authority's form options is reported at set-up.
        self.forms = form_config(self.options)

    def specs(self) -> tuple[TableSpec, ...]:
        """The structured tables, accepting this authority's extra header names."""
        return tuple(spec.extended(self.extra_headers(spec.table)) for spec in STRUCTURED_SPECS)

    def forms_spec(self) -> TableSpec:
        """The forms table, accepting this authority's extra column names."""
        return FORMS.extended(self.extra_headers(FORMS_OPTION))

    def _classify(self, file: Path, specs: tuple[TableSpec, ...], forms: TableSpec) -> TableSpec | None:
        """The table a file of an extract holds: the forms, a structured table, or None."""
        if file.suffix.lower() in (*JSONL_SUFFIXES, ".json"):
            return forms if is_forms_file(file, forms) else None
        return classify_csv(file, specs)

    def recognise(self, path: Path | str) -> bool:
        """True for a forms file, a folder holding one, or a database with a forms table.

        Only the forms say Eclipse: its people and episode tables look like other
        person-based systems' (Mosaic's, for one), so they alone do not claim an export.
        """
        if isinstance(path, str) and is_database_url(path):
            return is_eclipse_database(path, self.forms_spec())
        path = Path(path)
        if not path.exists():
            return False
        forms = self.forms_spec()
        return any(f.suffix.lower() in (*JSONL_SUFFIXES, ".json") and is_forms_file(f, forms)
                   for f in _files(path))

    def read(self, path: Path | str) -> SourceData:
        specs, forms_spec = self.specs(), self.forms_spec()
        if isinstance(path, str) and is_database_url(path):
            tables, forms, failures = read_database(path, specs, forms_spec)
            files: list[Path] = []
        else:
            tables, forms, failures, files = self._read_extract(Path(path), specs, forms_spec)
        tables["children"]["sex"] = _gender_codes(tables["children"]["sex"])
        mapped, more = map_forms(forms, self.forms)
        tables.update(mapped)
        return SourceData(self.name, tables, failures + more, files)

    def _read_extract(self, path: Path, specs: tuple[TableSpec, ...], forms_spec: TableSpec
                      ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, list[Failure], list[Path]]:
        """An extract folder (or one file of it): structured CSV tables and JSON-lines forms."""
        frames: dict[str, list[pd.DataFrame]] = {spec.table: [] for spec in specs}
        form_frames: list[pd.DataFrame] = []
        failures: list[Failure] = []
        if not path.exists():
            failures.append(Failure(FILE_LEVEL, path.name, "unreadable_file", value="no such file or folder"))
            files = []
        else:
            files = _files(path)
        type_table = self.forms.table_of_type()
        for file in files:
            if _is_blank(file):
                failures.append(Failure(FILE_LEVEL, file.name, "empty_file"))
                continue
            spec = self._classify(file, specs, forms_spec)
            if spec is None:
                failures.append(Failure(FILE_LEVEL, file.name, "unrecognised_file"))
            elif spec is forms_spec:
                frame, more = read_forms_jsonl(file, forms_spec, type_table)
                form_frames.append(frame)
                failures += more
            else:
                frame, more = read_csv_table(file, spec)
                frames[spec.table].append(frame)
                failures += more
        tables = {spec.table: (pd.concat(frames[spec.table], ignore_index=True) if frames[spec.table]
                               else empty_frame(spec)) for spec in specs}
        forms = pd.concat(form_frames, ignore_index=True) if form_frames else empty_forms(forms_spec)
        return tables, forms, failures, files

    def column_names(self) -> dict[str, dict[str, str]]:
        names = {spec.table: {c: spec.display(c) for c in spec.columns} for spec in self.specs()}
        for layout in self.forms.layouts.values():
            names[layout.table] = {c: layout.display(c) for c in CANONICAL_MODELS[layout.table].columns}
        return names
