"""The Mosaic plugin: the tables of a Mosaic (Servelec, now System C) reporting warehouse.

An export location is either a SQLAlchemy URL of the warehouse database (lineage
``db:<table>``) or a folder of CSV extracts, one per table and named as the table
(``DM_PERSONS.csv``, ``DM_PLACEMENTS.csv``, ...; case does not matter). Tables read:

- ``DM_PERSONS`` (+ ``DM_ETHNICITIES``) -> children: the persons with a placement; GENDER
  M/F as SEX 1/2; FULL_ETHNICITY_CODE as its CBDS code where DM_ETHNICITIES gives one;
- ``DM_PERIODS_OF_CARE`` + ``DM_PLACEMENTS`` + ``DM_LEGAL_STATUSES`` (+
  ``DM_PLACEMENT_DETAILS``) -> episodes, one per placement split (see :mod:`.assemble`);
- ``DM_WORKFLOW_STEPS`` + ``DM_SUBGROUP_SUBJECTS`` -> reviews (completed CLA review steps);
- ``DM_CACHED_FORM_ANSWERS`` -> review_records and review_participants (answers on the
  CLA review steps), notifications and disputes (answers on steps of their own types);
  from a database only the answers to the questions read are fetched (the table holds
  every form's: assessments, case notes), and only the review steps and the steps of the
  types read of DM_WORKFLOW_STEPS (which holds every workflow's);
- ``DM_PROF_RELATIONSHIPS`` -> iro_allocations (relationships of an IRO type);
- ``DM_WORKERS`` + ``DM_WORKER_ROLES`` + ``DM_ORGANISATIONS`` -> iro_staff (the IROs'
  primary roles and teams). Mosaic holds no FTE: blank (one warning each) unless the
  deployment's DM_WORKERS has an ``FTE`` column (or one named by ``columns``).

DM_ETHNICITIES, DM_PLACEMENT_DETAILS, DM_CACHED_FORM_ANSWERS and DM_ORGANISATIONS may be
missing without a failure; without the form answers the tables kept as forms are said to
be not held in the load summary. People never looked after, cancelled review steps and
review steps not completed yet are counted there, not read.

Options (the authority's ``options`` block in authorities.yaml):

``schema``
    The database schema holding the tables when it is not the connection's default.
``tables``
    ``{table: actual name}`` for a deployment that renamed a table (a view over it, say);
    ``null`` for a table the deployment lacks.
``iro_relationships``
    The PROF_REL_TYPE_CODEs meaning the child's IRO (default ``REL.IRO`` and ``IRO``).
``questions``
    ``{canonical column: QUESTION_USER_CODE or a list, the preferred first}`` for the
    columns kept as form answers (the authority's own forms), e.g.
    ``{rag: [RAG_2019, RAG], notified_date: datIRONotified}``.
``step_types``
    ``{notifications|disputes: WORKFLOW_STEP_TYPE_ID or a list}``: the steps whose forms
    hold them.
``columns``, ``codes``
    The standard options (extra headers, local codes: unknown codes are kept and the
    core reports them).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iro_etl.sources.plugin import SourceData, name_list
from iro_etl.sources.readers import normalise_header
from iro_etl.sources.sql import Kept
from iro_etl.sources.warehouse import WarehousePlugin
from iro_plugin_ssd.assemble import children, iro_allocations
from iro_schemas.lineage import LINEAGE_COLUMNS

from iro_plugin_mosaic import assemble
from iro_plugin_mosaic.forms import answered, form_table
from iro_plugin_mosaic.tables import (
    COLUMN_NAMES,
    ETHNICITIES,
    FORM_ANSWERS,
    IRO_RELATIONSHIPS,
    LABELS,
    LEGAL_STATUSES,
    ORGANISATIONS,
    PERIODS_OF_CARE,
    PERSONS,
    PLACEMENT_DETAILS,
    PLACEMENTS,
    PROF_RELATIONSHIPS,
    QUESTIONS,
    SIGNATURE,
    STEP_TYPES,
    SUBGROUP_SUBJECTS,
    TABLES,
    WORKER_ROLES,
    WORKERS,
    WORKFLOW_STEPS,
)

_REVIEW_KEYS = ["step_id", "child_id", "review_date"]


def _questions(option: Mapping[str, Any] | None) -> dict[str, dict[str, tuple[str, ...]]]:
    out = {table: dict(columns) for table, columns in QUESTIONS.items()}
    owner = {column: table for table, columns in QUESTIONS.items() for column in columns}
    for column, codes in (option or {}).items():
        if column not in owner:
            raise ValueError(f"mosaic option questions: {column!r} is not a column kept as a "
                             f"form answer ({', '.join(owner)})")
        out[owner[column]][column] = name_list(codes)
    return out


def _step_types(option: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    unknown = set(option or {}) - set(STEP_TYPES)
    if unknown:
        raise ValueError(f"mosaic option step_types: {sorted(unknown)} are not kept on steps "
                         f"of their own type ({', '.join(STEP_TYPES)})")
    return {**STEP_TYPES, **{t: name_list(v) for t, v in (option or {}).items()}}


class MosaicPlugin(WarehousePlugin):
    """Mosaic's reporting warehouse, from its database or CSV extracts of its tables."""

    name = "mosaic"
    description = ("Servelec/System C Mosaic reporting warehouse: its database by URL, or CSV "
                   "extracts of its DM_ tables (DM_PERSONS.csv, ...)")
    tables = TABLES
    signature = SIGNATURE

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        self.iro_relationships = self.name_list("iro_relationships", IRO_RELATIONSHIPS)
        self.questions = _questions(self.options.get("questions"))
        self.step_types = _step_types(self.options.get("step_types"))

    def read(self, path: Path | str) -> SourceData:
        # From a database, only the answers to the questions kept are fetched, and only the
        # review steps and the steps of the types read.
        codes = {normalise_header(code) for columns in self.questions.values()
                 for names in columns.values() for code in names}
        types = {normalise_header(t) for names in self.step_types.values() for t in names}
        frames, got = self.frames(path, {
            FORM_ANSWERS.name: Kept("question", frozenset(codes)),
            WORKFLOW_STEPS.name: Kept("step_type", frozenset(types), also="review_category")})
        source = SourceData(self.name, {}, got.failures, got.files)
        steps, subjects = frames[WORKFLOW_STEPS.name], frames[SUBGROUP_SUBJECTS.name]
        answers = answered(frames[FORM_ANSWERS.name])
        episodes = assemble.episodes(frames[PERIODS_OF_CARE.name], frames[PLACEMENTS.name],
                                     frames[PLACEMENT_DETAILS.name], frames[LEGAL_STATUSES.name])
        kids, others = children(frames[PERSONS.name], episodes["child_id"])
        allocations = iro_allocations(frames[PROF_RELATIONSHIPS.name], self.iro_relationships)
        review = assemble.review_steps(steps, subjects)
        reviews, left_out = assemble.reviews(review)
        lineage = list(LINEAGE_COLUMNS)
        spine = assemble.settled(review)[[*_REVIEW_KEYS, *lineage]]
        source.tables = {
            "children": assemble.ethnicities(kids, frames[ETHNICITIES.name]),
            "episodes": episodes,
            "reviews": reviews,
            "iro_allocations": allocations,
            "iro_staff": assemble.iro_staff(frames[WORKERS.name], frames[WORKER_ROLES.name],
                                            frames[ORGANISATIONS.name], allocations),
            "review_records": form_table(spine, answers, self.questions["review_records"],
                                         LABELS["review_records"]),
            "review_participants": form_table(
                spine, answers, self.questions["review_participants"],
                LABELS["review_participants"], repeating=True),
        }
        for table, types in self.step_types.items():
            mine = assemble.subject_steps(steps, subjects, types)
            source.tables[table] = form_table(mine[["step_id", "child_id", *lineage]], answers,
                                              self.questions[table], LABELS.get(table, ()))
        if others:
            source.not_used[f"{PERSONS.name}: {others} people never looked after"] = "children"
        for reason, count in left_out.items():
            if count:
                source.not_used[f"{WORKFLOW_STEPS.name}: {count} CLA review steps {reason}"] = (
                    "reviews")
        if frames[FORM_ANSWERS.name].empty:
            source.not_held = {table: f"not read: {FORM_ANSWERS.name} (the IRO's forms) was not "
                                      "in this export" for table in QUESTIONS}
        return source

    def column_names(self) -> dict[str, dict[str, str]]:
        names = {table: dict(columns) for table, columns in COLUMN_NAMES.items()}
        step = f"{SUBGROUP_SUBJECTS.name}.SUBJECT_COMPOUND_ID"
        for table, columns in self.questions.items():
            names[table] = {"child_id": step,
                            **{c: f"{FORM_ANSWERS.name}:{codes[0]}" for c, codes in columns.items()}}
        names["reviews"]["child_id"] = step
        for table in ("review_records", "review_participants"):
            names[table]["review_date"] = f"{WORKFLOW_STEPS.name}.LAC_REVIEW_DATE"
        names["episodes"]["child_id"] = f"{PERIODS_OF_CARE.name}.PERSON_ID"
        names["episodes"]["ls"] = f"{LEGAL_STATUSES.name}.LEGAL_STATUS"
        names["episodes"]["rne"] = f"{PLACEMENTS.name}.START_DATE"
        names["iro_staff"]["team"] = f"{ORGANISATIONS.name}.NAME"
        return names
