"""Synthetic LCS warehouses: the ground truth as HDM.Child_Social's tables.

Tables and columns are the ones SystemC's SSD extract reads (every column it names, used
by the plugin or not), written from the same spread of the truth as the SSD writer's
(:func:`iro_testdata.writers.ssd.ssd_frames`), keyed and coded as the warehouse keys and
codes them:

* integer surrogate keys on every fact; the dimension's unknown member (-1) in DIM_PERSON
  and DIM_WORKER; person records merged into another (DUPLICATED_DTTM set);
* local ethnicity codes in DIM_PERSON, the DfE's through DIM_LOOKUP_DFE_ETHNIC;
* the reason care started, the legal status and the review participation as lookup
  descriptions led by their code (``V2 - Single period of accommodation``); some reasons
  care ceased without their E (``45``), as LCS holds them;
* reviews as meetings: FACT_CLA_REVIEW with its FACT_MEETINGS row (cancelled or not) and
  the child's FACT_MEETING_SUBJECTS rows (some meetings with a second, blank one); the next
  review due in an open period, not yet held, with no meeting;
* the IRO service's own tables (notifications, review details, participants, disputes)
  beside the warehouse, in LCS's words.

Written as CSV extracts as SQL Server Management Studio saves them (``NULL`` for blanks,
datetimes with milliseconds) or into a database (a schema of it) through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from iro_etl.sources.warehouse import file_name, table_names
from iro_plugin_liquidlogic.tables import TABLES
from iro_plugin_liquidlogic.vocabulary import LCS_TERMS, NULL_TEXT
from iro_schemas.canonical import CANONICAL_MODELS

from iro_testdata.synthetic import text_tables, write_csv
from iro_testdata.writers.database import in_layout, write_tables
from iro_testdata.writers.ssd import ssd_frames

if TYPE_CHECKING:
    from iro_testdata.synthetic import GroundTruth

_KEY, _ID, _TEXT, _DATE, _CODE, _FLAG, _NUM = (
    sa.BigInteger(), sa.String(48), sa.String(255), sa.DateTime(), sa.String(100),
    sa.String(1), sa.Numeric(5, 2))

#: HDM.Child_Social's tables as SystemC's SSD extract SQL reads them: {table: {column: type}}.
HDM_DDL: dict[str, dict[str, sa.types.TypeEngine]] = {
    "DIM_PERSON": {
        "DIM_PERSON_ID": _ID, "LEGACY_ID": _ID, "UPN": sa.String(13),
        "FORMER_UPN": sa.String(13), "FORENAME": _TEXT, "SURNAME": _TEXT,
        "GENDER_MAIN_CODE": sa.String(10), "ETHNICITY_MAIN_CODE": sa.String(10),
        "BIRTH_DTTM": _DATE, "DOB_ESTIMATED": _FLAG, "DEATH_DTTM": _DATE,
        "NATNL_CODE": sa.String(10), "EHM_SEN_FLAG": _FLAG, "IS_CLIENT": _FLAG,
        "DUPLICATED_DTTM": _DATE},
    "DIM_LOOKUP_DFE_ETHNIC": {"MAIN_CODE": sa.String(10), "NAT_ID": sa.String(10)},
    "FACT_CARE_EPISODES": {
        "FACT_CARE_EPISODES_ID": _KEY, "DIM_PERSON_ID": _ID, "FACT_CLA_ID": _KEY,
        "FACT_CLA_PLACEMENT_ID": _KEY, "CARE_START_DATE": _DATE, "CARE_REASON_DESC": _CODE,
        "CIN_903_CODE": sa.String(3), "CARE_END_DATE": _DATE,
        "CARE_REASON_END_CODE": sa.String(10), "CARE_REASON_END_DESC": _CODE,
        "OFSTED_URN": sa.String(10), "PLACEND": _DATE},
    "FACT_CLA_PLACEMENT": {
        "FACT_CLA_PLACEMENT_ID": _KEY, "FACT_CLA_ID": _KEY, "DIM_PERSON_ID": _ID,
        "START_DTTM": _DATE, "END_DTTM": _DATE, "DIM_LOOKUP_PLACEMENT_TYPE_CODE": sa.String(10),
        # nvarchar in LCS, as SystemC's extract notes (it casts it to a float).
        "DISTANCE_FROM_HOME": sa.String(20), "DIM_LOOKUP_PLACEMENT_PROVIDER_CODE": sa.String(10),
        "POSTCODE": sa.String(10), "DIM_LOOKUP_PLAC_CHNG_REAS_CODE": sa.String(10),
        "FFA_IS_PLAN_DATE": _DATE},
    "FACT_LEGAL_STATUS": {
        "FACT_LEGAL_STATUS_ID": _KEY, "DIM_PERSON_ID": _ID,
        "DIM_LOOKUP_LGL_STATUS_DESC": _CODE, "START_DTTM": _DATE, "END_DTTM": _DATE},
    "FACT_CLA_REVIEW": {
        "FACT_CLA_REVIEW_ID": _KEY, "FACT_CLA_ID": _KEY, "DIM_PERSON_ID": _ID,
        "FACT_MEETING_ID": _KEY, "DUE_DTTM": _DATE, "MEETING_DTTM": _DATE},
    "FACT_MEETINGS": {
        "FACT_MEETING_ID": _KEY, "DIM_LOOKUP_MTG_TYPE_ID_CODE": sa.String(20),
        "ACTUAL_DTTM": _DATE, "CANCELLED": _FLAG},
    "FACT_MEETING_SUBJECTS": {
        "FACT_MEETINGS_ID": _KEY, "DIM_PERSON_ID": _ID,
        "DIM_LOOKUP_PARTICIPATION_CODE_DESC": _CODE, "FACT_OUTCM_FORM_ID": _KEY},
    "FACT_INVOLVEMENTS": {
        "FACT_INVOLVEMENTS_ID": _KEY, "DIM_WORKER_ID": _ID,
        "DIM_LOOKUP_INVOLVEMENT_TYPE_CODE": sa.String(20), "DIM_DEPARTMENT_ID": _KEY,
        "FACT_WORKER_HISTORY_DEPARTMENT_ID": _KEY, "DIM_PERSON_ID": _ID, "START_DTTM": _DATE,
        "END_DTTM": _DATE, "DIM_LOOKUP_CWREASON_CODE": sa.String(20), "FACT_REFERRAL_ID": _KEY,
        "IS_ALLOCATED_CW_FLAG": _FLAG},
    "DIM_WORKER": {
        "DIM_WORKER_ID": _ID, "STAFF_ID": _ID, "FORENAME": _TEXT, "SURNAME": _TEXT,
        "WORKER_ID_CODE": _ID, "JOB_TITLE": _TEXT, "DEPARTMENT_NAME": _CODE,
        "FULL_TIME_EQUIVALENCY": _NUM},
}

#: The IRO service's own tables beside the warehouse: {table: {column: type}}.
IRO_SERVICE_DDL: dict[str, dict[str, sa.types.TypeEngine]] = {
    "iro_notification": {"notification_id": _KEY, "person_id": _ID, "cla_start_date": _DATE,
                         "notified_date": _DATE, "iro_allocated_date": _DATE},
    "review_detail": {
        "review_detail_id": _KEY, "person_id": _ID, "review_date": _DATE,
        "review_status": _CODE, "sw_report_received_date": _DATE,
        "recommendations_issued_date": _DATE, "record_issued_date": _DATE,
        "child_informed": _CODE, "sw_report_on_time": _CODE, "child_prepared": _CODE,
        "child_views_available": _CODE, "key_people_present": _CODE, "rag_rating": _CODE},
    "review_participant": {"participant_id": _KEY, "person_id": _ID, "review_date": _DATE,
                           "participant_role": _CODE, "participation_status": _CODE},
    "dispute": {"dispute_id": _KEY, "person_id": _ID, "raised_date": _DATE,
                "dispute_stage": _CODE, "resolved_date": _DATE},
}

DDL = HDM_DDL | IRO_SERVICE_DDL

#: Our own words for the lookups' descriptions (LCS leads each with the 903 code).
_WORDS = {
    "C1": "Interim care order", "C2": "Full care order", "D1": "Freeing order",
    "E1": "Placement order", "J1": "Remanded to LA accommodation", "J2": "Police detention",
    "J3": "Sentenced to youth rehabilitation order", "L1": "Police protection",
    "L2": "Emergency protection order", "L3": "Child assessment order",
    "V2": "Single period of accommodation under s20", "V3": "Agreed series of short breaks",
    "V4": "Agreed series of short breaks (s20)",
    "S": "Started to be looked after", "L": "Change of legal status",
    "P": "Change of placement", "T": "Change of legal status and placement",
    "U": "Change of legal status and placement (same carer)", "B": "Change of placement",
    "PN0": "Child under 4", "PN1": "Child attended and spoke for self",
    "PN2": "Attended, advocate spoke", "PN3": "Attended, conveyed views symbolically",
    "PN4": "Attended, did not convey views", "PN5": "Did not attend, briefed an advocate",
    "PN6": "Did not attend, views conveyed another way", "PN7": "Did not attend, no views",
}
_FLAGS = {"Y": "Yes", "N": "No"}
#: SQL Server's datetime as SSMS writes it.
EXTRACT_DATE_FORMAT = "%Y-%m-%d %H:%M:%S.000"
_ISO = "%Y-%m-%d"


def _described(codes: pd.Series) -> pd.Series:
    return (codes + " - " + codes.map(_WORDS).fillna("")).where(codes.notna(), None)


def _numbered(values: pd.Series) -> pd.Series:
    """Text ids as the integers a warehouse keys them by (same id, same number)."""
    codes, _ = pd.factorize(values)
    return pd.Series(np.where(codes >= 0, codes + 1, -1), index=values.index).astype(str).where(
        values.notna(), None)


def _people(ssd: dict[str, pd.DataFrame], rng: np.random.Generator
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    person = ssd["ssd_person"]
    dfe = sorted(person["pers_ethnicity"].dropna().unique())
    local = {code: f"E{i:02d}" for i, code in enumerate(dfe, start=1)}
    people = pd.DataFrame({
        "DIM_PERSON_ID": person["pers_person_id"], "LEGACY_ID": person["pers_legacy_id"],
        "UPN": person["pers_upn"], "FORENAME": person["pers_forename"],
        "SURNAME": person["pers_surname"], "GENDER_MAIN_CODE": person["pers_sex"],
        "ETHNICITY_MAIN_CODE": person["pers_ethnicity"].map(local),
        "BIRTH_DTTM": person["pers_dob"], "DOB_ESTIMATED": "N", "NATNL_CODE": "GBR",
        "IS_CLIENT": "Y"})
    # Records a worker merged into another person's (never the looked-after child's own).
    merged = people.sample(n=max(1, len(people) // 50), random_state=rng.integers(1 << 31))
    merged = merged.assign(DIM_PERSON_ID="8" + merged["DIM_PERSON_ID"].str[-7:],
                           DUPLICATED_DTTM="2023-01-09", UPN=None)
    unknown = pd.DataFrame({"DIM_PERSON_ID": ["-1"], "FORENAME": ["Unknown"]})
    lookup = pd.DataFrame({"MAIN_CODE": list(local.values()), "NAT_ID": list(local)})
    return pd.concat([unknown, people, merged], ignore_index=True), lookup


def _care(ssd: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    ep, place, legal = ssd["ssd_cla_episodes"], ssd["ssd_cla_placement"], ssd["ssd_legal_status"]
    cla = _numbered(pd.concat([ep["clae_cla_id"], place["clap_cla_id"]], ignore_index=True))
    placement_id = _numbered(place["clap_cla_placement_id"])
    by_placement = dict(zip(place["clap_cla_placement_id"], placement_id, strict=True))
    rec = ep["clae_cla_episode_ceased_reason"]
    # Some E-codes without their E, on every other episode ending with one.
    stripped = rec.str.fullmatch(r"E\d+").fillna(False) & (np.arange(len(rec)) % 2 == 0)
    urn = ep["clae_cla_placement_id"].map(dict(zip(place["clap_cla_placement_id"],
                                                   place["clap_cla_placement_urn"], strict=True)))
    episodes = pd.DataFrame({
        "FACT_CARE_EPISODES_ID": _numbered(ep["clae_cla_episode_id"]),
        "DIM_PERSON_ID": ep["clae_person_id"], "FACT_CLA_ID": cla[:len(ep)].to_numpy(),
        "FACT_CLA_PLACEMENT_ID": ep["clae_cla_placement_id"].map(by_placement),
        "CARE_START_DATE": ep["clae_cla_episode_start_date"],
        "CARE_REASON_DESC": _described(ep["clae_cla_episode_start_reason"]),
        "CIN_903_CODE": ep["clae_cla_primary_need_code"],
        "CARE_END_DATE": ep["clae_cla_episode_ceased_date"],
        "CARE_REASON_END_CODE": rec.where(~stripped, rec.str[1:]),
        "CARE_REASON_END_DESC": rec, "OFSTED_URN": urn})
    placements = pd.DataFrame({
        "FACT_CLA_PLACEMENT_ID": placement_id, "FACT_CLA_ID": cla[len(ep):].to_numpy(),
        "DIM_PERSON_ID": place["clap_person_id"],
        "START_DTTM": place["clap_cla_placement_start_date"],
        "END_DTTM": place["clap_cla_placement_end_date"],
        "DIM_LOOKUP_PLACEMENT_TYPE_CODE": place["clap_cla_placement_type"],
        "DISTANCE_FROM_HOME": place["clap_cla_placement_distance"],
        "DIM_LOOKUP_PLACEMENT_PROVIDER_CODE": place["clap_cla_placement_provider"],
        "POSTCODE": place["clap_cla_placement_postcode"],
        "DIM_LOOKUP_PLAC_CHNG_REAS_CODE": place["clap_cla_placement_change_reason"]})
    legal_status = pd.DataFrame({
        "FACT_LEGAL_STATUS_ID": _numbered(legal["lega_legal_status_id"]),
        "DIM_PERSON_ID": legal["lega_person_id"],
        "DIM_LOOKUP_LGL_STATUS_DESC": _described(legal["lega_legal_status"]),
        "START_DTTM": legal["lega_legal_status_start_date"],
        "END_DTTM": legal["lega_legal_status_end_date"]})
    return {"FACT_CARE_EPISODES": episodes, "FACT_CLA_PLACEMENT": placements,
            "FACT_LEGAL_STATUS": legal_status}


def _meetings(ssd: dict[str, pd.DataFrame], cla: pd.Series) -> dict[str, pd.DataFrame]:
    reviews = ssd["ssd_cla_reviews"]
    ep = ssd["ssd_cla_episodes"]
    person_of = ep.drop_duplicates("clae_cla_id").set_index("clae_cla_id")["clae_person_id"]
    held = reviews["clar_cla_review_date"].notna()
    meeting = pd.Series(np.where(held, np.arange(1, len(reviews) + 1) + 5000, -1),
                        index=reviews.index).astype(str).where(held, None)
    child = reviews["clar_cla_id"].map(person_of)
    review = pd.DataFrame({
        "FACT_CLA_REVIEW_ID": _numbered(reviews["clar_cla_review_id"]),
        "FACT_CLA_ID": reviews["clar_cla_id"].map(cla), "DIM_PERSON_ID": child,
        "FACT_MEETING_ID": meeting, "DUE_DTTM": reviews["clar_cla_review_date"],
        "MEETING_DTTM": reviews["clar_cla_review_date"]})
    meetings = pd.DataFrame({
        "FACT_MEETING_ID": meeting, "DIM_LOOKUP_MTG_TYPE_ID_CODE": "CLAReview",
        "ACTUAL_DTTM": reviews["clar_cla_review_date"],
        "CANCELLED": reviews["clar_cla_review_cancelled"]}).loc[held]
    subjects = pd.DataFrame({
        "FACT_MEETINGS_ID": meeting, "DIM_PERSON_ID": child,
        "DIM_LOOKUP_PARTICIPATION_CODE_DESC": _described(
            reviews["clar_cla_review_participation"]),
        "FACT_OUTCM_FORM_ID": meeting}).loc[held]
    # Some meetings hold a second subject row for the child with nothing recorded.
    blank = subjects.iloc[::7].assign(DIM_LOOKUP_PARTICIPATION_CODE_DESC=None)
    subjects = pd.concat([subjects, blank]).sort_values("FACT_MEETINGS_ID", kind="stable")
    return {"FACT_CLA_REVIEW": review, "FACT_MEETINGS": meetings,
            "FACT_MEETING_SUBJECTS": subjects}


def _workers(ssd: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    invo, prof = ssd["ssd_involvements"], ssd["ssd_professionals"]
    involvements = pd.DataFrame({
        "FACT_INVOLVEMENTS_ID": _numbered(invo["invo_involvements_id"]),
        "DIM_WORKER_ID": invo["invo_professional_id"],
        "DIM_LOOKUP_INVOLVEMENT_TYPE_CODE": invo["invo_professional_role_id"].replace(
            {"SW": "CW"}),
        "DIM_PERSON_ID": invo["invo_person_id"], "START_DTTM": invo["invo_involvement_start_date"],
        "END_DTTM": invo["invo_involvement_end_date"],
        "IS_ALLOCATED_CW_FLAG": (invo["invo_professional_role_id"] == "SW").map(
            {True: "Y", False: "N"})})
    workers = pd.DataFrame({
        "DIM_WORKER_ID": prof["prof_professional_id"], "STAFF_ID": prof["prof_staff_id"],
        "FORENAME": "Worker", "SURNAME": prof["prof_professional_name"],
        "JOB_TITLE": prof["prof_professional_job_title"],
        "DEPARTMENT_NAME": prof["prof_professional_department"],
        "FULL_TIME_EQUIVALENCY": prof["prof_full_time_equivalency"]})
    unknown = pd.DataFrame({"DIM_WORKER_ID": ["-1"], "STAFF_ID": ["Unknown"]})
    return {"FACT_INVOLVEMENTS": involvements,
            "DIM_WORKER": pd.concat([unknown, workers], ignore_index=True)}


def _iro_service(truth: GroundTruth) -> dict[str, pd.DataFrame]:
    """The IRO service's tables from the truth, in LCS's words."""
    text, _ = text_tables(truth, _ISO)
    out = {}
    for table in TABLES:
        if table.name not in IRO_SERVICE_DDL:
            continue
        frame = text[table.feeds].copy()
        for column, terms in LCS_TERMS.get(table.feeds, {}).items():
            frame[column] = frame[column].replace(terms)
        flags = [c for c, spec in CANONICAL_MODELS[table.feeds].columns.items()
                 if str(spec.dtype) == "boolean"]
        frame[flags] = frame[flags].replace(_FLAGS)
        frame = frame.rename(columns={ours: theirs for theirs, ours in table.columns.items()})
        key = next(iter(IRO_SERVICE_DDL[table.name]))
        frame[key] = np.arange(1, len(frame) + 1).astype(str)
        out[table.name] = frame
    return out


def hdm_frames(truth: GroundTruth, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The truth as the warehouse's tables: text, ISO dates, blanks as None, DDL order."""
    rng = np.random.default_rng(seed + 29)
    ssd = ssd_frames(truth, seed)
    people, ethnic = _people(ssd, rng)
    care = _care(ssd)
    cla = dict(zip(ssd["ssd_cla_episodes"]["clae_cla_id"],
                   care["FACT_CARE_EPISODES"]["FACT_CLA_ID"], strict=True))
    frames = {"DIM_PERSON": people, "DIM_LOOKUP_DFE_ETHNIC": ethnic, **care,
              **_meetings(ssd, pd.Series(cla)), **_workers(ssd), **_iro_service(truth)}
    return in_layout(DDL, {name: frames[name] for name in DDL})


