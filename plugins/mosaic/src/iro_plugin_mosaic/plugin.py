"""The Mosaic source plugin: the Servelec (System C) Mosaic data warehouse, as CSV extracts.

An export is a folder of CSV files, one per warehouse table and named after it
(``dm_persons.csv``; a suffix such as a date is allowed), or a SQLAlchemy URL of
the reporting database holding the same tables:

- ``dm_persons`` -> children (everyone Mosaic knows; only persons named by an
  episode, review or IRO step are kept; gender M/F becomes SEX 1/2);
- ``dm_cla_episodes`` -> episodes, ``dm_cla_reviews`` -> reviews;
- ``dm_workers`` -> iro_staff (only workers with an IRO job title);
- ``dm_workflow_steps`` with their answers in ``dm_step_answers`` (long format,
  one row per answer) -> notifications, iro_allocations, review_records and
  disputes, one row per step of the matching type (see :mod:`.workflow`);
- ``dm_review_participants`` -> review_participants, linked to the review by
  its CLA Review Record step.

Lineage of a row built from form answers is the row of its workflow step in
``dm_workflow_steps.csv``; the column a failure names is the question code.
Steps of other types, cancelled steps and answers to unconfigured questions are
ignored without a failure; a ragged answer row the mapping uses quarantines its
step's row, and every ragged answer row is also a ``ragged_answer`` warning at its own
row of ``dm_step_answers.csv``; an extract missing from the folder is reported by name.

Options (the authority's ``options`` block in authorities.yaml):

- ``columns``: the standard option, {table: {column: [extra accepted headers]}},
  for children, episodes, reviews, iro_staff (also ``job_title``) and
  review_participants (``step_id``, ``role``, ``status``), plus
  ``dm_workflow_steps`` and ``dm_step_answers`` by their warehouse column names.
  Tables held as answers are renamed through ``questions`` instead.
- ``questions``: {canonical column: question code, or a list of codes with the
  preferred first} for the columns held as form answers, e.g.
  ``{review_date: CLAREV_Q01, rag: [RAG_2019, RAG]}``.
- ``step_types``: {table: step type or list}, the step types recording
  notifications, iro_allocations, review_records and disputes.
- ``iro_job_titles``: job titles that make a worker an IRO.
- ``codes``: the standard option, applied by the core after reading. Labels
  (review status, RAG, dispute stage, participant role and status) are
  lower-cased before it applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from iro_etl.quality.failures import Failure
from iro_etl.sources.plugin import SourceData, SourcePlugin
from iro_etl.sources.readers import TableSpec

from iro_plugin_mosaic import source
from iro_plugin_mosaic.config import FormConfig
from iro_plugin_mosaic.people import children_table, staff_table
from iro_plugin_mosaic.tables import QUESTIONS, WAREHOUSE, WORKFLOW_TABLES
from iro_plugin_mosaic.workflow import participants_table, step_tables


class MosaicPlugin(SourcePlugin):
    """Mosaic warehouse tables: people, episodes, reviews, workers and IRO workflow steps."""

    name = "mosaic"
    description = "Servelec/System C Mosaic data warehouse: dm_ table extracts (CSV) or the database"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        for table in QUESTIONS:
            if self.extra_headers(table):
                raise ValueError(f"mosaic option columns: {table} is held as form answers; "
                                 "name its question codes in the questions option")
        self.config = FormConfig.from_options(self.options)
        # Canonical-shaped tables take renames under their canonical name, workflow ones under their own.
        self.specs: dict[str, TableSpec] = {
            name: spec.extended(self.extra_headers(name if name in WORKFLOW_TABLES else spec.table))
            for name, spec in WAREHOUSE.items()}

    def recognise(self, path: Path | str) -> bool:
        return source.recognise(path, self.specs)

    def read(self, path: Path | str) -> SourceData:
        read = source.read_warehouse(path, self.specs)
        raw = read.frames
        # Ragged rows of the workflow files are put on the canonical rows they spoil by the mapping.
        ragged: list[Failure] = []
        failures: list[Failure] = []
        for failure in read.failures:
            workflow = failure.table_name in WORKFLOW_TABLES
            (ragged if workflow and failure.rule == "bad_row_shape" else failures).append(failure)
        steps = step_tables(raw["dm_workflow_steps"], raw["dm_step_answers"], self.config, ragged)
        failures += steps.failures
        in_care = pd.concat([raw["dm_cla_episodes"]["child_id"], raw["dm_cla_reviews"]["child_id"],
                             *(frame["child_id"] for frame in steps.tables.values())])
        tables = {
            "children": children_table(raw["dm_persons"], in_care),
            "episodes": raw["dm_cla_episodes"],
            "reviews": raw["dm_cla_reviews"],
            "iro_staff": staff_table(raw["dm_workers"], self.config.iro_job_titles),
            **steps.tables,
            "review_participants": participants_table(raw["dm_review_participants"], steps.reviews),
        }
        return SourceData(self.name, tables, failures, read.files)

    def column_names(self) -> dict[str, dict[str, str]]:
        names = {spec.table: {col: spec.display(col) for col in spec.columns}
                 for name, spec in self.specs.items() if name not in WORKFLOW_TABLES}
        person = self.specs["dm_workflow_steps"].display("person_id")
        for table, questions in self.config.questions.items():
            names[table] = {"child_id": person,
                            **{col: self.config.display(table, col) for col in questions}}
        # A participant's child and review date come through its step: name the column to check.
        step = self.specs["dm_review_participants"].display("step_id")
        names["review_participants"].update(
            child_id=f"{person} (via {step})",
            review_date=f"{self.config.display('review_records', 'review_date')} (via {step})")
        return names
