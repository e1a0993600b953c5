"""Synthetic Mosaic warehouse extracts: the ground truth as ``dm_`` tables in CSV, with their mess.

What a real extract carries, and the reader must absorb: SQL Server datetimes
(``2013-04-05 00:00:00.000``) in the warehouse tables but dd/mm/yyyy text in
form answers; gender as M/F; persons who are not children (parents); workers
who are not IROs; steps of other types whose answers reuse an IRO question
code; voided (cancelled) copies of IRO steps; answers to questions the IRO
tables do not use, with commas and quotes in free text; unanswered questions
as blank answers or as no row at all; answers in no particular order; labels
in title case ("Held", "Stage 1"). With a defect rate, the truth's own defects
(see :func:`iro_testdata.synthetic.text_tables`) and blank rows are added.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from iro_plugin_mosaic.tables import LABEL_COLUMNS, QUESTIONS, STEP_TYPES
from iro_schemas.canonical import CANONICAL_MODELS

from iro_testdata.synthetic import text_tables, write_csv

if TYPE_CHECKING:
    from iro_testdata.synthetic import GroundTruth

#: How the warehouse's datetime columns come out of a SQL Server extract.
WAREHOUSE_DATE = "%Y-%m-%d 00:00:00.000"
#: How form answers hold dates: text typed by workers.
FORM_DATE = "%d/%m/%Y"

#: Per step table: (started_on column, completed_on column) of the truth, for the step's own dates.
_STEP_DATES = {"notifications": ("period_start", "notified_date"),
               "iro_allocations": ("from_date", "from_date"),
               "review_records": ("review_date", "record_issued"),
               "disputes": ("raised_date", "resolved_date")}
#: Steps of other kinds a child's workflow holds, with a question each (one reuses an IRO code).
_OTHER_STEPS = (("CLA Visit", "VISIT_DATE"), ("Care Plan Review", "REVIEW_DATE"),
                ("Child Protection Conference", "CONFERENCE_DATE"), ("Strategy Discussion", "OUTCOME"))
_COMMENTS = ('Placement stable, contact with "mum" going well', "Education plan, PEP due; health ok",
             "Views given by advocate, see file")

def _write(path: Path, frame: pd.DataFrame, blank_rows: int = 0) -> Path:
    return write_csv(path, frame, blank_rows=blank_rows)


def _warehouse_date(values: pd.Series) -> pd.Series:
    return values.dt.strftime(WAREHOUSE_DATE).where(values.notna(), None)


def _persons(children: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Children plus some of their parents, as everyone Mosaic records is a person."""
    kids = pd.DataFrame({
        "person_id": children["child_id"],
        "gender": children["sex"].replace({"1": "M", "2": "F"}),
        "date_of_birth": children["dob"], "date_of_death": None,
        "ethnicity": children["ethnic"], "upn": children["upn"],
    })
    n = len(children) // 4
    parents = pd.DataFrame({
        "person_id": (20_000_000 + np.arange(n)).astype(str),
        "gender": rng.choice(np.array(["F", "M"], dtype=object), n),
        "date_of_birth": pd.to_datetime("1965-01-01") + pd.to_timedelta(rng.integers(0, 11000, n), unit="D"),
        "date_of_death": None,
        "ethnicity": children["ethnic"].iloc[:n].to_numpy(), "upn": None,
    })
    parents["date_of_birth"] = _warehouse_date(parents["date_of_birth"])
    out = pd.concat([kids, parents], ignore_index=True)
    return out.iloc[np.argsort(out["person_id"].str.strip().to_numpy(), kind="stable")]


def _episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    frame = episodes.rename(columns={
        "child_id": "person_id", "decom": "start_date", "dec": "end_date", "ls": "legal_status",
        "place": "placement_type", "place_provider": "placement_provider", "rec": "reason_ceased",
        "home_post": "home_postcode", "pl_post": "placement_postcode", "pl_distance": "distance_from_home",
        "pl_la": "placement_la", "pl_location": "placement_location"})
    frame.insert(0, "episode_id", np.arange(1, len(frame) + 1))
    return frame


