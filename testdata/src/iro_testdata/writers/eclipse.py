"""Synthetic Eclipse (OLM) warehouses: the ground truth in the views the public extract SQL reads.

The views and columns are those the SSD extract SQL for Eclipse reads (every column it
names, whether the plugin uses it or not: names too, which the plugin must leave alone).
What Eclipse spreads over several views is spread here as a warehouse does:

* people in personview and persondemographicsview (sex and ethnicity in Eclipse's own
  words), with people never looked after and a few records marked as duplicates (with a
  copy of an episode each); UPNs in referencenumberpersonview, each child with an older,
  ended one as well, beside NHS numbers;
* periods of care (claperiodofcareview) and episodes (claepisodeofcareview) holding each
  episode's legal status and placement (category of need and placement type in Eclipse's
  vocabulary where it has a word, else the 903 code);
* reviews as form answers, one long row per control in formanswerpersonview: the IRO
  decisions form per review held, the review's quality-assurance sub-form with the child's
  participation (code in shortanswervalue, wording in answervalue), the IRO's review
  record with its participants, IRO notification forms (under :data:`NOTIFICATION_DESIGN`,
  which an authority names by option), drafts beside completed forms, sub-forms of other
  meetings sharing a design, and referral forms the IRO tables do not use;
* IRO relationships among allocated social workers' in relationshipprofessionalview; team
  memberships of IROs and social workers, and children's allocated teams, in
  personorgrelationshipview. There is no FTE anywhere.

CSV extracts are named and headed in upper case, as the SQL writes the names; the database
holds them in lower case, as PostgreSQL folds unquoted names (SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from iro_plugin_eclipse.config import FORMS, PARTICIPANT
from iro_plugin_eclipse.vocabulary import CATEGORY_OF_NEED, ETHNICITY, PLACEMENT_TYPE

from iro_testdata.synthetic import text_tables, write_csv
from iro_testdata.writers.database import in_layout, write_tables
from iro_testdata.writers.ssd import period_ids

if TYPE_CHECKING:
    from iro_testdata.synthetic import GroundTruth

_ID, _TEXT, _DATE = sa.String(48), sa.Text(), sa.DateTime()

#: The views as the extract SQL reads them: {view: {column: type}}, upper case as it writes them.
ECLIPSE_DDL: dict[str, dict[str, sa.types.TypeEngine]] = {
    "PERSONVIEW": {"PERSONID": _ID, "CAREFIRSTID": _ID, "FORENAME": _TEXT, "SURNAME": _TEXT,
                   "DATEOFBIRTH": _DATE, "GENDER": _TEXT, "DUPLICATED": _TEXT},
    "PERSONDEMOGRAPHICSVIEW": {
        "PERSONID": _ID, "CAREFIRSTID": _ID, "FORENAME": _TEXT, "SURNAME": _TEXT, "SEX": _TEXT,
        "GENDER": _TEXT, "ETHNICITYCODE": _TEXT, "DATEOFBIRTH": _DATE, "DUEDATE": _DATE,
        "NHSNUMBER": _ID, "DIEDDATE": _DATE, "COUNTRYOFBIRTHCODE": _TEXT},
    "REFERENCENUMBERPERSONVIEW": {
        "PERSONID": _ID, "REFERENCETYPECODE": _TEXT, "REFERENCETYPE": _TEXT,
        "REFERENCENUMBER": _ID, "STARTDATE": _DATE, "ENDDATE": _DATE},
    "CLAPERIODOFCAREVIEW": {"PERSONID": _ID, "PERIODOFCAREID": _ID, "ADMISSIONDATE": _DATE,
                            "DISCHARGEDATE": _DATE},
    "CLAEPISODEOFCAREVIEW": {
        "EPISODEOFCAREID": _ID, "PERSONID": _ID, "PERIODOFCAREID": _ID, "EOCSTARTDATE": _DATE,
        "EOCSTARTREASONCODE": _TEXT, "CATEGORYOFNEED": _TEXT, "EOCENDDATE": _DATE,
        "EOCENDREASONCODE": _TEXT, "LEGALSTATUS": _TEXT, "PLACEMENTADDRESSID": _ID,
        "PLACEMENTPOSTCODE": _TEXT, "PLACEMENTTYPE": _TEXT, "PLACEMENTTYPECODE": _TEXT,
        "PLACEMENTPROVISIONCODE": _TEXT, "CARERTYPE": _TEXT, "CARERID": _ID,
        "PLACEMENTCHANGEREASONCODE": _TEXT},
    "FORMANSWERPERSONVIEW": {
        "INSTANCEID": _ID, "DESIGNGUID": _ID, "DESIGNSUBNAME": _TEXT, "INSTANCESTATE": _TEXT,
        "ANSWERFORSUBJECTID": _ID, "SUBMITTERPERSONID": _ID, "DATESTARTED": _DATE,
        "DATECOMPLETED": _DATE, "PAGETITLE": _TEXT, "CONTROLNAME": _TEXT,
        "ANSWERVALUE": _TEXT, "SHORTANSWERVALUE": _TEXT, "DATEANSWERVALUE": _DATE},
    "RELATIONSHIPPROFESSIONALVIEW": {
        "PERSONRELATIONSHIPRECORDID": _ID, "PERSONID": _ID,
        "PROFESSIONALRELATIONSHIPPERSONID": _ID, "PROFESSIONALRELATIONSHIPNAME": _TEXT,
        "RELATIONSHIPCLASSCODE": _TEXT, "ALLOCATEDWORKERCODE": _TEXT,
        "PROFESSIONALTEAMID": _ID, "STARTDATE": _DATE, "CLOSEDATE": _DATE,
        "STARTREASONCODE": _TEXT},
    "PERSONORGRELATIONSHIPVIEW": {
        "RELATIONSHIPID": _ID, "PERSONID": _ID, "ORGANISATIONID": _ID,
        "ALLOCATEDTEAMCODE": _TEXT, "DATESTARTED": _DATE, "DATEENDED": _DATE},
}

#: The design of the synthetic IRO notification form (the extract SQL names none).
NOTIFICATION_DESIGN = "5e0c1a52-0000-4000-8000-1f0a1e0c1a52"
#: The options an authority with this warehouse sets: its notification form.
OPTIONS = {"forms": {"notifications": NOTIFICATION_DESIGN}}
#: personorgrelationshipview.organisationid of each IRO team.
TEAM_IDS = {"North": "ORG101", "South": "ORG102", "East": "ORG103", "West": "ORG104"}
_REFERRAL_DESIGN = "e6d9de9a-b56c-49d0-ab87-0f913ca8fc5f"
_SEX = {"1": "Male", "2": "Female"}


def _first_word(vocabulary: dict[str, str]) -> dict[str, str]:
    """903 code -> the first of Eclipse's words for it."""
    out: dict[str, str] = {}
    for word, code in vocabulary.items():
        out.setdefault(code, word)
    return out


