"""Synthetic Standard Safeguarding Datasets: the ground truth in the SSD's published layout.

The tables and columns are the SSD's DDL (v1.4, data-to-insight/ssd-data-model) for the
tables the plugin reads, every column included, whether the plugin uses it or not (names
too: the plugin must leave them alone). What the SSD spreads over several tables is spread
here as a deployment's extract SQL does:

* an episode's placement is its own ssd_cla_placement row (clae_cla_placement_id);
* legal statuses are spans in ssd_legal_status: consecutive episodes of one period under
  the same status are one span;
* reviews belong to a period of care (clar_cla_id = clae_cla_id), with the cancelled ones
  flagged and, per open period, the next review due and not held yet (no date);
* the IROs' involvements sit among social workers' (role ``SW``), and ssd_professionals
  holds both; people who were never looked after are in ssd_person too.

Written as CSV extracts (one ``<table>.csv`` each) or into a database through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from iro_testdata.synthetic import text_tables, write_csv
from iro_testdata.writers.database import in_layout, write_tables

if TYPE_CHECKING:
    from iro_testdata.synthetic import GroundTruth

_ID, _TEXT, _DATE, _FLOAT, _FLAG, _INT = (sa.String(48), sa.String(255), sa.DateTime(),
                                          sa.Float(), sa.String(1), sa.Integer())

#: The SSD's DDL (v1.4) for the tables the plugin reads: {table: {column: type}}, in order.
SSD_DDL: dict[str, dict[str, sa.types.TypeEngine]] = {
    "ssd_person": {
        "pers_legacy_id": _ID, "pers_person_id": _ID, "pers_upn": sa.String(13),
        "pers_forename": sa.String(100), "pers_surname": _TEXT, "pers_sex": sa.String(20),
        "pers_gender": sa.String(10), "pers_ethnicity": _ID, "pers_dob": _DATE,
        "pers_single_unique_id": _ID, "pers_upn_unknown": sa.String(6),
        "pers_send_flag": sa.String(5), "pers_expected_dob": _DATE, "pers_death_date": _DATE,
        "pers_is_mother": _FLAG, "pers_nationality": _ID},
    "ssd_cla_episodes": {
        "clae_cla_episode_id": _ID, "clae_person_id": _ID, "clae_cla_placement_id": _ID,
        "clae_cla_episode_start_date": _DATE, "clae_cla_episode_start_reason": sa.String(100),
        "clae_cla_primary_need_code": sa.String(3), "clae_cla_episode_ceased_date": _DATE,
        "clae_cla_episode_ceased_reason": _TEXT, "clae_cla_id": _ID, "clae_referral_id": _ID,
        "clae_cla_last_iro_contact_date": _DATE, "clae_entered_care_date": _DATE},
    "ssd_cla_placement": {
        "clap_cla_placement_id": _ID, "clap_cla_id": _ID, "clap_person_id": _ID,
        "clap_cla_placement_start_date": _DATE, "clap_cla_placement_type": sa.String(100),
        "clap_cla_placement_urn": _ID, "clap_cla_placement_distance": _FLOAT,
        "clap_cla_placement_provider": _ID, "clap_cla_placement_postcode": sa.String(8),
        "clap_cla_placement_end_date": _DATE, "clap_cla_placement_change_reason": sa.String(100)},
    "ssd_legal_status": {
        "lega_legal_status_id": _ID, "lega_person_id": _ID, "lega_legal_status": sa.String(100),
        "lega_legal_status_start_date": _DATE, "lega_legal_status_end_date": _DATE},
    "ssd_cla_reviews": {
        "clar_cla_review_id": _ID, "clar_cla_id": _ID, "clar_cla_review_due_date": _DATE,
        "clar_cla_review_date": _DATE, "clar_cla_review_cancelled": _FLAG,
        "clar_cla_review_participation": sa.String(100)},
    "ssd_involvements": {
        "invo_involvements_id": _ID, "invo_professional_id": _ID,
        "invo_professional_role_id": sa.String(200), "invo_professional_team": _ID,
        "invo_person_id": _ID, "invo_involvement_start_date": _DATE,
        "invo_involvement_end_date": _DATE, "invo_worker_change_reason": sa.String(200),
        "invo_referral_id": _ID},
    "ssd_professionals": {
        "prof_professional_id": _ID, "prof_staff_id": _ID, "prof_professional_name": _TEXT,
        "prof_social_worker_registration_no": _ID, "prof_agency_worker_flag": _FLAG,
        "prof_professional_job_title": _TEXT, "prof_professional_caseload": _INT,
        "prof_professional_department": sa.String(100), "prof_full_time_equivalency": _FLOAT},
}

_SEX = {"1": "M", "2": "F"}


def period_ids(ep: pd.DataFrame) -> pd.Series:
    """Each episode's period of care (clae_cla_id): a new one where the chain breaks."""
    prev_dec = ep.groupby("child_id")["dec"].shift()
    prev_rec = ep.groupby("child_id")["rec"].shift()
    starts = (ep["rne"] == "S") | prev_dec.isna() | (prev_rec != "X1") | (prev_dec != ep["decom"])
    number = starts.astype(int).groupby(ep["child_id"]).cumsum()
    return "CLA" + ep["child_id"] + "-" + number.astype(str)


