"""Synthetic Eclipse data: a ground truth as an extract folder or as a reporting database.

Both shapes hold the same four tables (:func:`eclipse_tables`), with the mess
real Eclipse data carries and the reader must absorb without a single failure:
gender as words, dates with a time of day, form statuses in any case, two
versions of several forms (renamed keys, dd/mm/yyyy dates, Yes/No checklist
answers), drafts and cancelled forms next to the completed ones, unrelated form
types (case notes, one of them with free text where JSON belongs), and, in the
extract, some answers written as a string holding the JSON document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from iro_plugin_eclipse.tables import EXTRACT_FILES, FORMS_FILE

from iro_testdata.synthetic import text_tables, write_csv

if TYPE_CHECKING:
    from iro_testdata.synthetic import GroundTruth

#: Canonical tables rendered as export text, by name.
Tables = dict[str, pd.DataFrame]
#: Share of forms filled in on the older version of their form.
OLD_VERSION_SHARE = 0.15
_CHECKLIST = ("child_informed", "sw_report_on_time", "child_prepared", "child_views_available",
              "key_people_present")
_PEOPLE = {"child_id": "person_id", "sex": "gender", "dob": "dob", "ethnic": "ethnicity", "upn": "upn"}
_STAFF = {"iro_id": "staff_id", "fte": "fte", "iro_share": "iro_share", "team": "team",
          "from_date": "start_date", "to_date": "end_date"}
_EPISODE_DATES = ("decom", "dec")


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as answers documents; questions left unanswered are left out, as Eclipse stores them."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: v for k, v in rec.items() if v is not None} for rec in clean.to_dict("records")]


def _versioned(iso: pd.DataFrame, uk: pd.DataFrame, keys: dict[str, str], old_keys: dict[str, str],
               old: np.ndarray) -> list[dict]:
    """Answers of the current form version (ISO dates) or, where ``old``, the older one (dd/mm/yyyy)."""
    current = _records(iso[list(keys)].rename(columns=keys))
    older = _records(uk[list(keys)].rename(columns={**keys, **old_keys}))
    return [o if is_old else c for c, o, is_old in zip(current, older, old, strict=True)]


def _forms(form_type: str, person_id: pd.Series, event: pd.Series, answers: list,
           rng: np.random.Generator) -> pd.DataFrame:
    """Form rows of one type, created some days (and hours) after the event they record."""
    n = len(answers)
    lag = pd.to_timedelta(rng.integers(0, 10 * 86400, n), unit="s")
    # An impossible date in the truth's defects has a neighbour's creation date instead.
    when = pd.to_datetime(event.reset_index(drop=True), format="ISO8601", errors="coerce").ffill().bfill()
    return pd.DataFrame({
        "form_type": form_type, "person_id": person_id.to_numpy(),
        "created_at": (when.to_numpy() + lag.to_numpy()).astype("datetime64[s]"),
        "status": rng.choice(np.array(["completed", "Completed", "COMPLETED "], dtype=object), n),
        "answers": pd.Series(answers, dtype=object).to_numpy(),
    })


def _review_forms(truth: GroundTruth, iso: Tables, uk: Tables, rng: np.random.Generator
                  ) -> list[pd.DataFrame]:
    """Reviews, review records and participation forms, with some drafts."""
    reviews = iso["reviews"]  # with the truth's defects, if any: more rows than truth.reviews
    old = rng.random(len(reviews)) < OLD_VERSION_SHARE
    answers = _versioned(iso["reviews"], uk["reviews"],
                         {"review_date": "review_date", "review_code": "participation_code"},
                         {"review_date": "date_of_review", "review_code": "review_code"}, old)
    forms = [_forms("CLA_REVIEW", reviews["child_id"], reviews["review_date"], answers, rng)]
    # A second copy of some reviews, started and never finished: counted, it would repeat them.
    drafts = forms[0].sample(frac=0.05, random_state=int(rng.integers(1 << 31))).copy()
    drafts["status"] = "draft"
    forms.append(drafts)

    records = truth.iro["review_records"]
    text = iso["review_records"]
    old = rng.random(len(records)) < OLD_VERSION_SHARE
    keys = {"review_date": "review_date", "status": "outcome",
            "sw_report_received": "date_sw_report_received",
            "recommendations_issued": "date_recommendations_issued",
            "record_issued": "date_record_issued", "rag": "rag_rating"}
    main = _versioned(text, uk["review_records"], keys, {"review_date": "date_of_review"}, old)
    flags = records[list(_CHECKLIST)]
    as_bool = _records(flags.astype(object))
    as_words = _records(flags.astype(object).replace({True: "Yes", False: "No"}))
    answers = [dict(m, checklist=(w if is_old else b)) if b else m
               for m, b, w, is_old in zip(main, as_bool, as_words, old, strict=True)]
    forms.append(_forms("IRO_REVIEW_RECORD", text["child_id"], text["review_date"], answers, rng))

    parts = iso["review_participants"]
    items = _records(parts[["role", "status"]].rename(columns={"status": "participation"}))
    lists = (parts[["child_id", "review_date"]].assign(item=items)
             .groupby(["child_id", "review_date"], sort=False)["item"].agg(list))
    held = iso["reviews"][["child_id", "review_date"]].drop_duplicates()
    lists = lists.reindex(pd.MultiIndex.from_frame(held))
    # A review nobody else attended still has its (empty) participation form.
    lists = lists.where(lists.notna(), pd.Series([[]] * len(lists), index=lists.index, dtype=object))
    keys = lists.index.to_frame(index=False)
    answers = [{"review_date": d, "participants": p}
               for d, p in zip(keys["review_date"], lists.to_numpy(), strict=True)]
    forms.append(_forms("REVIEW_PARTICIPATION", keys["child_id"], keys["review_date"], answers, rng))
    return forms


def _service_forms(truth: GroundTruth, iso: Tables, uk: Tables, rng: np.random.Generator
                   ) -> list[pd.DataFrame]:
    """Notification, allocation and dispute forms, with cancelled allocations."""
    notes = iso["notifications"]
    old = rng.random(len(notes)) < OLD_VERSION_SHARE
    answers = _versioned(iso["notifications"], uk["notifications"],
                         {"period_start": "period_start", "notified_date": "date_notified",
                          "iro_allocated_date": "date_iro_allocated"},
                         {"period_start": "date_became_looked_after"}, old)
    forms = [_forms("IRO_NOTIFICATION", notes["child_id"], notes["period_start"], answers, rng)]

    allocations = iso["iro_allocations"]
    old = rng.random(len(allocations)) < OLD_VERSION_SHARE
    answers = _versioned(iso["iro_allocations"], uk["iro_allocations"],
                         {"iro_id": "iro_worker_id", "from_date": "start_date", "to_date": "end_date"},
                         {"iro_id": "iro_id"}, old)
    forms.append(_forms("IRO_ALLOCATION", allocations["child_id"], allocations["from_date"], answers, rng))
    # Allocations entered in error and cancelled, to an IRO who does not exist.
    cancelled = forms[-1].head(3).copy()
    cancelled["status"] = "Cancelled"
    cancelled["answers"] = [dict(a, iro_worker_id="IRO999") for a in cancelled["answers"]]
    forms.append(cancelled)

    disputes = iso["disputes"]
    answers = _records(disputes[["raised_date", "stage", "resolved_date"]].rename(columns={
        "raised_date": "date_raised", "resolved_date": "date_resolved"}))
    forms.append(_forms("IRO_DISPUTE", disputes["child_id"], disputes["raised_date"], answers, rng))
    return forms


def _case_notes(truth: GroundTruth, iso: Tables, rng: np.random.Generator) -> pd.DataFrame:
    """Forms the IRO tables do not use: case notes (one in free text) and conference records."""
    children = iso["children"]
    n = len(children)
    when = pd.Series(truth.as_of - pd.to_timedelta(rng.integers(0, 5 * 365, n), unit="D"))
    answers = [{"note": "Visited the child at placement.", "seen_alone": bool(s)}
               for s in rng.random(n) < 0.6]
    if answers:
        answers[0] = "Phoned carer about contact arrangements"  # free text, not JSON
    notes = _forms("CASE_NOTE", children["child_id"], when, answers, rng)
    notes.loc[notes.index[1::7], "form_type"] = "CP_CONFERENCE"
    return notes


def eclipse_tables(truth: GroundTruth) -> dict[str, pd.DataFrame]:
    """people, cla_episodes, staff (text, ISO dates) and forms (answers as dicts, or text)."""
    rng = np.random.default_rng(truth.seed + 7)
    iso, _ = text_tables(truth, "%Y-%m-%d")
    uk, _ = text_tables(truth, "%d/%m/%Y")
    people = iso["children"].rename(columns=_PEOPLE)
    people["gender"] = people["gender"].replace({"1": "Male", "2": "Female"})
    episodes = iso["episodes"].rename(columns={"child_id": "person_id"})
    episodes.insert(0, "episode_id", np.arange(1, len(episodes) + 1))
    staff = iso["iro_staff"].rename(columns=_STAFF)
    forms = pd.concat([*_review_forms(truth, iso, uk, rng), *_service_forms(truth, iso, uk, rng),
                       _case_notes(truth, iso, rng)], ignore_index=True)
    forms = forms.sort_values("created_at", kind="stable", ignore_index=True)
    forms.insert(0, "form_id", np.arange(100001, 100001 + len(forms)))
    return {"people": people, "cla_episodes": episodes, "staff": staff, "forms": forms}


def _write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8") -> Path:
    return write_csv(path, frame, encoding=encoding)


def write_synthetic(truth: GroundTruth, dest: Path) -> list[Path]:
    """people.csv, cla_episodes.csv, staff.csv and forms.jsonl in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    tables = eclipse_tables(truth)
    people = tables["people"].copy()
    # Exported from a datetime column, and saved by Excel with a byte-order mark.
    people["dob"] = people["dob"].where(people["dob"].isna(), people["dob"] + " 00:00:00.000")
    paths = [_write_csv(people, dest / EXTRACT_FILES["children"], "utf-8-sig"),
             _write_csv(tables["cla_episodes"], dest / EXTRACT_FILES["episodes"]),
             _write_csv(tables["staff"], dest / EXTRACT_FILES["iro_staff"])]
    forms = tables["forms"]
    rng = np.random.default_rng(truth.seed + 8)
    # Some extract runs wrote the answers column as a string holding the JSON document.
    encoded = rng.random(len(forms)) < 0.1
    path = dest / FORMS_FILE
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for form, as_string in zip(forms.to_dict("records"), encoded, strict=True):
            person = str(form["person_id"])
            answers = form["answers"]
            line = {
                "form_id": int(form["form_id"]), "form_type": form["form_type"],
                # Eclipse person ids are numbers; a malformed one stays text.
                "person_id": int(person) if person.isdigit() else person,
                "created_at": pd.Timestamp(form["created_at"]).isoformat(),
                "status": form["status"],
                "answers": json.dumps(answers) if as_string and isinstance(answers, dict) else answers,
            }
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    paths.append(path)
    return paths


