"""The Mosaic plugin on warehouse extracts: dm_ tables, workflow steps with long-format answers."""

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import AS_OF
from equivalence import assert_same_as_truth
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_etl.quality.failures import FILE_LEVEL
from iro_etl.sources.registry import detect, get_plugin
from iro_plugin_mosaic.plugin import MosaicPlugin
from iro_schemas.canonical import CANONICAL_MODELS
from iro_testdata.synthetic import GroundTruth, generate, text_tables
from iro_testdata.writers import write_export

PLUGIN = get_plugin("mosaic")
ALL_TABLES = list(CANONICAL_MODELS)


@pytest.fixture(scope="module")
def full_export(tmp_path_factory, clean_truth) -> Path:
    folder = tmp_path_factory.mktemp("mosaic_full")
    write_export("mosaic", clean_truth, folder)
    return folder


@pytest.fixture(scope="module")
def truth() -> GroundTruth:
    """A smaller truth for the many rewritten copies of the export, to keep the tests quick."""
    return generate(120, as_of=AS_OF, seed=5)


@pytest.fixture(scope="module")
def export(tmp_path_factory, truth) -> Path:
    folder = tmp_path_factory.mktemp("mosaic")
    write_export("mosaic", truth, folder)
    return folder


def _validated(path, options=None):
    return validate_export(read_export(Authority.ad_hoc("T", "mosaic", path, options), AS_OF))


def _load(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _copy(src: Path, dest: Path, changes: dict) -> Path:
    """The export with some files changed: {file name: frame -> frame or text}."""
    shutil.copytree(src, dest)
    for name, change in changes.items():
        out = change(_load(dest / name))
        text = out if isinstance(out, str) else out.to_csv(index=False)
        (dest / name).write_text(text, encoding="utf-8", newline="")
    return dest


def _order(failure: tuple) -> tuple:
    table, file, row, column, rule = failure
    return table, file, row or 0, column or "", rule


def _rules(validated) -> list[tuple]:
    """(table, file, row, column, rule) of every failure, in a stable order."""
    f = validated.failures
    rows = [None if pd.isna(r) else int(r) for r in f["row"]]
    return sorted(zip(f["table_name"], f["source_file"], rows, f["column_name"], f["rule"], strict=True),
                  key=_order)


def _step_row(export: Path, step_id: str) -> int:
    """The Excel row of a step in dm_workflow_steps.csv (header is row 1)."""
    steps = _load(export / "dm_workflow_steps.csv")
    return int(steps.index[steps["step_id"] == step_id][0]) + 2


def _answers(answers: pd.DataFrame, code: str, step_type: str, steps: pd.DataFrame) -> list[int]:
    """Positions in dm_step_answers of the given answers to ``code`` on live steps of ``step_type``."""
    ids = set(steps.loc[steps["step_status"] == "COMPLETE"].loc[steps["step_type"] == step_type, "step_id"])
    hits = answers.index[(answers["question_code"] == code) & answers["step_id"].isin(ids)
                         & (answers["answer_text"] != "")]
    return [int(i) for i in hits]


# --- Equivalence ---------------------------------------------------------------------------------

def test_export_reads_back_as_the_truth(full_export, clean_truth):
    validated = _validated(full_export)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, clean_truth, ALL_TABLES)


def test_database_reads_back_as_the_truth(export, truth, db_url):
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        for file in export.iterdir():
            _load(file).replace("", None).to_sql(file.stem, conn, index=False)
    engine.dispose()
    assert PLUGIN.recognise(db_url)
    validated = _validated(db_url)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, truth, ALL_TABLES)
    assert set(validated.clean["review_records"]["_source_file"]) == {"db:dm_workflow_steps"}


def test_answer_rows_carry_the_lineage_of_their_step(export):
    source = PLUGIN.read(export)
    steps = _load(export / "dm_workflow_steps.csv")
    kinds = {"notifications": "IRO Notification", "iro_allocations": "IRO Allocation",
             "review_records": "CLA Review Record", "disputes": "Dispute Resolution"}
    for table, kind in kinds.items():
        frame = source.tables[table]
        assert set(frame["_source_file"]) == {"dm_workflow_steps.csv"}
        step = steps.iloc[frame["_row"].to_numpy() - 2]
        assert (step["step_type"] == kind).all() and (step["step_status"] != "CANCELLED").all()
        assert (step["person_id"].to_numpy() == frame["child_id"].to_numpy()).all()
    participants = source.tables["review_participants"]
    assert participants["_row"].tolist() == list(range(2, len(participants) + 2))


