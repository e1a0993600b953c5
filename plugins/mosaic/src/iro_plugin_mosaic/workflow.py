"""Workflow steps and their long-format answers onto the canonical IRO-service tables.

Mosaic records the IRO service as workflow steps (an *IRO Notification*, a
*CLA Review Record*, ...) whose form answers sit one per row in
``dm_step_answers``. Each step of a configured type gives one canonical row:
the step is the spine (so a step with no answers still gives a row, and its
blanks are reported), and the answers are pivoted onto it by question code in
one vectorised pass. Steps of other types, voided steps and answers to
questions the configuration does not name are ignored: a form holds far more
than the IRO tables need.

Lineage of an answer-derived row is the row of its step in
``dm_workflow_steps`` (file and row), as that is where a person finds the form;
its failures name the question code as the column.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.readers import normalise_header
from iro_schemas.canonical import CANONICAL_MODELS
from iro_schemas.lineage import LINEAGE_COLUMNS, ROW, SHEET, SOURCE_FILE

from iro_plugin_mosaic.config import FormConfig
from iro_plugin_mosaic.tables import LABEL_COLUMNS, VOID_STEP_STATUSES

_LINK = [SOURCE_FILE, SHEET, ROW]


def normalised(values: pd.Series) -> pd.Series:
    """Names compared case-, space- and punctuation-insensitively, as headers are."""
    return values.astype("string").str.lower().str.replace(r"[^0-9a-z]", "", regex=True)


def labels(values: pd.Series) -> pd.Series:
    """Lookup labels as the contract spells them: 'Stage 1' -> 'stage 1', 'Step_Parent' -> 'step parent'."""
    return (values.astype("string").str.replace("_", " ", regex=False)
            .str.replace(r"\s+", " ", regex=True).str.strip().str.lower())


@dataclass
class StepTables:
    """The canonical tables built from workflow steps, and failures found building them."""

    tables: dict[str, pd.DataFrame]
    failures: list[Failure]
    #: Review-record steps: step_id -> child_id and review_date, for the participants.
    reviews: pd.DataFrame


def scoped_steps(steps: pd.DataFrame, config: FormConfig) -> pd.DataFrame:
    """Every step with ``_table``: the canonical table it records (NA for other or voided steps)."""
    table = normalised(steps["step_type"]).map(config.table_of_step_type()).astype("string")
    void = normalised(steps["step_status"]).isin([normalise_header(s) for s in VOID_STEP_STATUSES])
    return steps.assign(_table=table.where(~void.fillna(False)))


def _answers_in_scope(answers: pd.DataFrame, steps: pd.DataFrame, config: FormConfig) -> pd.DataFrame:
    """Answers to a question of their own step's table, with that column: another form may reuse a code."""
    lookup = pd.DataFrame.from_dict(config.question_lookup(), orient="index",
                                    columns=["_qtable", "_column", "_rank"])
    known = answers[["step_id", "answer_text", *_LINK]].assign(_code=normalised(answers["question_code"]))
    known = known.join(lookup, on="_code", how="inner")
    owner = steps.dropna(subset=["_table"]).drop_duplicates("step_id")[["step_id", "_table"]]
    known = known.merge(owner, on="step_id", how="inner")
    return known[known["_qtable"] == known["_table"]]


def _best_answers(scoped: pd.DataFrame) -> pd.DataFrame:
    """The answer used per step and canonical column: the first configured code, then the latest row."""
    given = scoped[scoped["answer_text"].notna()]
    return (given.sort_values(["step_id", "_column", "_rank", ROW], ascending=[True, True, True, False])
            .drop_duplicates(["step_id", "_column"], keep="first"))


def _missing_questions(table: str, scoped: pd.DataFrame, answers: pd.DataFrame, config: FormConfig
                       ) -> list[Failure]:
    """A required column whose question codes appear in no answer: the authority's form asks otherwise."""
    schema = CANONICAL_MODELS[table]
    asked = set(scoped.loc[scoped["_table"] == table, "_column"])
    source = answers[SOURCE_FILE].dropna()
    where = str(source.iloc[0]) if len(source) else "dm_step_answers.csv"
    return [Failure(table, where, "missing_column", row=1, column_name=config.display(table, col))
            for col in config.questions[table]
            if not schema.columns[col].nullable and col not in asked]


