"""The Eclipse plugin: forms with JSON answers from an extract folder or a database, and their mess."""

import dataclasses
import json
import shutil

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import AS_OF
from equivalence import assert_same_as_truth
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_etl.sources.dates import parse_dates
from iro_etl.sources.registry import detect, get_plugin
from iro_plugin_eclipse.plugin import EclipsePlugin
from iro_schemas.canonical import CANONICAL_MODELS
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export
from iro_testdata.writers.eclipse import write_database

PLUGIN = get_plugin("eclipse")
ALL_TABLES = list(CANONICAL_MODELS)


@pytest.fixture(scope="module")
def small_truth():
    truth = generate(60, as_of=AS_OF, seed=21)
    assert len(truth.iro["disputes"]) >= 2  # the tests below drop disputes one at a time
    return truth


@pytest.fixture(scope="module")
def small_export(tmp_path_factory, small_truth):
    folder = tmp_path_factory.mktemp("eclipse")
    write_export("eclipse", small_truth, folder)
    return folder


@pytest.fixture
def export(tmp_path, small_export):
    """A private copy of the small export, for a test to damage."""
    return shutil.copytree(small_export, tmp_path / "export")


def _validated(path, options=None):
    return validate_export(read_export(Authority.ad_hoc("T", "eclipse", path, options), AS_OF))


def _failures(validated) -> list[tuple]:
    frame = validated.failures.astype(object)
    frame = frame.where(frame.notna(), None)
    return sorted(zip(frame["table_name"], frame["source_file"], frame["rule"], frame["row"].astype(object),
                      frame["column_name"], strict=True), key=str)


def _forms(folder) -> list[dict]:
    return [json.loads(line) for line in (folder / "forms.jsonl").read_text().splitlines()]


def _write_forms(folder, forms: list[dict]) -> None:
    (folder / "forms.jsonl").write_text("".join(json.dumps(f) + "\n" for f in forms))


def _answers(form: dict) -> dict:
    """A form's answers, whether the extract nested them or wrote them as a JSON string."""
    answers = form["answers"]
    return json.loads(answers) if isinstance(answers, str) else answers


def _first(forms: list[dict], form_type: str, skip: int = 0) -> int:
    """Index of the ``skip``-th completed form of a type (its line in forms.jsonl is index + 1)."""
    found = [i for i, f in enumerate(forms)
             if f["form_type"] == form_type and f["status"].strip().lower() == "completed"]
    return found[skip]


#: Per table a form may be dropped from: the truth's date column and the answers' keys for it.
_DATES = {"disputes": ("raised_date", ("date_raised",)),
          "notifications": ("period_start", ("period_start", "date_became_looked_after"))}


def _without(truth, table: str, form: dict):
    """The truth less the row that ``form`` (a dispute or notification form) recorded."""
    column, keys = _DATES[table]
    answers = _answers(form)
    date = parse_dates(pd.Series([next(answers[k] for k in keys if k in answers)]))[0].iloc[0]
    frame = truth.iro[table]
    hit = (frame["child_id"] == str(form["person_id"])) & (frame[column] == date)
    assert hit.sum() == 1
    return dataclasses.replace(truth, iro={**truth.iro, table: frame[~hit]})


def _rewrite(folder, name, transform, encoding="utf-8"):
    path = folder / name
    path.write_text(transform(path.read_text(encoding="utf-8-sig")), encoding=encoding, newline="")


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)


# Equivalence: what we wrote is what we read, from the extract and from the database.

def test_extract_reads_back_as_the_truth(tmp_path, clean_truth):
    write_export("eclipse", clean_truth, tmp_path)
    forms = _forms(tmp_path)
    # The export carries the mess the reader must absorb without a single failure.
    statuses = {f["status"] for f in forms}
    assert {"draft", "Cancelled", "Completed", "COMPLETED "} <= statuses
    assert {"CASE_NOTE", "CP_CONFERENCE"} <= {f["form_type"] for f in forms}
    assert any(isinstance(f["answers"], str) for f in forms)
    validated = _validated(tmp_path)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, clean_truth, ALL_TABLES)


def test_database_reads_back_as_the_truth(db_url, clean_truth):
    engine = sa.create_engine(db_url)
    assert write_database(clean_truth, engine) == ["people", "cla_episodes", "staff", "forms"]
    engine.dispose()
    assert PLUGIN.recognise(db_url)
    validated = _validated(db_url)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, clean_truth, ALL_TABLES)
    assert set(validated.clean["reviews"]["_source_file"]) == {"db:forms"}
    assert set(validated.clean["children"]["_source_file"]) == {"db:people"}


