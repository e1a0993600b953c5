"""An authority's Mosaic set-up, from its ``options`` block: forms, step types, IRO job titles.

Authorities build their own forms in Mosaic, so the question codes and step
type names differ between them; these are configuration, never code. Options
are checked when the plugin is made, so a mistyped column name fails the load
at once rather than silently reading nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iro_etl.sources.readers import normalise_header

from iro_plugin_mosaic.tables import IRO_JOB_TITLES, QUESTIONS, STEP_TYPES


def _as_tuple(value: Any, option: str, key: str) -> tuple[str, ...]:
    """One name or a list of names, as a tuple of non-blank text."""
    values = (value,) if isinstance(value, str) else tuple(value or ())
    if not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise ValueError(f"mosaic option {option}: {key!r} needs a name or a list of names")
    return values


@dataclass(frozen=True)
class FormConfig:
    """Which steps and answers hold the IRO-service tables, for one authority."""

    #: Canonical table -> step types recording it.
    step_types: dict[str, tuple[str, ...]]
    #: Canonical table -> {canonical column: question codes, the preferred one first}.
    questions: dict[str, dict[str, tuple[str, ...]]]
    #: Job titles of IROs among the workers.
    iro_job_titles: tuple[str, ...]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> FormConfig:
        step_types = dict(STEP_TYPES)
        for table, names in (options.get("step_types") or {}).items():
            if table not in STEP_TYPES:
                raise ValueError(f"mosaic option step_types: {table!r} is not a table held as "
                                 f"workflow steps ({', '.join(STEP_TYPES)})")
            step_types[table] = _as_tuple(names, "step_types", table)
        questions = {table: dict(columns) for table, columns in QUESTIONS.items()}
        owner = {col: table for table, columns in QUESTIONS.items() for col in columns}
        for column, codes in (options.get("questions") or {}).items():
            if column not in owner:
                raise ValueError(f"mosaic option questions: {column!r} is not a column held as a "
                                 f"form answer ({', '.join(owner)})")
            questions[owner[column]][column] = _as_tuple(codes, "questions", column)
        titles = options.get("iro_job_titles")
        titles = _as_tuple(titles, "iro_job_titles", "iro_job_titles") if titles else IRO_JOB_TITLES
        return cls(step_types, questions, titles)

    def table_of_step_type(self) -> dict[str, str]:
        """Normalised step type -> the canonical table its steps record."""
        return {normalise_header(name): table for table, names in self.step_types.items()
                for name in names}

    def question_lookup(self) -> dict[str, tuple[str, str, int]]:
        """Normalised question code -> (table, canonical column, preference: 0 is the first code)."""
        return {normalise_header(code): (table, column, rank)
                for table, columns in self.questions.items()
                for column, codes in columns.items()
                for rank, code in enumerate(codes)}

    def display(self, table: str, column: str) -> str:
        """The question code a person looks for in the form: the first configured."""
        return self.questions[table][column][0]
