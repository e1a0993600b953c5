"""The IRO's forms, kept as cached form answers, onto the canonical IRO-service tables.

Mosaic keeps what a worker records on a step's form in DM_CACHED_FORM_ANSWERS, one row
per answer: the step (WORKFLOW_STEP_ID), the question (QUESTION_USER_CODE), the answer
(DATE_ANSWER, TEXT_ANSWER or NUMBER_ANSWER), the row of a repeating group
(FORM_ANSWER_ROW_ID) and, on a form about several children, which one (SUBJECT_PERSON_ID).
Each canonical row is a step (and child) of the table's kind: the step is the spine, so a
step with no answers still gives a row and the core reports its blanks; the answers are
pivoted onto it by question code in one vectorised pass. A table kept as a repeating group
(review participants) gives one row per group row, with that answer row's lineage. Where
a question has several codes the first given wins, then the later answer row.
"""

from __future__ import annotations

import pandas as pd
from iro_etl.sources.distinct import per_distinct
from iro_etl.sources.readers import normalise_header, normalised
from iro_schemas.lineage import LINEAGE_COLUMNS, ROW

_LINEAGE = list(LINEAGE_COLUMNS)


def labels(values: pd.Series) -> pd.Series:
    """Words as the contract spells them: 'Stage 1' -> 'stage 1', 'Step_Parent' -> 'step parent'."""
    return per_distinct(values, lambda text: text.str.replace("_", " ", regex=False)
                        .str.replace(r"\s+", " ", regex=True).str.strip().str.lower())


def _codes(questions: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    return pd.DataFrame([(normalise_header(code), column, rank)
                         for column, codes in questions.items()
                         for rank, code in enumerate(codes)],
                        columns=["_code", "_column", "_rank"]).drop_duplicates("_code")


def answered(answers: pd.DataFrame) -> pd.DataFrame:
    """DM_CACHED_FORM_ANSWERS' rows that hold an answer, with it (``_value``) and their
    question's code as compared (``_code``): once per export, for every form table."""
    value = (answers["date_answer"].fillna(answers["text_answer"])
             .fillna(answers["number_answer"]))
    long = answers.assign(_value=value, _code=normalised(answers["question"]))
    return long.dropna(subset=["_value"])


def form_table(spine: pd.DataFrame, answers: pd.DataFrame,
               questions: dict[str, tuple[str, ...]], words: tuple[str, ...] = (),
               repeating: bool = False) -> pd.DataFrame:
    """One row per spine row (a step and its child; with ``repeating``, per answer row
    of the group), the questions' answers (``answers``, as :func:`answered` gives them)
    as columns."""
    spine = spine.reset_index(drop=True).rename_axis("_spine").reset_index()
    long = answers.merge(_codes(questions), on="_code")
    long = long.merge(spine[["_spine", "step_id", "child_id"]], on="step_id")
    # A form about several children: an answer naming one belongs to that child only.
    own = long["subject_person_id"].isna() | (long["subject_person_id"] == long["child_id"])
    long = long[own.fillna(True).astype(bool)]
    key = ["_spine", "answer_row"] if repeating else ["_spine"]
    long = long.assign(answer_row=long["answer_row"].fillna("")).sort_values(
        [*key, "_column", "_rank", ROW], ascending=[*[True] * len(key), True, True, False])
    chosen = long.drop_duplicates([*key, "_column"])
    wide = chosen.pivot(index=key, columns="_column", values="_value").reindex(
        columns=list(questions))
    if repeating:
        # Each group row is found at its first answer.
        where = chosen.sort_values(ROW).drop_duplicates(key).set_index(key)[_LINEAGE]
        rows = wide.join(where).reset_index()
        out = rows.merge(spine.drop(columns=[*_LINEAGE, "step_id"]), on="_spine")
    else:
        out = spine.merge(wide, left_on="_spine", right_index=True, how="left")
    for column in questions:
        out[column] = out[column].astype("string")
    for column in words:
        out[column] = labels(out[column])
    return out.drop(columns=["_spine", "answer_row", "step_id"], errors="ignore")