def _seq(prefix: str, n: int, start: int = 1) -> pd.Series:
    return prefix + pd.Series(np.arange(start, start + n), dtype=str)


def _long(design: str, forms: pd.DataFrame, controls: dict[str, tuple[str, str]],
          subname: str | None = None) -> pd.DataFrame:
    """Long answer rows of one design, an unanswered control having none: ``forms`` has
    instance_id, child_id, state (else COMPLETE) and the answers' columns; ``controls`` maps
    control -> (column, kind): text, date, or coded (the code short, beside its wording)."""
    forms = forms if "state" in forms else forms.assign(state="COMPLETE")
    parts = []
    for control, (column, kind) in controls.items():
        given = forms[forms[column].notna()]
        value = given[column]
        parts.append(pd.DataFrame({
            "INSTANCEID": given["instance_id"], "ANSWERFORSUBJECTID": given["child_id"],
            "INSTANCESTATE": given["state"], "CONTROLNAME": control,
            "ANSWERVALUE": value + " (as the form words it)" if kind == "coded" else value,
            "SHORTANSWERVALUE": value if kind == "coded" else None,
            "DATEANSWERVALUE": value if kind == "date" else None}))
    return pd.concat(parts, ignore_index=True).assign(DESIGNGUID=design, DESIGNSUBNAME=subname)