def _reviews(reviews: pd.DataFrame) -> pd.DataFrame:
    frame = reviews.rename(columns={"child_id": "person_id", "review_code": "participation_code"})
    frame.insert(0, "review_id", np.arange(1, len(frame) + 1))
    return frame


def _workers(staff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The IROs among social workers and managers, who are workers too but not IRO staff."""
    n = len(staff)
    iros = pd.DataFrame({
        "worker_id": staff["iro_id"],
        "job_title": np.where(np.arange(n) == 0, "Senior Independent Reviewing Officer",
                              "Independent Reviewing Officer"),
        "team_name": staff["team"],
        "fte": staff["fte"].map("{:.2f}".format),
        "iro_proportion": staff["iro_share"].map("{:.2f}".format).where(staff["iro_share"].notna(), None),
        "start_date": _warehouse_date(staff["from_date"]), "end_date": _warehouse_date(staff["to_date"]),
    })
    k = max(3, n)
    others = pd.DataFrame({
        "worker_id": [f"SW{i:04d}" for i in range(1, k + 1)],
        "job_title": rng.choice(np.array(["Social Worker", "Senior Practitioner", "Team Manager"],
                                         dtype=object), k),
        "team_name": "Children in Care", "fte": "1.00", "iro_proportion": None,
        "start_date": iros["start_date"].iloc[0] if n else None, "end_date": None,
    })
    return pd.concat([iros, others], ignore_index=True)


def _labels(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Answers as a form shows them: labels in title case, flags as Yes/No."""
    frame = frame.copy()
    for col in LABEL_COLUMNS.get(table, ()):
        frame[col] = frame[col].str.title()
    schema = CANONICAL_MODELS[table].columns
    for col in [c for c in frame if c in schema and str(schema[c].dtype) == "boolean"]:
        frame[col] = frame[col].replace({"Y": "Yes", "N": "No"})
    return frame


def _iro_steps(truth: GroundTruth, form: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One step per row of each IRO table, and its answers in long format (keyed by ``_n``)."""
    steps, answers, start = [], [], 0
    for table, (started, completed) in _STEP_DATES.items():
        text = _labels(table, form[table])
        typed = truth.iro[table]
        n = len(text)
        done = typed[completed].notna().to_numpy()
        steps.append(pd.DataFrame({
            "_n": np.arange(start, start + n), "_table": table,
            "person_id": text["child_id"].to_numpy(), "step_type": STEP_TYPES[table][0],
            "step_status": np.where(done, "COMPLETE", "INCOMPLETE"),
            "started_on": _warehouse_date(typed[started]).to_numpy(),
            "completed_on": _warehouse_date(typed[completed]).to_numpy(),
            # Kept to link participants to their review's step; not written.
            "_review_date": text["review_date"].to_numpy() if table == "review_records" else None,
        }))
        codes = {col: codes[0] for col, codes in QUESTIONS[table].items()}
        long = (text[list(codes)].assign(_n=np.arange(start, start + n))
                .melt(id_vars="_n", var_name="question_code", value_name="answer_text"))
        long["question_code"] = long["question_code"].map(codes)
        answers.append(long)
        start += n
    return pd.concat(steps, ignore_index=True), pd.concat(answers, ignore_index=True)


def _noise_steps(steps: pd.DataFrame, answers: pd.DataFrame, rng: np.random.Generator
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Steps and answers the reader must ignore: other step types, voided copies, unused questions."""
    start = len(steps)
    people = steps["person_id"].drop_duplicates().to_numpy()
    # Other kinds of step, one of them asking REVIEW_DATE like the CLA Review Record does.
    n = len(people)
    kinds = rng.integers(0, len(_OTHER_STEPS), n)
    other = pd.DataFrame({
        "_n": np.arange(start, start + n), "_table": None, "person_id": people,
        "step_type": [_OTHER_STEPS[k][0] for k in kinds], "step_status": "COMPLETE",
        "started_on": "2012-06-01 00:00:00.000", "completed_on": "2012-06-02 00:00:00.000"})
    other_answers = pd.DataFrame({"_n": other["_n"], "question_code": [_OTHER_STEPS[k][1] for k in kinds],
                                  "answer_text": "01/06/2012"})
    # Voided copies of some IRO steps, with answers that would clash if they were read.
    void = steps[steps["_table"].notna()].sample(frac=0.02, random_state=int(rng.integers(1 << 31)))
    copies = void.assign(_n=np.arange(start + n, start + n + len(void)), step_status="CANCELLED")
    copy_answers = answers[answers["_n"].isin(void["_n"])].copy()
    copy_answers["_n"] = copy_answers["_n"].map(dict(zip(void["_n"], copies["_n"], strict=True)))
    # Questions of IRO forms that the IRO tables do not use: a form version, and comments.
    used = steps[steps["_table"].notna()]
    comments = used[rng.random(len(used)) < 0.3]
    extra = pd.concat([
        pd.DataFrame({"_n": used["_n"], "question_code": "FORM_VERSION", "answer_text": "3"}),
        pd.DataFrame({"_n": comments["_n"], "question_code": "IRO_COMMENTS",
                      "answer_text": rng.choice(np.array(_COMMENTS, dtype=object), len(comments))}),
    ])
    return (pd.concat([steps, other, copies], ignore_index=True),
            pd.concat([answers, other_answers, copy_answers, extra], ignore_index=True))


def _workflow(truth: GroundTruth, form: dict[str, pd.DataFrame], rng: np.random.Generator
              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """dm_workflow_steps, dm_step_answers and dm_review_participants."""
    steps, answers = _iro_steps(truth, form)
    steps, answers = _noise_steps(steps, answers, rng)
    # Step ids follow no table: the warehouse numbers steps as they are started.
    steps["step_id"] = (700_000 + rng.permutation(len(steps))).astype(str)
    steps = steps.sort_values("step_id", ignore_index=True)
    step_of = dict(zip(steps["_n"], steps["step_id"], strict=True))
    answers["step_id"] = answers["_n"].map(step_of)
    # An unanswered question is sometimes a blank answer, sometimes no row at all.
    blank = answers["answer_text"].isna()
    answers = answers[~blank | (rng.random(len(answers)) < 0.5)]
    answers = answers.iloc[rng.permutation(len(answers))].reset_index(drop=True)
    answers.insert(0, "answer_id", np.arange(1, len(answers) + 1))

    records = steps[(steps["_table"] == "review_records") & (steps["step_status"] != "CANCELLED")]
    record_key = pd.Series(records["step_id"].to_numpy(),
                           index=pd.MultiIndex.from_arrays([records["person_id"], records["_review_date"]]))
    people = _labels("review_participants", form["review_participants"])
    keys = pd.MultiIndex.from_arrays([people["child_id"], people["review_date"]])
    participants = pd.DataFrame({
        "participant_id": np.arange(1, len(people) + 1),
        "step_id": record_key.reindex(keys).to_numpy(),
        "participant_role": people["role"].to_numpy(), "participation": people["status"].to_numpy(),
    })
    columns = ["step_id", "person_id", "step_type", "step_status", "started_on", "completed_on"]
    return (steps[columns], answers[["answer_id", "step_id", "question_code", "answer_text"]],
            participants)


def write_warehouse_extract(truth: GroundTruth, dest: Path) -> list[Path]:
    """The truth as Mosaic warehouse extracts in ``dest``: one ``dm_<table>.csv`` per table."""
    dest.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(truth.seed + 7)
    base, ledger = text_tables(truth, WAREHOUSE_DATE)
    form, _ = text_tables(truth, FORM_DATE)
    steps, answers, participants = _workflow(truth, form, rng)
    blanks = ledger.counts["blank_rows"]
    return [
        _write(dest / "dm_persons.csv", _persons(base["children"], rng)),
        _write(dest / "dm_cla_episodes.csv", _episodes(base["episodes"])),
        _write(dest / "dm_cla_reviews.csv", _reviews(base["reviews"]), blanks),
        _write(dest / "dm_workers.csv", _workers(truth.iro["iro_staff"], rng)),
        _write(dest / "dm_workflow_steps.csv", steps),
        _write(dest / "dm_step_answers.csv", answers, blanks),
        _write(dest / "dm_review_participants.csv", participants),
    ]


def write(truth: GroundTruth, dest: Path, options: Mapping[str, Any] | None = None) -> list[Path]:
    return write_warehouse_extract(truth, dest)
