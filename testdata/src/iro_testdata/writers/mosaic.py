"""Synthetic Mosaic reporting warehouses: the ground truth in the warehouse's own tables.

Tables and columns are those the public SSD extract SQL for Mosaic reads (every column
declared here is written, whether the plugin reads it or not). The truth is spread as
the warehouse spreads it:

* people who were never looked after are in DM_PERSONS too; ethnicity is a local code
  that DM_ETHNICITIES turns into the CBDS one;
* a period of care per chain of episodes; an episode is a placement split: a new
  placement (PLACEMENT_ID) where the child moved, a new carer where the episode says so
  (T and U keep the carer), a new DM_LEGAL_STATUSES row where the legal status changed
  (S, L, B, U), and one DM_PLACEMENT_DETAILS split per episode for provider and URN;
* CLA reviews are workflow steps of the child's subgroup: completed, cancelled, and per
  open period the next one started; other steps (visits) sit among them; the IRO's
  record, the participants (a repeating group), notifications and disputes are cached
  form answers on their steps;
* IROs' relationships sit among the social workers' (REL.ALLWORK); workers have a primary
  role in their team and IROs a second, not primary, one; Mosaic holds no FTE.

Written as CSV extracts (one ``<TABLE>.csv`` each) or into a database through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from iro_plugin_mosaic.tables import QUESTIONS, STEP_TYPES

from iro_testdata.synthetic import text_tables, write_csv
from iro_testdata.writers.database import in_layout, write_tables
from iro_testdata.writers.ssd import period_ids

if TYPE_CHECKING:
    from iro_testdata.synthetic import GroundTruth

_ID, _TEXT, _DATE, _INT, _FLAG = (sa.String(48), sa.String(255), sa.DateTime(), sa.Integer(),
                                  sa.String(1))

#: The warehouse tables the plugin reads: {table: {column: type}}, in order.
MOSAIC_DDL: dict[str, dict[str, sa.types.TypeEngine]] = {
    "DM_PERSONS": {"PERSON_ID": _INT, "GENDER": sa.String(1), "DATE_OF_BIRTH": _DATE,
                   "DATE_OF_DEATH": _DATE, "FULL_ETHNICITY_CODE": sa.String(10),
                   "UPN_ID": sa.String(13), "COUNTRY_OF_BIRTH_CODE": sa.String(10)},
    "DM_ETHNICITIES": {"ETHNICITY_CODE": sa.String(10), "ETHNICITY_DESCRIPTION": _TEXT,
                       "CBDS_ETHNICITY_CODE": sa.String(10)},
    "DM_PERIODS_OF_CARE": {"PERIOD_OF_CARE_ID": _INT, "PERSON_ID": _INT, "START_DATE": _DATE,
                           "END_DATE": _DATE},
    "DM_LEGAL_STATUSES": {"LEGAL_STATUS_ID": _INT, "PERSON_ID": _INT,
                          "LEGAL_STATUS": sa.String(10), "START_DATE": _DATE, "END_DATE": _DATE},
    "DM_PLACEMENTS": {"PLACEMENT_ID": _INT, "SPLIT_NUMBER": _INT, "PERIOD_OF_CARE_ID": _INT,
                      "ELEMENT_DETAIL_ID": _INT, "START_DATE": _DATE, "END_DATE": _DATE,
                      "PLACEMENT_TYPE": sa.String(10), "CATEGORY_OF_NEED": sa.String(10),
                      "REASON_EPISODE_CEASED": sa.String(10),
                      "REASON_FOR_PLACEMENT_CHANGE": sa.String(10)},
    "DM_PLACEMENT_DETAILS": {"ELEMENT_DETAIL_ID": _INT, "SPLIT_NUMBER": _INT,
                             "START_DATE": _DATE, "END_DATE": _DATE, "CARER_ID": _INT,
                             "OFSTED_URN": _ID, "CIN_PROVIDER_CATEGORY_CODE": sa.String(10)},
    "DM_WORKFLOW_STEPS": {"WORKFLOW_STEP_ID": _INT, "WORKFLOW_STEP_TYPE_ID": _INT,
                          "SUBGROUP_ID": _INT, "STEP_STATUS": sa.String(20),
                          "STARTED_ON": _DATE, "COMPLETED_ON": _DATE, "CANCELLED_ON": _DATE,
                          "LAC_REVIEW_CATEGORY": sa.String(40), "LAC_REVIEW_DATE": _DATE,
                          "LAC_REVIEW_PARTICIPATION_CODE": sa.String(10)},
    "DM_SUBGROUP_SUBJECTS": {"SUBGROUP_ID": _INT, "SUBJECT_COMPOUND_ID": _ID,
                             "SUBJECT_TYPE_CODE": sa.String(10)},
    "DM_CACHED_FORM_ANSWERS": {"FORM_ID": _INT, "WORKFLOW_STEP_ID": _INT, "MAPPING_ID": _INT,
                               "FORM_ANSWER_ROW_ID": _INT, "SUBJECT_PERSON_ID": _INT,
                               "QUESTION_USER_CODE": sa.String(128), "TEXT_ANSWER": _TEXT,
                               "DATE_ANSWER": _DATE, "NUMBER_ANSWER": sa.Float()},
    "DM_PROF_RELATIONSHIPS": {"PROF_RELATIONSHIP_ID": _INT, "PERSON_ID": _INT,
                              "WORKER_ID": _ID, "PROF_REL_TYPE_CODE": sa.String(20),
                              "START_DATE": _DATE, "END_DATE": _DATE,
                              "END_DATE_REASON": sa.String(20)},
    "DM_WORKERS": {"WORKER_ID": _ID, "FULL_NAME": _TEXT},
    "DM_WORKER_ROLES": {"WORKER_ROLE_ID": _INT, "WORKER_ID": _ID, "ORGANISATION_ID": _INT,
                        "PRIMARY_JOB": _FLAG, "START_DATE": _DATE, "END_DATE": _DATE},
    "DM_ORGANISATIONS": {"ORGANISATION_ID": _INT, "NAME": _TEXT},
}

_SEX = {"1": "M", "2": "F"}
_REVIEW_STEP, _VISIT_STEP = "1234", "1250"
_WORDS = {"held": "Held", "rescheduled": "Rescheduled", "cancelled": "Cancelled",
          "green": "Green", "amber": "Amber", "red": "Red", "Y": "Yes", "N": "No"}


def _numbered(n: int, first: int = 1) -> pd.Series:
    return pd.Series(np.arange(first, first + n), dtype="int64").astype(str)


def _spread_episodes(ep: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Periods, placements split by episode, their details and the legal status rows."""
    ep = ep.sort_values(["child_id", "decom"], kind="stable", ignore_index=True)
    ep["cla_id"] = period_ids(ep)
    period = ep["cla_id"].ne(ep["cla_id"].shift()).cumsum()
    ep["period"] = period.astype(str)
    rne = ep["rne"]
    start = period.ne(period.shift())
    ep["placement"] = (start | rne.isin(["P", "T", "B", "U"])).cumsum().astype(str)
    ep["carer"] = (start | rne.isin(["P", "B"])).cumsum() + 500
    ep["split"] = ep.groupby("placement").cumcount() + 1
    legal = (start | rne.isin(["L", "B", "U"])).cumsum()
    periods = ep.groupby("period", sort=False).agg(
        PERSON_ID=("child_id", "first"), START_DATE=("decom", "first"),
        END_DATE=("dec", "last")).reset_index(names="PERIOD_OF_CARE_ID")
    spans = ep.groupby(legal, sort=False).agg(
        PERSON_ID=("child_id", "first"), LEGAL_STATUS=("ls", "first"),
        START_DATE=("decom", "first"), END_DATE=("dec", "last")).reset_index(drop=True)
    spans.insert(0, "LEGAL_STATUS_ID", _numbered(len(spans), 7001))
    placements = pd.DataFrame({
        "PLACEMENT_ID": ep["placement"], "SPLIT_NUMBER": ep["split"].astype(str),
        "PERIOD_OF_CARE_ID": ep["period"], "ELEMENT_DETAIL_ID": ep["placement"],
        "START_DATE": ep["decom"], "END_DATE": ep["dec"], "PLACEMENT_TYPE": ep["place"],
        "CATEGORY_OF_NEED": ep["cin"], "REASON_EPISODE_CEASED": ep["rec"],
        "REASON_FOR_PLACEMENT_CHANGE": ep["reason_place_change"]})
    details = pd.DataFrame({
        "ELEMENT_DETAIL_ID": ep["placement"], "SPLIT_NUMBER": ep["split"].astype(str),
        "START_DATE": ep["decom"], "END_DATE": ep["dec"], "CARER_ID": ep["carer"].astype(str),
        "OFSTED_URN": ep["urn"], "CIN_PROVIDER_CATEGORY_CODE": ep["place_provider"]})
    return {"DM_PERIODS_OF_CARE": periods, "DM_LEGAL_STATUSES": spans,
            "DM_PLACEMENTS": placements, "DM_PLACEMENT_DETAILS": details}