def test_answers_in_a_json_column(db_url, small_truth):
    """Answers kept in a JSON (PostgreSQL: json) column rather than text read the same."""
    engine = sa.create_engine(db_url)
    write_database(small_truth, engine)
    with engine.begin() as conn:
        rows = conn.execute(sa.text("SELECT * FROM forms")).mappings().all()
        conn.execute(sa.text("DROP TABLE forms"))
    meta = sa.MetaData()
    forms = sa.Table("forms", meta, sa.Column("form_id", sa.BigInteger, primary_key=True),
                     *(sa.Column(c, sa.Text) for c in ("form_type", "person_id", "status")),
                     sa.Column("answers", sa.JSON))
    meta.create_all(engine)
    with engine.begin() as conn:
        # A JSON column cannot hold the free-text case note, so it is left out.
        conn.execute(forms.insert(), [
            {"form_id": r["form_id"], "form_type": r["form_type"], "person_id": r["person_id"],
             "status": r["status"], "answers": json.loads(r["answers"])}
            for r in rows if r["answers"].startswith("{")])
    engine.dispose()
    validated = _validated(db_url)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, small_truth, ALL_TABLES)


def test_lineage_is_the_forms_line(small_export):
    source = PLUGIN.read(small_export)
    lines = (small_export / "forms.jsonl").read_text().splitlines()
    for table, form_type in (("reviews", "CLA_REVIEW"), ("review_participants", "REVIEW_PARTICIPATION")):
        row = source.tables[table].iloc[0]
        form = json.loads(lines[row["_row"] - 1])
        assert form["form_type"] == form_type and str(form["person_id"]) == row["child_id"]


# Discovery.

def test_plugin_is_found_and_recognises_only_its_exports(small_export, clean_export):
    assert isinstance(PLUGIN, EclipsePlugin)
    assert PLUGIN.recognise(small_export)
    assert PLUGIN.recognise(small_export / "forms.jsonl")
    # Only the forms claim an export: Eclipse's people table looks like Mosaic's.
    assert not PLUGIN.recognise(small_export / "people.csv")
    assert not PLUGIN.recognise(clean_export)
    assert not get_plugin("ssda903").recognise(small_export)
    assert isinstance(detect(small_export), EclipsePlugin)
    assert detect(clean_export).name == "ssda903"


def test_missing_database_is_a_failure_and_is_not_created(tmp_path):
    url = f"sqlite:///{tmp_path / 'nothing.db'}"
    assert not PLUGIN.recognise(url)
    source = PLUGIN.read(url)
    assert [f.rule for f in source.failures] == ["unreadable_file"]
    assert not (tmp_path / "nothing.db").exists()
    assert all(len(frame) == 0 for frame in source.tables.values())


def test_missing_folder_is_a_failure_not_a_crash(tmp_path):
    source = PLUGIN.read(tmp_path / "missing")
    assert [(f.rule, f.source_file) for f in source.failures] == [("unreadable_file", "missing")]


# Forms: malformed JSON, drafts, unknown types, the authority's own form layout.

def test_malformed_json_in_the_extract_is_reported_and_the_rest_loads(export, small_truth):
    forms = _forms(export)
    dispute, notice, note = _first(forms, "IRO_DISPUTE"), _first(forms, "IRO_NOTIFICATION"), _first(
        forms, "CASE_NOTE")
    expected = _without(_without(small_truth, "disputes", forms[dispute]), "notifications", forms[notice])
    broken = '{"date_raised": "2012-01-0'
    forms[dispute]["answers"] = broken
    lines = [json.dumps(f) for f in forms]
    lines[notice] = lines[notice][:60]  # the whole record cut short
    lines[note] = lines[note][:60]  # a case note is never read, broken or not
    (export / "forms.jsonl").write_text("\n".join(lines) + "\n")
    validated = _validated(export)
    assert _failures(validated) == sorted([
        ("disputes", "forms.jsonl", "answers_not_json", dispute + 1, "answers"),
        ("notifications", "forms.jsonl", "line_not_json", notice + 1, None),
    ], key=str)
    failures = validated.failures.set_index("rule")
    assert failures.loc["answers_not_json", "value"] == broken
    assert failures.loc["line_not_json", "value"].startswith(f"line {notice + 1} is not valid JSON")
    assert failures.loc["line_not_json", "message"].startswith("The line is not a form record: line")
    assert_same_as_truth(validated.clean, expected, ALL_TABLES)