def test_messy_truth_defects_are_reported_and_the_rest_loads(tmp_path):
    messy_truth = generate(120, as_of=AS_OF, seed=11, defect_rate=0.05)
    write_export("mosaic", messy_truth, tmp_path)
    validated = _validated(tmp_path)
    _, ledger = text_tables(messy_truth)
    count = validated.failures.groupby(["table_name", "rule"]).size()
    assert count[("reviews", "date_format")] == ledger.counts["reviews.impossible_date"]
    assert count[("reviews", "duplicate_review")] == ledger.counts["reviews.duplicate"]
    assert count[("children", "code_list")] == ledger.counts["children.bad_code"]
    assert count[("reviews", "blank_row")] == count[(FILE_LEVEL, "blank_row")] == ledger.counts["blank_rows"]
    summary = validated.summary().set_index("table_name")
    assert (summary["rows_in"] == summary["rows_clean"] + summary["rows_quarantined"]).all()
    # Children with a bad gender code are quarantined, not dropped: parents never appear.
    assert summary.loc["children", "rows_in"] == len(messy_truth.children)


# --- Discovery -----------------------------------------------------------------------------------

def test_plugin_is_found_and_recognises_only_its_exports(export, clean_export):
    assert isinstance(PLUGIN, MosaicPlugin)
    assert PLUGIN.recognise(export)
    assert PLUGIN.recognise(export / "dm_workflow_steps.csv")
    assert not PLUGIN.recognise(clean_export)
    assert not get_plugin("ssda903").recognise(export)


def test_detect_tells_mosaic_from_the_903(export, clean_export):
    assert isinstance(detect(export), MosaicPlugin)
    assert detect(clean_export).name == "ssda903"


def test_renamed_steps_file_is_recognised_by_its_header(tmp_path, export):
    folder = tmp_path / "renamed"
    folder.mkdir()
    shutil.copy(export / "dm_workflow_steps.csv", folder / "steps_extract.csv")
    assert PLUGIN.recognise(folder)


# --- Authority options ---------------------------------------------------------------------------

def test_renamed_and_reordered_headers_through_the_columns_option(tmp_path, export, truth):
    def persons(frame):
        frame = frame[list(reversed(frame.columns))]
        return frame.rename(columns={"gender": "Sex Code", "person_id": "Client Number"})

    def steps(frame):
        return frame[list(reversed(frame.columns))].rename(columns={"step_type": "Step Description"})

    folder = _copy(export, tmp_path / "renamed", {"dm_persons.csv": persons, "dm_workflow_steps.csv": steps})
    options = {"columns": {"children": {"sex": ["Sex Code"], "child_id": ["Client Number"]},
                           "dm_workflow_steps": {"step_type": ["Step Description"]}}}
    validated = _validated(folder, options)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, truth, ALL_TABLES)
    # Without the option, the missing columns are named as the export names them.
    source = PLUGIN.read(folder)
    missing = sorted((f.table_name, f.source_file, f.row, f.column_name) for f in source.failures)
    assert missing == [("children", "dm_persons.csv", 1, "gender"),
                       ("children", "dm_persons.csv", 1, "person_id"),
                       (FILE_LEVEL, "dm_workflow_steps.csv", 1, "step_type")]


def test_question_codes_and_step_types_through_options(tmp_path, export, truth):
    codes = {"REVIEW_DATE": "CLAREV_Q01", "DRP_STAGE": "DRP_LEVEL"}
    folder = _copy(export, tmp_path / "local", {
        "dm_step_answers.csv": lambda f: f.assign(question_code=f["question_code"].replace(codes)),
        "dm_workflow_steps.csv": lambda f: f.assign(
            step_type=f["step_type"].replace({"IRO Notification": "Notification to IRO service"})),
    })
    options = {"questions": {"review_date": "CLAREV_Q01", "stage": ["DRP_LEVEL", "DRP_STAGE"]},
               "step_types": {"notifications": ["IRO Notification", "Notification to IRO service"]}}
    validated = _validated(folder, options)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, truth, ALL_TABLES)
    names = MosaicPlugin(options).column_names()
    assert names["review_records"]["review_date"] == "CLAREV_Q01"
    assert names["review_participants"]["review_date"] == "CLAREV_Q01 (via step_id)"