def _control(form: str, column: str) -> str:
    return FORMS[form].controls[column][0]


def _form_rows(iso: dict[str, pd.DataFrame], rng: np.random.Generator
               ) -> pd.DataFrame:
    """formanswerpersonview: every IRO form, drafts and other meetings' sub-forms, referrals."""
    reviews = iso["reviews"].reset_index(drop=True)
    n = len(reviews)
    decisions = reviews.assign(instance_id=_seq("F1", n).to_numpy(), state="COMPLETE")
    # The next review's date, as the form asks it: the following review of the child.
    decisions["next_review"] = decisions.groupby("child_id")["review_date"].shift(-1)
    # Copies started and never finished: counted, they would repeat reviews.
    drafts = decisions.sample(frac=0.05, random_state=int(rng.integers(1 << 31)))
    drafts = drafts.assign(instance_id=_seq("F9", len(drafts)).to_numpy(), state="DRAFT")
    rows = [_long(FORMS["reviews"].designs[0], pd.concat([decisions, drafts]),
                  {_control("reviews", "review_date"): ("review_date", "text"),
                   "dateOfNextReview": ("next_review", "text")})]

    qa = reviews.assign(instance_id=_seq("F2", n).to_numpy())
    participation = FORMS["review_participation"]
    rows.append(_long(participation.designs[0], qa, {
        _control("review_participation", "review_date"): ("review_date", "text"),
        _control("review_participation", "review_code"): ("review_code", "coded")},
        subname=participation.subnames[0]))
    # The same design records other meetings: a sub-form the same day, another code.
    other = qa.head(n // 10)
    other = other.assign(instance_id=_seq("F3", len(other)).to_numpy(), review_code="PN7")
    rows.append(_long(participation.designs[0], other, {
        _control("review_participation", "review_date"): ("review_date", "text"),
        _control("review_participation", "review_code"): ("review_code", "coded")},
        subname="Child protection review conference"))

    records = iso["review_records"].reset_index(drop=True)
    records = records.assign(instance_id=_seq("F4", len(records)).to_numpy())
    for column in ("status", "rag"):
        records[column] = records[column].str.title()
    for column in ("child_informed", "sw_report_on_time", "child_prepared",
                   "child_views_available", "key_people_present"):
        records[column] = records[column].map({"Y": "Yes", "N": "No"})
    parts = iso["review_participants"].assign(status=lambda f: f["status"].str.capitalize())
    wide = parts.pivot(index=["child_id", "review_date"], columns="role", values="status")
    records = records.merge(wide.add_prefix(PARTICIPANT).reset_index(),
                            on=["child_id", "review_date"], how="left")
    form = FORMS["review_records"]
    dates = {"review_date", "sw_report_received", "recommendations_issued", "record_issued"}
    rows.append(_long(form.designs[0], records, {
        controls[0]: (column, "date" if column in dates else "text")
        for column, controls in form.controls.items() if column in records}))

    notes = iso["notifications"].assign(
        instance_id=_seq("F5", len(iso["notifications"])).to_numpy())
    rows.append(_long(NOTIFICATION_DESIGN, notes, {
        controls[0]: (column, "date")
        for column, controls in FORMS["notifications"].controls.items()}))

    kids = iso["children"].reset_index(drop=True)
    referrals = kids.assign(instance_id=_seq("F6", len(kids)).to_numpy(),
                            source="Police", need="Abuse or neglect")
    rows.append(_long(_REFERRAL_DESIGN, referrals, {
        "CINCensus_ReferralSource": ("source", "text"),
        "CINCensus_primaryNeedCategory": ("need", "text")}))
    out = pd.concat(rows, ignore_index=True)
    return out.assign(SUBMITTERPERSONID="W900", PAGETITLE="Details")


def eclipse_frames(truth: GroundTruth, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The truth as Eclipse's views: text, ISO dates, blanks as None, every column in order."""
    rng = np.random.default_rng(seed + 17)
    iso, _ = text_tables(truth, "%Y-%m-%d")
    kids = iso["children"]
    ep = iso["episodes"].sort_values(["child_id", "decom"], kind="stable", ignore_index=True)
    ep["cla_id"] = period_ids(ep)
    # A few records marked as duplicates of a child, each with a copy of an episode.
    dupes = ep.drop_duplicates("child_id").head(3).assign(
        child_id=lambda f: "D" + f["child_id"], cla_id=lambda f: "D" + f["cla_id"])
    ep = pd.concat([ep, dupes], ignore_index=True)
    others = pd.DataFrame({"child_id": [f"9{i:07d}" for i in range(len(kids) // 4)],
                           "sex": "1", "dob": "2012-05-01", "ethnic": "WBRI", "upn": None})
    people = pd.concat([kids, dupes[["child_id"]].merge(
        kids.assign(child_id="D" + kids["child_id"]), on="child_id"), others], ignore_index=True)
    names = {"FORENAME": "Forename" + people.index.astype(str),
             "SURNAME": "Surname" + people.index.astype(str)}
    sex = people["sex"].map(_SEX).fillna(people["sex"])
    person = pd.DataFrame({"PERSONID": people["child_id"], "CAREFIRSTID": "CF" + people["child_id"],
                           **names, "DATEOFBIRTH": people["dob"], "GENDER": sex,
                           "DUPLICATED": np.where(people["child_id"].str.startswith("D"),
                                                  "DUPLICATE", None)})
    demographics = pd.DataFrame({
        "PERSONID": people["child_id"], "CAREFIRSTID": "CF" + people["child_id"], **names,
        "SEX": sex, "GENDER": sex.map({"Male": "Man", "Female": "Woman"}),
        "ETHNICITYCODE": people["ethnic"].map(_first_word(ETHNICITY)).fillna(people["ethnic"]),
        "DATEOFBIRTH": people["dob"], "NHSNUMBER": _seq("943", len(people), 1000000),
        "COUNTRYOFBIRTHCODE": "GB"})
    upn = people[people["upn"].notna()]
    numbers = pd.concat([
        pd.DataFrame({"PERSONID": upn["child_id"], "REFERENCETYPECODE": "UPN",
                      "REFERENCETYPE": "Unique pupil number", "REFERENCENUMBER": upn["upn"],
                      "STARTDATE": "2010-09-01"}),
        # An older number, replaced: the open one is the child's.
        pd.DataFrame({"PERSONID": upn["child_id"], "REFERENCETYPECODE": "UPN",
                      "REFERENCETYPE": "Unique pupil number",
                      "REFERENCENUMBER": "X" + upn["upn"].str.slice(1),
                      "STARTDATE": "2006-09-01", "ENDDATE": "2010-08-31"}),
        pd.DataFrame({"PERSONID": demographics["PERSONID"], "REFERENCETYPECODE": "NHS",
                      "REFERENCETYPE": "NHS number",
                      "REFERENCENUMBER": demographics["NHSNUMBER"]})], ignore_index=True)

    periods = ep.groupby("cla_id", sort=False).agg(
        PERSONID=("child_id", "first"), ADMISSIONDATE=("decom", "first"),
        DISCHARGEDATE=("dec", "last")).reset_index().rename(columns={"cla_id": "PERIODOFCAREID"})
    need = _first_word({word.capitalize(): code for word, code in CATEGORY_OF_NEED.items()})
    place_word = _first_word(PLACEMENT_TYPE)
    episodes = pd.DataFrame({
        "EPISODEOFCAREID": _seq("E", len(ep)), "PERSONID": ep["child_id"],
        "PERIODOFCAREID": ep["cla_id"], "EOCSTARTDATE": ep["decom"],
        "EOCSTARTREASONCODE": ep["rne"], "CATEGORYOFNEED": ep["cin"].map(need).fillna(ep["cin"]),
        "EOCENDDATE": ep["dec"], "EOCENDREASONCODE": ep["rec"], "LEGALSTATUS": ep["ls"],
        "PLACEMENTADDRESSID": _seq("A", len(ep)), "PLACEMENTPOSTCODE": ep["pl_post"],
        "PLACEMENTTYPE": "Placement " + ep["place"].fillna(""),
        "PLACEMENTTYPECODE": ep["place"].map(place_word).fillna(ep["place"]),
        "PLACEMENTPROVISIONCODE": ep["place_provider"], "CARERTYPE": "ORG",
        "CARERID": _seq("C", len(ep)), "PLACEMENTCHANGEREASONCODE": ep["reason_place_change"]})

    allocations = iso["iro_allocations"]
    social = periods.assign(worker=[f"SW{w:04d}" for w in rng.integers(1, 300, len(periods))])
    relationships = pd.concat([
        pd.DataFrame({"PERSONID": allocations["child_id"],
                      "PROFESSIONALRELATIONSHIPPERSONID": allocations["iro_id"],
                      "RELATIONSHIPCLASSCODE": "IRO", "STARTDATE": allocations["from_date"],
                      "CLOSEDATE": allocations["to_date"]}),
        pd.DataFrame({"PERSONID": social["PERSONID"],
                      "PROFESSIONALRELATIONSHIPPERSONID": social["worker"],
                      "RELATIONSHIPCLASSCODE": "ALLOCATED_SOCIAL_WORKER",
                      "ALLOCATEDWORKERCODE": "AW", "STARTDATE": social["ADMISSIONDATE"],
                      "CLOSEDATE": social["DISCHARGEDATE"]})], ignore_index=True)
    relationships.insert(0, "PERSONRELATIONSHIPRECORDID", _seq("R", len(relationships)))
    relationships["PROFESSIONALRELATIONSHIPNAME"] = "Worker name"
    relationships["STARTREASONCODE"] = "NEW"

    staff = iso["iro_staff"]
    workers = sorted(set(social["worker"]))
    teams = pd.concat([
        pd.DataFrame({"PERSONID": staff["iro_id"],
                      "ORGANISATIONID": staff["team"].map(TEAM_IDS).fillna(staff["team"]),
                      "DATESTARTED": staff["from_date"], "DATEENDED": staff["to_date"]}),
        pd.DataFrame({"PERSONID": workers, "ORGANISATIONID": "ORG200",
                      "DATESTARTED": "2005-01-01"}),
        pd.DataFrame({"PERSONID": periods["PERSONID"], "ORGANISATIONID": "ORG300",
                      "ALLOCATEDTEAMCODE": "AT", "DATESTARTED": periods["ADMISSIONDATE"],
                      "DATEENDED": periods["DISCHARGEDATE"]})], ignore_index=True)
    teams.insert(0, "RELATIONSHIPID", _seq("T", len(teams)))

    frames = {"PERSONVIEW": person, "PERSONDEMOGRAPHICSVIEW": demographics,
              "REFERENCENUMBERPERSONVIEW": numbers, "CLAPERIODOFCAREVIEW": periods,
              "CLAEPISODEOFCAREVIEW": episodes,
              "FORMANSWERPERSONVIEW": _form_rows(iso, rng),
              "RELATIONSHIPPROFESSIONALVIEW": relationships,
              "PERSONORGRELATIONSHIPVIEW": teams}
    return in_layout(ECLIPSE_DDL, frames)


def write_extracts(truth: GroundTruth, dest: Path) -> list[Path]:
    """One ``<VIEW>.csv`` per view in ``dest``, headed as the extract SQL names the columns."""
    dest.mkdir(parents=True, exist_ok=True)
    return [write_csv(dest / f"{name}.csv", frame) for name, frame in eclipse_frames(truth).items()]


def write_database(truth: GroundTruth, engine: sa.Engine, schema: str | None = None
                   ) -> list[str]:
    """Create and fill the views (as tables, named in lower case) in ``engine``; their names."""
    return write_tables(engine, ECLIPSE_DDL, eclipse_frames(truth), schema, str.lower)


def write(truth: GroundTruth, dest: Path, options: Mapping[str, Any] | None = None) -> list[Path]:
    """Eclipse's views as CSV extracts (the database: :func:`write_database`)."""
    return write_extracts(truth, dest)