def write_extracts(truth: GroundTruth, dest: Path, names: Mapping[str, str] | None = None
                   ) -> list[Path]:
    """One ``<table>.csv`` per table in ``dest``, as SSMS saves them (``names``: the
    ``tables`` option's renaming)."""
    names = dict(names or {})
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in hdm_frames(truth).items():
        frame = frame.copy()
        for column, kind in DDL[name].items():
            if isinstance(kind, sa.DateTime):
                days = pd.to_datetime(frame[column], format=_ISO, errors="coerce")
                frame[column] = days.dt.strftime(EXTRACT_DATE_FORMAT).where(days.notna(), None)
        paths.append(write_csv(dest / file_name(names.get(name, name)), frame, blank=NULL_TEXT))
    return paths


def write_database(truth: GroundTruth, engine: sa.Engine, schema: str | None = None,
                   names: Mapping[str, str] | None = None) -> list[str]:
    """Create and fill the tables in ``engine`` (in ``schema``; ``names``: the ``tables``
    option's renaming); their names."""
    names = dict(names or {})
    return write_tables(engine, DDL, hdm_frames(truth), schema, lambda n: names.get(n, n))


def write(truth: GroundTruth, dest: Path, options: Mapping[str, Any] | None = None) -> list[Path]:
    """CSV extracts, under the table names the authority's ``tables`` option gives."""
    names = table_names((options or {}).get("tables"), [t.name for t in TABLES])
    return write_extracts(truth, dest, names)