def _legal_spans(ep: pd.DataFrame) -> pd.DataFrame:
    """Consecutive episodes of one period under the same legal status, as one span."""
    new_span = (ep["ls"] != ep.groupby("cla_id")["ls"].shift()) | (
        ep["cla_id"] != ep["cla_id"].shift())
    span = new_span.cumsum()
    grouped = ep.groupby(span)
    spans = pd.DataFrame({"lega_person_id": grouped["child_id"].first(),
                          "lega_legal_status": grouped["ls"].first(),
                          "lega_legal_status_start_date": grouped["decom"].first(),
                          "lega_legal_status_end_date": grouped["dec"].last()})
    return spans.reset_index(drop=True)


def ssd_frames(truth: GroundTruth, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The truth as the SSD's tables: text, ISO dates, blanks as None, DDL column order."""
    rng = np.random.default_rng(seed + 13)
    text, _ = text_tables(truth, "%Y-%m-%d")
    kids, ep, iro = text["children"], text["episodes"].copy(), truth.iro
    n = len(kids)
    # Children the service knows who were never looked after (CIN, CP): in ssd_person too.
    others = pd.DataFrame({"child_id": [f"9{i:07d}" for i in range(n // 4)],
                           "sex": "1", "dob": "2012-05-01", "ethnic": "WBRI", "upn": None})
    people = pd.concat([kids, others], ignore_index=True)
    person = pd.DataFrame({
        "pers_legacy_id": "L" + people["child_id"], "pers_person_id": people["child_id"],
        "pers_upn": people["upn"], "pers_forename": "Forename" + people.index.astype(str),
        "pers_surname": "Surname" + people.index.astype(str),
        "pers_sex": people["sex"].map(_SEX).fillna(people["sex"]),
        "pers_gender": people["sex"].map(_SEX).fillna(people["sex"]),
        "pers_ethnicity": people["ethnic"], "pers_dob": people["dob"]})

    ep = ep.sort_values(["child_id", "decom"], kind="stable", ignore_index=True)
    ep["cla_id"] = period_ids(ep)
    ep["episode_id"] = "E" + pd.Series(np.arange(1, len(ep) + 1), dtype=str)
    ep["placement_id"] = "P" + pd.Series(np.arange(1, len(ep) + 1), dtype=str)
    episodes = pd.DataFrame({
        "clae_cla_episode_id": ep["episode_id"], "clae_person_id": ep["child_id"],
        "clae_cla_placement_id": ep["placement_id"],
        "clae_cla_episode_start_date": ep["decom"], "clae_cla_episode_start_reason": ep["rne"],
        "clae_cla_primary_need_code": ep["cin"], "clae_cla_episode_ceased_date": ep["dec"],
        "clae_cla_episode_ceased_reason": ep["rec"], "clae_cla_id": ep["cla_id"],
        "clae_entered_care_date": ep.groupby("cla_id")["decom"].transform("first")})
    placements = pd.DataFrame({
        "clap_cla_placement_id": ep["placement_id"], "clap_cla_id": ep["cla_id"],
        "clap_person_id": ep["child_id"], "clap_cla_placement_start_date": ep["decom"],
        "clap_cla_placement_type": ep["place"], "clap_cla_placement_urn": ep["urn"],
        "clap_cla_placement_distance": ep["pl_distance"],
        "clap_cla_placement_provider": ep["place_provider"],
        "clap_cla_placement_postcode": ep["pl_post"], "clap_cla_placement_end_date": ep["dec"],
        "clap_cla_placement_change_reason": ep["reason_place_change"]})
    legal = _legal_spans(ep)
    legal.insert(0, "lega_legal_status_id", "LS" + pd.Series(np.arange(1, len(legal) + 1),
                                                                dtype=str))

    # Reviews held, the cancelled ones, and the next one due in each open period (no date).
    periods = ep.groupby("cla_id").agg(child_id=("child_id", "first"), start=("decom", "first"),
                                       end=("dec", "last")).reset_index()
    records = text["review_records"]
    cancelled = records.loc[records["status"] == "cancelled", ["child_id", "review_date"]]
    held = text["reviews"].assign(cancelled="N")
    dated = pd.concat([held, cancelled.assign(review_code=None, cancelled="Y")],
                      ignore_index=True).sort_values("review_date", kind="stable")
    # A review whose date the truth made impossible goes to the child's latest period.
    day = pd.to_datetime(dated["review_date"], format="%Y-%m-%d", errors="coerce")
    dated = dated.assign(day=day.fillna(pd.Timestamp("2200-01-01")).astype("datetime64[us]"))
    starts = pd.to_datetime(periods["start"], format="%Y-%m-%d").astype("datetime64[us]")
    dated = pd.merge_asof(dated.sort_values("day", kind="stable"),
                          periods.assign(day=starts).sort_values("day"),
                          on="day", by="child_id", direction="backward")
    due = periods[periods["end"].isna()].assign(review_date=None, cancelled="N",
                                                review_code=None)
    reviews = pd.concat([dated, due], ignore_index=True)
    reviews = pd.DataFrame({
        "clar_cla_review_id": "R" + pd.Series(np.arange(1, len(reviews) + 1), dtype=str),
        "clar_cla_id": reviews["cla_id"], "clar_cla_review_date": reviews["review_date"],
        "clar_cla_review_cancelled": reviews["cancelled"],
        "clar_cla_review_participation": reviews["review_code"]})

    # IRO involvements among each period's social worker's.
    allocations = text["iro_allocations"]
    social = periods.assign(worker=[f"SW{w:04d}" for w in rng.integers(1, 300, len(periods))])
    involvements = pd.concat([
        pd.DataFrame({"invo_professional_id": allocations["iro_id"],
                      "invo_professional_role_id": "IRO", "invo_person_id": allocations["child_id"],
                      "invo_involvement_start_date": allocations["from_date"],
                      "invo_involvement_end_date": allocations["to_date"]}),
        pd.DataFrame({"invo_professional_id": social["worker"],
                      "invo_professional_role_id": "SW", "invo_person_id": social["child_id"],
                      "invo_involvement_start_date": social["start"],
                      "invo_involvement_end_date": social["end"]})], ignore_index=True)
    involvements.insert(0, "invo_involvements_id",
                        "I" + pd.Series(np.arange(1, len(involvements) + 1), dtype=str))
    staff = iro["iro_staff"].drop_duplicates("iro_id", keep="last")
    workers = sorted(set(social["worker"]))
    professionals = pd.DataFrame({
        "prof_professional_id": [*staff["iro_id"], *workers],
        "prof_staff_id": [f"S{i}" for i in range(len(staff) + len(workers))],
        "prof_professional_name": "Worker name",
        "prof_professional_job_title": ["Independent Reviewing Officer"] * len(staff)
        + ["Social Worker"] * len(workers),
        "prof_professional_department": [*staff["team"], *["Children's Services"] * len(workers)],
        "prof_full_time_equivalency": [*staff["fte"].astype(str), *["1.0"] * len(workers)]})

    frames = {"ssd_person": person, "ssd_cla_episodes": episodes,
              "ssd_cla_placement": placements, "ssd_legal_status": legal,
              "ssd_cla_reviews": reviews, "ssd_involvements": involvements,
              "ssd_professionals": professionals}
    return in_layout(SSD_DDL, frames)


def write_extracts(truth: GroundTruth, dest: Path) -> list[Path]:
    """One ``<table>.csv`` per SSD table in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    return [write_csv(dest / f"{name}.csv", frame) for name, frame in ssd_frames(truth).items()]


def write_database(truth: GroundTruth, engine: sa.Engine, schema: str | None = None
                   ) -> list[str]:
    """Create and fill the SSD tables in ``engine`` (in ``schema``); their names."""
    return write_tables(engine, SSD_DDL, ssd_frames(truth), schema)


def write(truth: GroundTruth, dest: Path, options: Mapping[str, Any] | None = None) -> list[Path]:
    """The SSD's tables as CSV extracts (the database: :func:`write_database`)."""
    return write_extracts(truth, dest)