def test_an_unconfigured_question_code_is_a_missing_column(tmp_path, export):
    folder = _copy(export, tmp_path / "local", {"dm_step_answers.csv": lambda f: f.assign(
        question_code=f["question_code"].replace({"DRP_STAGE": "DRP_LEVEL"}))})
    validated = _validated(folder)
    missing = validated.failures[validated.failures["rule"] == "missing_column"]
    assert missing[["table_name", "source_file", "row", "column_name"]].values.tolist() == [
        ["disputes", "dm_step_answers.csv", 1, "DRP_STAGE"]]
    required = validated.failures[validated.failures["rule"] == "required"]
    assert set(required["column_name"]) == {"DRP_STAGE"}
    assert len(validated.clean["disputes"]) == 0
    assert len(validated.clean["review_records"]) > 0


@pytest.mark.parametrize("options", [
    {"columns": {"review_records": {"rag": ["RAG"]}}},
    {"questions": {"no_such_column": "Q1"}},
    {"step_types": {"children": "Person"}},
])
def test_option_mistakes_fail_at_once(options):
    with pytest.raises(ValueError, match="mosaic option"):
        MosaicPlugin(options)


# --- Messy input ---------------------------------------------------------------------------------

def _serial(values: pd.Series, layout: str) -> pd.Series:
    """Dates as the Excel serial numbers a spreadsheet round trip leaves."""
    return (pd.to_datetime(values, format=layout) - pd.Timestamp("1899-12-30")).dt.days.astype(str)


def _csv_text(frame: pd.DataFrame, title: str, blank_at: tuple[int, ...] = ()) -> str:
    """A frame as CSV under title rows, with blank rows before the given data rows."""
    rows = frame.to_numpy().tolist()
    for k in sorted(blank_at, reverse=True):
        rows.insert(k, [""] * len(frame.columns))
    out = io.StringIO()
    out.write(f"Mosaic warehouse extract: {title}\nRun on 01/04/2014 06:00\n\n")
    csv.writer(out, lineterminator="\n").writerows([list(frame.columns), *rows])
    return out.getvalue()


def test_title_rows_serial_dates_cp1252_and_blank_rows(tmp_path, export, truth):
    folder = tmp_path / "formats"
    folder.mkdir()
    frames = {file.name: _load(file) for file in export.iterdir()}
    reviews = frames["dm_cla_reviews.csv"]
    reviews["review_date"] = _serial(reviews["review_date"], "%Y-%m-%d 00:00:00.000")
    answers = frames["dm_step_answers.csv"]
    dated = answers["question_code"].isin(["REVIEW_DATE", "CLA_START_DATE"]) & (answers["answer_text"] != "")
    answers.loc[dated, "answer_text"] = _serial(answers.loc[dated, "answer_text"], "%d/%m/%Y")
    answers["answer_text"] = answers["answer_text"].str.replace("see file", "see café notes")
    workers = frames["dm_workers.csv"]
    team = workers.loc[0, "team_name"]
    workers.loc[0, "team_name"] = f"Équipe {team}"
    blanks = {"dm_step_answers.csv": (0, 100), "dm_cla_reviews.csv": (10,)}
    for name, frame in frames.items():
        cp1252 = name in ("dm_step_answers.csv", "dm_workers.csv")
        (folder / name).write_text(_csv_text(frame, name, blanks.get(name, ())),
                                   encoding="cp1252" if cp1252 else "utf-8", newline="")

    validated = _validated(folder)
    # Three title rows and the header come first: data row k is Excel row k + 5.
    assert _rules(validated) == [
        (FILE_LEVEL, "dm_step_answers.csv", None, None, "not_utf8"),
        (FILE_LEVEL, "dm_step_answers.csv", 5, None, "blank_row"),
        (FILE_LEVEL, "dm_step_answers.csv", 106, None, "blank_row"),
        ("iro_staff", "dm_workers.csv", None, None, "not_utf8"),
        ("reviews", "dm_cla_reviews.csv", 15, None, "blank_row"),
    ]
    staff = validated.clean["iro_staff"]
    assert staff.loc[0, "team"] == f"Équipe {team}"
    staff.loc[0, "team"] = team
    assert_same_as_truth({**validated.clean, "iro_staff": staff}, truth, ALL_TABLES)
    before = PLUGIN.read(export).tables["review_records"]["_row"]
    after = PLUGIN.read(folder).tables["review_records"]["_row"]
    assert (after == before + 3).all()