def _days(text: pd.Series, shift: int) -> pd.Series:
    days = pd.to_datetime(text) + pd.Timedelta(days=shift)
    return days.dt.strftime("%Y-%m-%d").astype(object).where(days.notna(), None)


def _answers(table: str, frame: pd.DataFrame, steps: pd.Series, row: pd.Series | None = None
             ) -> pd.DataFrame:
    """A table's columns as one answer row each, on the given steps (blank answers: no row)."""
    questions = QUESTIONS[table]
    wide = frame[list(questions)].assign(_step=steps.to_numpy(), _child=frame["child_id"],
                                         _row=None if row is None else row.to_numpy())
    long = wide.melt(id_vars=["_step", "_child", "_row"], var_name="column").dropna(
        subset=["value"])
    dated = long["column"].str.contains("date|received|issued|period_start")
    value = long["value"].map(lambda v: _WORDS.get(v, v))
    return pd.DataFrame({
        "WORKFLOW_STEP_ID": long["_step"], "FORM_ANSWER_ROW_ID": long["_row"],
        "SUBJECT_PERSON_ID": long["_child"],
        "QUESTION_USER_CODE": long["column"].map(lambda c: questions[c][0]),
        "TEXT_ANSWER": value.where(~dated, None), "DATE_ANSWER": value.where(dated, None)})