def test_malformed_json_in_the_database_is_reported(tmp_path, small_truth):
    db_url = f"sqlite:///{tmp_path / 'eclipse.db'}"  # both dialects are read in the equivalence test
    engine = sa.create_engine(db_url)
    write_database(small_truth, engine)
    with engine.begin() as conn:
        ids = conn.execute(sa.text(
            "SELECT form_id, person_id, answers FROM forms WHERE form_type = 'IRO_DISPUTE' "
            "AND lower(trim(status)) = 'completed' ORDER BY form_id")).all()
        first_id = conn.execute(sa.text("SELECT min(form_id) FROM forms")).scalar_one()
        conn.execute(sa.text("UPDATE forms SET answers = :a WHERE form_id = :i"),
                     {"a": '{"stage": "informal", ', "i": ids[0].form_id})
    engine.dispose()
    expected = _without(small_truth, "disputes", {"person_id": ids[0].person_id,
                                                  "answers": json.loads(ids[0].answers)})
    validated = _validated(db_url)
    # Rows of db:forms count from 2 in form_id order; the synthetic ids have no gaps.
    assert _failures(validated) == [("disputes", "db:forms", "answers_not_json",
                                     ids[0].form_id - first_id + 2, "answers")]
    assert_same_as_truth(validated.clean, expected, ALL_TABLES)


def test_a_participant_that_is_not_a_record_is_reported(export):
    forms = _forms(export)
    at = _first(forms, "REVIEW_PARTICIPATION")
    answers = _answers(forms[at])
    answers["participants"] = [*answers["participants"], "aunt came"]
    forms[at]["answers"] = answers
    _write_forms(export, forms)
    source = PLUGIN.read(export)
    assert [(f.table_name, f.rule, f.row, f.column_name, f.value) for f in source.failures] == [
        ("review_participants", "participant_not_record", at + 1, "answers.participants",
         "aunt came")]
    read = source.tables["review_participants"]
    assert (read["_row"] == at + 1).sum() == len(answers["participants"]) - 1


def test_draft_forms_are_ignored(export, small_truth):
    forms = _forms(export)
    dispute = _first(forms, "IRO_DISPUTE")
    expected = _without(small_truth, "disputes", forms[dispute])
    forms[dispute]["status"] = "Draft"
    _write_forms(export, forms)
    validated = _validated(export)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, expected, ALL_TABLES)
    # The synthetic drafts are there, and would count if drafts were taken as the record.
    with_drafts = PLUGIN.__class__({"completed_statuses": ["completed", "draft"]}).read(export)
    assert len(with_drafts.tables["reviews"]) > len(small_truth.reviews)


def test_unknown_form_type_is_ignored_unless_configured(export, small_truth):
    forms = _forms(export)
    dispute = _first(forms, "IRO_DISPUTE", skip=1)
    expected = _without(small_truth, "disputes", forms[dispute])
    forms[dispute]["form_type"] = "IRO_DISPUTE_2019"
    _write_forms(export, forms)
    validated = _validated(export)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, expected, ALL_TABLES)
    options = {"form_types": {"disputes": ["IRO_DISPUTE", "iro dispute 2019"]}}
    validated = _validated(export, options)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, small_truth, ALL_TABLES)


def test_fields_option_maps_an_authoritys_own_keys(export, small_truth):
    forms = _forms(export)
    for form in forms:
        if form["form_type"] == "IRO_REVIEW_RECORD":
            answers = form["answers"] = _answers(form)
            if "rag_rating" in answers:
                answers["rating"] = answers.pop("rag_rating")
        elif form["form_type"] == "CLA_REVIEW":
            answers = form["answers"] = _answers(form)
            if "review_date" in answers:
                answers["meeting"] = {"date": answers.pop("review_date")}
    _write_forms(export, forms)
    # Unconfigured, the moved review dates are blank (and reported); the RAG silently so.
    validated = _validated(export)
    assert set(validated.failures["rule"]) >= {"required"}
    assert validated.clean["review_records"]["rag"].isna().all()
    options = {"fields": {"rag": "rating", "reviews": {"review_date": ["meeting.date"]}}}
    validated = _validated(export, options)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, small_truth, ALL_TABLES)
    names = get_plugin("eclipse", options).column_names()
    assert names["reviews"]["review_date"] == "answers.meeting.date"
    assert names["review_participants"]["role"] == "answers.participants[].role"


@pytest.mark.parametrize("options", [{"form_types": {"review": "LAC_REVIEW"}},
                                     {"fields": {"reviews": {"rag": "x"}}},
                                     {"fields": {"no_such_column": "x"}}])
def test_mistyped_form_options_are_refused_at_set_up(options):
    with pytest.raises(ValueError):
        get_plugin("eclipse", options)


# The structured CSV tables: the mess real extracts carry.