def _dates(values: pd.Series) -> pd.Series:
    """ISO text as date objects (None where blank or unreadable)."""
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    return parsed.dt.date.astype(object).where(parsed.notna(), None)


def _insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    if len(frame):
        conn.execute(table.insert(), frame.astype(object).where(frame.notna(), None).to_dict("records"))


def write_database(truth: GroundTruth, engine: sa.Engine) -> list[str]:
    """The truth as Eclipse's reporting tables in ``engine``'s database (they must not exist yet).

    Answers are stored as TEXT holding the JSON document, so SQLite and PostgreSQL alike hold them.
    """
    tables = eclipse_tables(truth)
    meta = sa.MetaData()
    people = sa.Table("people", meta, sa.Column("person_id", sa.Text), sa.Column("gender", sa.Text),
                      sa.Column("dob", sa.Date), sa.Column("ethnicity", sa.Text), sa.Column("upn", sa.Text))
    episode_columns = [c for c in tables["cla_episodes"].columns if c not in ("episode_id", "pl_distance")]
    episodes = sa.Table("cla_episodes", meta, sa.Column("episode_id", sa.Integer, primary_key=True),
                        *(sa.Column(c, sa.Date if c in _EPISODE_DATES else sa.Text) for c in episode_columns),
                        sa.Column("pl_distance", sa.Float))
    staff = sa.Table("staff", meta, sa.Column("staff_id", sa.Text), sa.Column("fte", sa.Float),
                     sa.Column("iro_share", sa.Float), sa.Column("team", sa.Text),
                     sa.Column("start_date", sa.Date), sa.Column("end_date", sa.Date))
    forms = sa.Table("forms", meta, sa.Column("form_id", sa.BigInteger, primary_key=True),
                     sa.Column("form_type", sa.Text), sa.Column("person_id", sa.Text),
                     sa.Column("created_at", sa.DateTime), sa.Column("status", sa.Text),
                     sa.Column("answers", sa.Text))
    meta.create_all(engine)

    frame = tables["people"].assign(dob=_dates(tables["people"]["dob"]))
    ep = tables["cla_episodes"].assign(pl_distance=pd.to_numeric(tables["cla_episodes"]["pl_distance"]),
                                       **{c: _dates(tables["cla_episodes"][c]) for c in _EPISODE_DATES})
    st = tables["staff"].assign(fte=pd.to_numeric(tables["staff"]["fte"]),
                                iro_share=pd.to_numeric(tables["staff"]["iro_share"]),
                                start_date=_dates(tables["staff"]["start_date"]),
                                end_date=_dates(tables["staff"]["end_date"]))
    fm = tables["forms"]
    # Free text where a document belongs is stored as it is; documents as JSON text.
    fm = fm.assign(answers=[a if isinstance(a, str) else json.dumps(a) for a in fm["answers"]],
                   created_at=pd.Series(fm["created_at"].dt.to_pydatetime(), dtype=object),
                   form_id=fm["form_id"].astype(int))
    with engine.begin() as conn:
        _insert(conn, people, frame)
        _insert(conn, episodes, ep[[c.name for c in episodes.columns]])
        _insert(conn, staff, st[[c.name for c in staff.columns]])
        _insert(conn, forms, fm[[c.name for c in forms.columns]])
    return [t.name for t in (people, episodes, staff, forms)]


def write(truth: GroundTruth, dest: Path, options: Mapping[str, Any] | None = None) -> list[Path]:
    return write_synthetic(truth, dest)