def test_foreign_and_empty_files_and_unknown_steps_are_passed_over(tmp_path, export, clean_export, truth):
    steps = _load(export / "dm_workflow_steps.csv")
    record = steps[steps["step_type"] == "CLA Review Record"].iloc[0]

    def more_steps(frame):
        other = pd.DataFrame([{"step_id": "999001", "person_id": record["person_id"],
                               "step_type": "Adoption Panel", "step_status": "COMPLETE"}])
        return pd.concat([frame, other], ignore_index=True).fillna("")

    def more_answers(frame):
        # A question no IRO table uses, and a step of another type asking the review questions.
        extra = pd.DataFrame([
            {"answer_id": "90001", "step_id": record["step_id"], "question_code": "NEW_QUESTION_2014",
             "answer_text": "not used"},
            {"answer_id": "90002", "step_id": "999001", "question_code": "REVIEW_DATE",
             "answer_text": "01/01/2013"},
            {"answer_id": "90003", "step_id": "999001", "question_code": "REVIEW_STATUS",
             "answer_text": "Held"},
        ])
        return pd.concat([frame, extra], ignore_index=True)

    folder = _copy(export, tmp_path / "mixed", {"dm_workflow_steps.csv": more_steps,
                                                "dm_step_answers.csv": more_answers})
    shutil.copy(clean_export / "header.csv", folder / "header.csv")
    (folder / "dm_cla_reviews_2014.csv").write_text("")
    (folder / "notes.csv").write_text("\n,,\n")
    validated = _validated(folder)
    assert _rules(validated) == [
        (FILE_LEVEL, "header.csv", None, None, "unrecognised_file"),
        (FILE_LEVEL, "notes.csv", None, None, "empty_file"),
        ("reviews", "dm_cla_reviews_2014.csv", None, None, "empty_file"),
    ]
    assert_same_as_truth(validated.clean, truth, ALL_TABLES)


def test_row_problems_are_reported_where_a_person_finds_them(tmp_path, export, truth):
    steps = _load(export / "dm_workflow_steps.csv")
    answers = _load(export / "dm_step_answers.csv")
    participants = _load(export / "dm_review_participants.csv")
    # A review date that is no date.
    dated = _answers(answers, "REVIEW_DATE", "CLA Review Record", steps)[0]
    dated_step = answers.loc[dated, "step_id"]
    answers.loc[dated, "answer_text"] = "31/13/2012"
    # A participant whose step is no review record.
    orphan = int(participants.index[participants["step_id"] != dated_step][0])
    participants.loc[orphan, "step_id"] = "123"
    folder = _copy(export, tmp_path / "rows", {"dm_step_answers.csv": lambda f: answers,
                                               "dm_review_participants.csv": lambda f: participants})
    # An unquoted comma in a used answer spoils its step's row; in an unused comment it does no harm.
    ragged = next(i for i in _answers(answers, "IRO_RAG_RATING", "CLA Review Record", steps)
                  if answers.loc[i, "step_id"] != dated_step)
    comment = int(answers.index[answers["question_code"] == "IRO_COMMENTS"][0])
    lines = (folder / "dm_step_answers.csv").read_text().splitlines()
    lines[ragged + 1] += ",(see notes)"
    lines[comment + 1] = lines[comment + 1].replace('"', "")
    (folder / "dm_step_answers.csv").write_text("\n".join(lines) + "\n")

    validated = _validated(folder)
    their_rows = [int(i) + 2 for i in participants.index[participants["step_id"] == dated_step]]
    via = "(via step_id)"
    assert _rules(validated) == sorted([
        ("review_records", "dm_workflow_steps.csv", _step_row(export, dated_step), "REVIEW_DATE",
         "date_format"),
        ("review_records", "dm_workflow_steps.csv", _step_row(export, answers.loc[ragged, "step_id"]),
         None, "bad_row_shape"),
        # Both ragged lines are also reported where they are fixed, in the answers file.
        ("review_records", "dm_step_answers.csv", ragged + 2, None, "ragged_answer"),
        (FILE_LEVEL, "dm_step_answers.csv", comment + 2, None, "ragged_answer"),
        *[("review_participants", "dm_review_participants.csv", r, f"REVIEW_DATE {via}", "date_format")
          for r in their_rows],
        ("review_participants", "dm_review_participants.csv", orphan + 2, f"REVIEW_DATE {via}", "required"),
        ("review_participants", "dm_review_participants.csv", orphan + 2, f"person_id {via}", "required"),
    ], key=_order)
    bad = validated.failures[validated.failures["rule"] == "date_format"]
    assert set(bad["value"]) == {"31/13/2012"}
    summary = validated.summary().set_index("table_name")
    assert summary.loc["review_records", "rows_quarantined"] == 2
    assert summary.loc["review_participants", "rows_quarantined"] == len(their_rows) + 1
    assert len(validated.clean["review_records"]) == len(truth.iro["review_records"]) - 2