def mosaic_frames(truth: GroundTruth, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The truth as Mosaic's tables: text, ISO dates, blanks as None, declared column order."""
    rng = np.random.default_rng(seed + 17)
    text, _ = text_tables(truth, "%Y-%m-%d")
    kids = text["children"]
    others = pd.DataFrame({"child_id": _numbered(len(kids) // 4, 100),
                           "sex": "2", "dob": "1985-03-01", "ethnic": "WBRI", "upn": None})
    people = pd.concat([kids, others], ignore_index=True)
    cbds = sorted(set(people["ethnic"].dropna()))
    local = {code: f"E{i:02d}" for i, code in enumerate(cbds, 1)}
    frames = {
        "DM_PERSONS": pd.DataFrame({
            "PERSON_ID": people["child_id"], "GENDER": people["sex"].map(_SEX).fillna(
                people["sex"]), "DATE_OF_BIRTH": people["dob"],
            "FULL_ETHNICITY_CODE": people["ethnic"].map(local), "UPN_ID": people["upn"],
            "COUNTRY_OF_BIRTH_CODE": "GB"}),
        "DM_ETHNICITIES": pd.DataFrame({"ETHNICITY_CODE": list(local.values()),
                                        "ETHNICITY_DESCRIPTION": [f"Ethnicity {c}" for c in cbds],
                                        "CBDS_ETHNICITY_CODE": cbds}),
        **_spread_episodes(text["episodes"].copy())}
    periods = frames["DM_PERIODS_OF_CARE"]

    # Each person's subgroup; every step of theirs is on it.
    subgroup = dict(zip(people["child_id"], _numbered(len(people), 30001), strict=True))
    subjects = pd.DataFrame({"SUBGROUP_ID": list(subgroup.values()),
                             "SUBJECT_COMPOUND_ID": list(subgroup), "SUBJECT_TYPE_CODE": "PER"})
    workers_on = pd.DataFrame({"SUBGROUP_ID": subjects["SUBGROUP_ID"].iloc[::5],
                               "SUBJECT_COMPOUND_ID": "SW0001", "SUBJECT_TYPE_CODE": "WKR"})

    records = text["review_records"].merge(text["reviews"], how="left",
                                           on=["child_id", "review_date"])
    cancelled = records["status"] == "cancelled"
    due = periods[periods["END_DATE"].isna()]
    visits = periods.sample(frac=0.5, random_state=seed)
    notes, disputes = text["notifications"], text["disputes"]
    step_rows = pd.concat([
        pd.DataFrame({"child": records["child_id"], "type": _REVIEW_STEP,
                      "status": np.where(cancelled, "CANCELLED", "COMPLETED"),
                      "started": _days(records["review_date"], -20),
                      "completed": records["review_date"].where(~cancelled, None),
                      "cancelled": _days(records["review_date"], -2).where(cancelled, None),
                      "category": "CLA Review", "review_date": records["review_date"],
                      "code": records["review_code"]}),
        pd.DataFrame({"child": due["PERSON_ID"], "type": _REVIEW_STEP, "status": "STARTED",
                      "started": _days(pd.Series([truth.as_of.strftime("%Y-%m-%d")] * len(due),
                                                 index=due.index), -10),
                      "category": "CLA Review"}),
        pd.DataFrame({"child": visits["PERSON_ID"], "type": _VISIT_STEP, "status": "COMPLETED",
                      "started": visits["START_DATE"], "completed": visits["START_DATE"]}),
        pd.DataFrame({"child": notes["child_id"], "type": STEP_TYPES["notifications"][0],
                      "status": "COMPLETED", "started": notes["period_start"]}),
        pd.DataFrame({"child": disputes["child_id"], "type": STEP_TYPES["disputes"][0],
                      "status": "COMPLETED", "started": disputes["raised_date"]}),
    ], ignore_index=True)
    step_rows["id"] = _numbered(len(step_rows), 900001)
    kinds = np.cumsum([0, len(records), len(due), len(visits), len(notes), len(disputes)])
    step_of = {name: step_rows["id"].iloc[kinds[i]:kinds[i + 1]].reset_index(drop=True)
               for i, name in enumerate(["records", "due", "visits", "notifications",
                                         "disputes"])}
    frames["DM_WORKFLOW_STEPS"] = pd.DataFrame({
        "WORKFLOW_STEP_ID": step_rows["id"], "WORKFLOW_STEP_TYPE_ID": step_rows["type"],
        "SUBGROUP_ID": step_rows["child"].map(subgroup), "STEP_STATUS": step_rows["status"],
        "STARTED_ON": step_rows["started"], "COMPLETED_ON": step_rows.get("completed"),
        "CANCELLED_ON": step_rows["cancelled"], "LAC_REVIEW_CATEGORY": step_rows["category"],
        "LAC_REVIEW_DATE": step_rows["review_date"],
        "LAC_REVIEW_PARTICIPATION_CODE": step_rows["code"]})
    frames["DM_SUBGROUP_SUBJECTS"] = pd.concat([subjects, workers_on], ignore_index=True)

    parts = text["review_participants"]
    held = records.loc[~cancelled, ["child_id", "review_date"]].assign(
        step=step_of["records"][(~cancelled).to_numpy()].to_numpy())
    # A truth with defects repeats some reviews: participants go on the first one's step.
    held = held.drop_duplicates(["child_id", "review_date"])
    part_steps = parts.merge(held, on=["child_id", "review_date"], how="left",
                             validate="many_to_one")["step"]
    answers = pd.concat([
        _answers("review_records", records, step_of["records"]),
        _answers("review_participants", parts, part_steps,
                 parts.groupby(["child_id", "review_date"]).cumcount() + 1),
        _answers("notifications", notes, step_of["notifications"]),
        _answers("disputes", disputes, step_of["disputes"]),
    ], ignore_index=True)
    # Free text on the same forms that no canonical table reads.
    chat = pd.DataFrame({"WORKFLOW_STEP_ID": step_of["records"], "SUBJECT_PERSON_ID":
                         records["child_id"], "QUESTION_USER_CODE": "iro.review.notes",
                         "TEXT_ANSWER": 'Discussed "contact", school, health'})
    answers = pd.concat([answers, chat], ignore_index=True)
    answers["FORM_ID"] = answers["WORKFLOW_STEP_ID"].astype(int) - 800000
    answers["MAPPING_ID"] = answers["QUESTION_USER_CODE"].map(
        {c: str(i) for i, c in enumerate(sorted(set(answers["QUESTION_USER_CODE"])), 1)})
    frames["DM_CACHED_FORM_ANSWERS"] = answers.sort_values(
        ["FORM_ID", "FORM_ANSWER_ROW_ID", "QUESTION_USER_CODE"], kind="stable")

    allocations = text["iro_allocations"]
    social = periods.assign(worker=[f"SW{w:04d}" for w in rng.integers(1, 300, len(periods))])
    relationships = pd.concat([
        pd.DataFrame({"PERSON_ID": allocations["child_id"], "WORKER_ID": allocations["iro_id"],
                      "PROF_REL_TYPE_CODE": "REL.IRO", "START_DATE": allocations["from_date"],
                      "END_DATE": allocations["to_date"]}),
        pd.DataFrame({"PERSON_ID": social["PERSON_ID"], "WORKER_ID": social["worker"],
                      "PROF_REL_TYPE_CODE": "REL.ALLWORK", "START_DATE": social["START_DATE"],
                      "END_DATE": social["END_DATE"]})], ignore_index=True)
    relationships.insert(0, "PROF_RELATIONSHIP_ID", _numbered(len(relationships), 50001))
    frames["DM_PROF_RELATIONSHIPS"] = relationships.assign(
        END_DATE_REASON=np.where(relationships["END_DATE"].notna(), "CASECLOSED", None))

    staff = text["iro_staff"].drop_duplicates("iro_id", keep="last")
    social_workers = sorted(set(social["worker"]) | {"SW0001"})
    teams = [*sorted(set(staff["team"].dropna())), "Children in Care"]
    team_id = {t: str(400 + i) for i, t in enumerate(teams)}
    frames["DM_ORGANISATIONS"] = pd.DataFrame({"ORGANISATION_ID": list(team_id.values()),
                                               "NAME": teams})
    frames["DM_WORKERS"] = pd.DataFrame({"WORKER_ID": [*staff["iro_id"], *social_workers],
                                         "FULL_NAME": "Worker name"})
    roles = pd.concat([
        pd.DataFrame({"WORKER_ID": staff["iro_id"], "ORGANISATION_ID": staff["team"].map(team_id),
                      "PRIMARY_JOB": "Y", "START_DATE": staff["from_date"],
                      "END_DATE": staff["to_date"]}),
        # IROs also authorise in the children in care team: a role that is not their post.
        pd.DataFrame({"WORKER_ID": staff["iro_id"], "ORGANISATION_ID": team_id["Children in Care"],
                      "PRIMARY_JOB": "N", "START_DATE": staff["from_date"]}),
        pd.DataFrame({"WORKER_ID": social_workers, "ORGANISATION_ID": team_id["Children in Care"],
                      "PRIMARY_JOB": "Y", "START_DATE": "2005-01-01"})], ignore_index=True)
    roles.insert(0, "WORKER_ROLE_ID", _numbered(len(roles), 60001))
    frames["DM_WORKER_ROLES"] = roles
    return in_layout(MOSAIC_DDL, frames)


def write_extracts(truth: GroundTruth, dest: Path) -> list[Path]:
    """One ``<TABLE>.csv`` per warehouse table in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    return [write_csv(dest / f"{name}.csv", frame) for name, frame in mosaic_frames(truth).items()]


def write_database(truth: GroundTruth, engine: sa.Engine, schema: str | None = None
                   ) -> list[str]:
    """Create and fill the warehouse tables in ``engine`` (in ``schema``); their names."""
    return write_tables(engine, MOSAIC_DDL, mosaic_frames(truth), schema)


def write(truth: GroundTruth, dest: Path, options: Mapping[str, Any] | None = None) -> list[Path]:
    """Mosaic's tables as CSV extracts (the database: :func:`write_database`)."""
    return write_extracts(truth, dest)