def test_renamed_and_reordered_headers_through_the_columns_option(export, small_truth):
    def rename(mapping):
        def transform(text):
            frame = _csv(text)
            frame = frame[list(reversed(frame.columns))].rename(columns=mapping)
            return frame.to_csv(index=False)
        return transform

    _rewrite(export, "people.csv", rename({"person_id": "Client Ref", "gender": "Sex Description"}))
    _rewrite(export, "cla_episodes.csv", rename({"person_id": "Client Ref", "decom": "Start of episode"}))
    forms = _forms(export)
    for form in forms:
        form["client_ref"] = form.pop("person_id")
    _write_forms(export, forms)
    # Unconfigured, the renamed people.csv is not recognised as Eclipse's.
    source = PLUGIN.read(export)
    assert ("unrecognised_file", "people.csv") in [(f.rule, f.source_file) for f in source.failures]
    options = {"columns": {"children": {"child_id": ["Client Ref"], "sex": ["Sex Description"]},
                           "episodes": {"child_id": ["Client Ref"], "decom": ["Start of episode"]},
                           "forms": {"person_id": ["client_ref"]}}}
    validated = _validated(export, options)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, small_truth, ALL_TABLES)


def test_title_rows_and_excel_serial_dates(export, small_truth):
    def serials(column):
        def transform(text):
            frame = _csv(text)
            days = (pd.to_datetime(frame[column].str[:10]) - pd.Timestamp("1899-12-30")).dt.days
            frame[column] = days.astype("Int64").astype("string").fillna("")
            return f"Eclipse report: {column}\nRun on 01/04/2014,,\n\n" + frame.to_csv(index=False)
        return transform

    _rewrite(export, "people.csv", serials("dob"))
    _rewrite(export, "staff.csv", serials("start_date"))
    # A form answered from a spreadsheet import: the review date as an Excel serial number.
    forms = _forms(export)
    for form in forms:
        if form["form_type"] == "CLA_REVIEW" and "review_date" in (answers := _answers(form)):
            answers["review_date"] = (pd.Timestamp(answers["review_date"]) - pd.Timestamp("1899-12-30")).days
            form["answers"] = answers
    _write_forms(export, forms)
    assert (export / "people.csv").read_text().startswith("Eclipse report")
    validated = _validated(export)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, small_truth, ALL_TABLES)


def test_windows_1252_text_is_read_and_reported(export):
    _rewrite(export, "staff.csv", lambda text: text.replace("North", "Nörth").replace("South", "Söuth"),
             encoding="cp1252")
    _rewrite(export, "forms.jsonl", lambda text: text.replace("at placement", "at the café"),
             encoding="cp1252")
    source = PLUGIN.read(export)
    assert set(source.tables["iro_staff"]["team"]) <= {"Nörth", "Söuth", "Disabled children"}
    assert sorted((f.rule, f.source_file) for f in source.failures) == [
        ("not_utf8", "forms.jsonl"), ("not_utf8", "staff.csv")]


def test_blank_rows_are_reported_at_their_row(export, small_truth):
    def blank_after(n, blank):
        def transform(text):
            lines = text.splitlines(keepends=True)
            return "".join([*lines[:n], blank, *lines[n:]])
        return transform

    _rewrite(export, "cla_episodes.csv", blank_after(4, ",,,\r\n"))  # header + 3 rows, then row 5
    _rewrite(export, "forms.jsonl", blank_after(9, "\n"))  # line 10
    validated = _validated(export)
    assert _failures(validated) == [("episodes", "cla_episodes.csv", "blank_row", 5, None),
                                    ("files", "forms.jsonl", "blank_row", 10, None)]
    assert set(validated.failures["severity"]) == {"warning"}
    assert_same_as_truth(validated.clean, small_truth, ALL_TABLES)


def test_foreign_and_empty_files_are_reported_and_the_rest_loads(export, small_truth, clean_export):
    shutil.copy(clean_export / "header.csv", export / "header.csv")
    (export / "notes.csv").write_text("")
    (export / "forms_2015.jsonl").write_text("\n\n")
    validated = _validated(export)
    assert _failures(validated) == [("files", "forms_2015.jsonl", "empty_file", None, None),
                                    ("files", "header.csv", "unrecognised_file", None, None),
                                    ("files", "notes.csv", "empty_file", None, None)]
    assert_same_as_truth(validated.clean, small_truth, ALL_TABLES)


def test_missing_required_column_is_named(export, small_truth):
    _rewrite(export, "cla_episodes.csv", lambda text: _csv(text).drop(columns=["rne"]).to_csv(index=False))
    validated = _validated(export)
    missing = validated.failures[validated.failures["rule"] == "missing_column"]
    assert missing[["source_file", "column_name", "row"]].values.tolist() == [["cla_episodes.csv", "rne", 1]]
    assert len(validated.clean["episodes"]) == 0
    assert_same_as_truth(validated.clean, small_truth, ["children", "reviews", "iro_staff"])