def _ragged_rows(failures: list[Failure], steps: pd.DataFrame, scoped: pd.DataFrame) -> list[Failure]:
    """Ragged rows of the workflow files, moved onto the canonical row they spoil.

    The core quarantines a row through a ``bad_row_shape`` failure with that row's lineage, and a
    canonical row's lineage is its step: a ragged answer is reported against its step's row, and
    also as a ``ragged_answer`` warning at its own row of the answers file, where it is fixed.
    """
    if not failures:
        return []
    marks = pd.DataFrame([(f.table_name, f.source_file, f.sheet, f.row, f.value) for f in failures],
                         columns=["_file_table", *_LINK, "_cells"])
    in_scope = steps.dropna(subset=["_table"])
    on_steps = marks[marks["_file_table"] == "dm_workflow_steps"].merge(
        in_scope[[*_LINK, "_table"]], on=_LINK, how="inner")
    answers = marks[marks["_file_table"] == "dm_step_answers"]
    # Only an answer the mapping reads can spoil a row; a ragged comment on another question cannot.
    read = answers.merge(scoped[[*_LINK, "step_id"]], on=_LINK, how="inner").merge(
        in_scope.drop_duplicates("step_id")[["step_id", *_LINK, "_table"]], on="step_id",
        how="inner", suffixes=("_answer", ""))
    moved = pd.concat([on_steps, read[[*_LINK, "_cells", "_table"]]], ignore_index=True)
    moved = moved.drop_duplicates([*_LINK, "_table"])
    spoilt = [Failure(table, source, "bad_row_shape", sheet=None if pd.isna(sheet) else sheet,
                      row=int(row), value=cells)
              for table, source, sheet, row, cells in zip(
                  moved["_table"], moved[SOURCE_FILE], moved[SHEET], moved[ROW], moved["_cells"],
                  strict=True)]
    where = read.set_index([f"{c}_answer" for c in _LINK])["_table"]
    return spoilt + [
        Failure(where.get((source, sheet, row), FILE_LEVEL), source, "ragged_answer",
                sheet=None if pd.isna(sheet) else sheet, row=int(row), value=cells)
        for source, sheet, row, cells in zip(answers[SOURCE_FILE], answers[SHEET], answers[ROW],
                                             answers["_cells"], strict=True)]


def step_tables(steps: pd.DataFrame, answers: pd.DataFrame, config: FormConfig,
                ragged: list[Failure]) -> StepTables:
    """Notifications, allocations, review records and disputes from steps and their answers."""
    steps = scoped_steps(steps, config)
    scoped = _answers_in_scope(answers, steps, config)
    used = _best_answers(scoped)
    wide = used.pivot(index="step_id", columns="_column", values="answer_text")
    failures = _ragged_rows(ragged, steps, scoped)
    tables = {}
    for table, questions in config.questions.items():
        spine = steps[steps["_table"] == table].reset_index(drop=True)
        values = wide.reindex(index=spine["step_id"], columns=list(questions))
        frame = pd.DataFrame({"child_id": spine["person_id"].astype("string")})
        for col in questions:
            frame[col] = pd.Series(values[col].to_numpy(), dtype="string")
        for col in LABEL_COLUMNS.get(table, ()):
            frame[col] = labels(frame[col])
        tables[table] = pd.concat([frame, spine[list(LINEAGE_COLUMNS)]], axis=1)
        if len(spine):
            failures += _missing_questions(table, scoped, answers, config)
    records = steps[steps["_table"] == "review_records"].drop_duplicates("step_id")
    reviews = pd.DataFrame({"step_id": records["step_id"].to_numpy(),
                            "child_id": records["person_id"].to_numpy(),
                            "review_date": wide.reindex(index=records["step_id"],
                                                        columns=["review_date"])["review_date"].to_numpy()},
                           dtype="string")
    return StepTables(tables, failures, reviews)


def participants_table(participants: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """Review participants with the child and review date of their review-record step."""
    found = participants[["step_id"]].merge(reviews, on="step_id", how="left")
    frame = pd.DataFrame({
        "child_id": found["child_id"].astype("string").to_numpy(),
        "review_date": found["review_date"].astype("string").to_numpy(),
        "role": labels(participants["role"]).to_numpy(),
        "status": labels(participants["status"]).to_numpy(),
    }, index=participants.index)
    return pd.concat([frame.astype("string"), participants[list(LINEAGE_COLUMNS)]], axis=1)