def test_which_answer_wins(tmp_path):
    """Tiny edge cases of the pivot: code preference, a re-answered question, blanks, voided steps."""
    (tmp_path / "dm_workflow_steps.csv").write_text(
        "step_id,person_id,step_type,step_status\n"
        "1,P1,cla review record,COMPLETE\n"
        "2,P1,CLA Review Record,Cancelled\n"
        "3,P2,CLA_REVIEW_RECORD,\n")
    (tmp_path / "dm_step_answers.csv").write_text(
        "step_id,question_code,answer_text\n"
        "1,REVIEW_DATE,01/02/2013\n"
        "1,RAG_OLD,Red\n"
        "1,rag_new,Amber\n"
        "1,REVIEW_DATE,02/02/2013\n"
        "2,REVIEW_DATE,09/09/2013\n"
        "3,REVIEW_DATE,03/03/2013\n"
        "3,REVIEW_DATE,\n")
    plugin = MosaicPlugin({"questions": {"rag": ["RAG_NEW", "RAG_OLD"]}})
    source = plugin.read(tmp_path)
    records = source.tables["review_records"]
    assert records[["child_id", "review_date", "rag", "_row"]].astype(object).values.tolist() == [
        ["P1", "02/02/2013", "amber", 2], ["P2", "03/03/2013", pd.NA, 4]]
    # The extracts the folder lacks are named, so empty tables are explained.
    assert sorted((f.table_name, f.source_file, f.rule) for f in source.failures) == [
        ("children", "dm_persons.csv", "unreadable_file"),
        ("episodes", "dm_cla_episodes.csv", "unreadable_file"),
        ("iro_staff", "dm_workers.csv", "unreadable_file"),
        ("review_participants", "dm_review_participants.csv", "unreadable_file"),
        # The tiny form never asks REVIEW_STATUS, which every record needs.
        ("review_records", "dm_step_answers.csv", "missing_column"),
        ("reviews", "dm_cla_reviews.csv", "unreadable_file"),
    ]


def test_missing_folder_is_a_failure_not_a_crash(tmp_path):
    source = PLUGIN.read(tmp_path / "nowhere")
    assert [f.rule for f in source.failures] == ["unreadable_file"]
    assert all(len(frame) == 0 for frame in source.tables.values())


def test_workers_without_an_fte_column_keep_their_iros(export, truth, tmp_path):
    """Many Mosaic warehouses hold no FTE: every IRO is kept with a warning (their caseload
    per FTE blank), none quarantined and none of their allocations lost."""
    folder = _copy(export, tmp_path / "no_fte",
                   {"dm_workers.csv": lambda f: f.drop(columns=["fte"])})
    validated = _validated(folder)
    staff = validated.failures[validated.failures["table_name"] == "iro_staff"]
    assert set(staff["rule"]) == {"expected_blank"}
    assert len(staff) == len(truth.iro["iro_staff"])
    assert len(validated.clean["iro_staff"]) == len(truth.iro["iro_staff"])
    assert validated.clean["iro_staff"]["fte"].isna().all()
    assert len(validated.clean["iro_allocations"]) == len(truth.iro["iro_allocations"])
