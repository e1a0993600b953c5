"""The Mosaic plugin: Mosaic's warehouse tables as the public SSD extract SQL reads them,
read back from CSV extracts, SQLite and PostgreSQL equal to the ground truth."""

from pathlib import Path

import pandas as pd
import pytest
from conftest import AS_OF, PG_URL, postgres_schema, sqlite_warehouse
from equivalence import (
    assert_kept_rows_read_as_whole,
    assert_same_as_truth,
    normalised,
    published_columns,
)
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_etl.sources.registry import detect
from iro_plugin_mosaic.plugin import MosaicPlugin
from iro_plugin_mosaic.tables import TABLES
from iro_testdata.synthetic import generate
from iro_testdata.writers.mosaic import MOSAIC_DDL, mosaic_frames, write_database, write_extracts

#: The tables and columns the public SSD extract SQL for Mosaic reads
#: (data-to-insight/ssd-data-model, deployment_extracts/mosaic), for the tables used here.
PUBLISHED = "mosaic_dm_tables.csv"

#: Not in Mosaic (its FTE is in the HR system): read where a deployment added it.
EXTRACT_ONLY = {("DM_WORKERS", "FTE")}
#: What Mosaic's tables read do not hold: blank.
NOT_HELD = {"episodes": ["pl_distance", "pl_la", "pl_location"], "iro_staff": ["fte", "iro_share"]}
HELD = ["children", "reviews", "iro_allocations", "review_records", "review_participants",
        "notifications", "disputes"]


@pytest.fixture(scope="module")
def truth():
    return generate(120, as_of=AS_OF, seed=12)


@pytest.fixture(scope="module")
def extracts(tmp_path_factory, truth):
    folder = tmp_path_factory.mktemp("mosaic")
    write_extracts(truth, folder)
    return folder


def _read(location, **options):
    return read_export(Authority.ad_hoc("M", "mosaic", location, options), AS_OF)


def _same_as_truth(validated, truth):
    failures = validated.failures
    # Mosaic holds no FTE: one warning per IRO, the IRO kept.
    assert set(failures["rule"]) == {"expected_blank"}, failures.head().to_string()
    assert len(failures) == truth.iro["iro_staff"]["iro_id"].nunique()
    assert_same_as_truth(validated.clean, truth, HELD)
    for table, blank in NOT_HELD.items():
        got = normalised(table, validated.clean[table])
        want = normalised(table, truth.tables()[table])
        assert got[blank].isna().all().all()
        pd.testing.assert_frame_equal(got.drop(columns=blank), want.drop(columns=blank),
                                      check_dtype=False, obj=table)


def test_the_layout_is_the_public_sqls():
    published = published_columns(PUBLISHED)
    assert {t: list(c) for t, c in MOSAIC_DDL.items()} == published
    for table in TABLES:
        for column in table.columns:
            assert column in published[table.name] or (table.name, column) in EXTRACT_ONLY


def test_csv_extracts_read_back_as_the_truth(extracts, truth):
    export = _read(extracts)
    _same_as_truth(validate_export(export), truth)
    steps = mosaic_frames(truth)["DM_WORKFLOW_STEPS"]
    reviews = steps[steps["LAC_REVIEW_CATEGORY"].notna()]["STEP_STATUS"].value_counts()
    never = len(mosaic_frames(truth)["DM_PERSONS"]) - len(truth.children)
    assert export.source.not_used == {
        f"DM_PERSONS: {never} people never looked after": "children",
        f"DM_WORKFLOW_STEPS: {reviews['CANCELLED']} CLA review steps cancelled": "reviews",
        f"DM_WORKFLOW_STEPS: {reviews['STARTED']} CLA review steps not completed yet": "reviews"}
    assert export.source.not_held == {}


def test_sqlite_database(truth, tmp_path):
    url = sqlite_warehouse(tmp_path / "mosaic.db", write_database, truth)
    assert detect(url).name == "mosaic"
    _same_as_truth(validate_export(_read(url)), truth)


def test_postgresql_database_in_a_named_schema(truth):
    with postgres_schema() as (admin, schema, _):
        write_database(truth, admin, schema=schema)
        assert MosaicPlugin({"schema": schema}).recognise(PG_URL)
        assert not MosaicPlugin().recognise(PG_URL)
        validated = validate_export(_read(PG_URL, schema=schema))
        _same_as_truth(validated, truth)
        assert validated.clean["episodes"]["_source_file"].unique().tolist() == [
            f"db:{schema}.DM_PLACEMENTS"]


def test_detection_claims_the_folder_alone(extracts):
    from iro_etl.sources.registry import available

    assert detect(extracts).name == "mosaic"
    others = [name for name, plugin in available().items() if name != "mosaic"
              and plugin().recognise(extracts)]
    assert others == []


def _copy(extracts: Path, folder: Path, **changes: pd.DataFrame | None) -> Path:
    """The extracts with some tables replaced (None: left out)."""
    folder.mkdir()
    for file in extracts.iterdir():
        table = file.stem
        if table in changes:
            if changes[table] is not None:
                changes[table].to_csv(folder / file.name, index=False)
        else:
            (folder / file.name).write_bytes(file.read_bytes())
    return folder


def test_a_renamed_table_through_the_tables_option(extracts, tmp_path, truth):
    folder = _copy(extracts, tmp_path / "m", DM_PERSONS=None)
    (folder / "V_PERSONS.csv").write_bytes((extracts / "DM_PERSONS.csv").read_bytes())
    assert not MosaicPlugin().recognise(folder)
    export = _read(folder, tables={"DM_PERSONS": "V_PERSONS"})
    assert_same_as_truth(validate_export(export).clean, truth, ["children"])


def test_a_missing_optional_table_keeps_the_codes_as_written(extracts, tmp_path, truth):
    folder = _copy(extracts, tmp_path / "m", DM_ETHNICITIES=None, DM_CACHED_FORM_ANSWERS=None)
    export = _read(folder)
    validated = validate_export(export)
    ethnic = validated.clean["children"]["ethnic"]
    assert ethnic.str.match(r"E\d\d").all()
    # Local codes are unknown to the contract: reported, the children kept.
    assert (validated.failures["table_name"] == "children").any()
    assert len(validated.clean["children"]) == len(truth.children)
    assert set(export.source.not_held) == {"review_records", "review_participants",
                                           "notifications", "disputes"}
    assert not (validated.failures["rule"] == "unreadable_file").any()


def test_a_bad_date_names_table_row_and_column(extracts, tmp_path):
    placements = pd.read_csv(extracts / "DM_PLACEMENTS.csv", dtype=str)
    placements.loc[3, "START_DATE"] = "31/02/2013x"
    validated = validate_export(_read(_copy(extracts, tmp_path / "m", DM_PLACEMENTS=placements)))
    bad = validated.failures[validated.failures["rule"] == "date_format"]
    assert bad[["table_name", "source_file", "row", "column_name"]].values.tolist() == [
        ["episodes", "DM_PLACEMENTS.csv", 5, "DM_PLACEMENTS.START_DATE"]]


def test_an_unknown_code_is_kept_and_reported_and_a_local_option_maps_it(extracts, tmp_path):
    legal = pd.read_csv(extracts / "DM_LEGAL_STATUSES.csv", dtype=str)
    legal.loc[0, "LEGAL_STATUS"] = "ICO"
    folder = _copy(extracts, tmp_path / "m", DM_LEGAL_STATUSES=legal)
    failures = validate_export(_read(folder)).failures
    unknown = failures[failures["value"].astype(str) == "ICO"]
    # Once per episode the status is in force on, naming the warehouse column.
    assert len(unknown) >= 1
    assert set(unknown["column_name"]) == {"DM_LEGAL_STATUSES.LEGAL_STATUS"}
    mapped = validate_export(_read(folder, codes={"episodes": {"ls": {"ICO": "C1"}}}))
    assert not (mapped.failures["value"].astype(str) == "ICO").any()


def test_a_blank_fte_is_a_warning_and_a_present_one_is_read(extracts, tmp_path, truth):
    validated = validate_export(_read(extracts))
    warned = validated.failures
    assert set(warned["consequence"]) == {"keep"} and set(warned["severity"]) == {"warning"}
    workers = pd.read_csv(extracts / "DM_WORKERS.csv", dtype=str).assign(FTE_HR="0.5")
    folder = _copy(extracts, tmp_path / "m", DM_WORKERS=workers)
    staff = validate_export(_read(folder, columns={"iro_staff": {"fte": ["FTE_HR"]}})
                            ).clean["iro_staff"]
    assert staff["fte"].astype(float).eq(0.5).all()


def test_local_relationship_codes_and_forms(extracts, tmp_path, truth):
    rel = pd.read_csv(extracts / "DM_PROF_RELATIONSHIPS.csv", dtype=str)
    rel["PROF_REL_TYPE_CODE"] = rel["PROF_REL_TYPE_CODE"].replace({"REL.IRO": "REL.INDREV"})
    answers = pd.read_csv(extracts / "DM_CACHED_FORM_ANSWERS.csv", dtype=str)
    answers["QUESTION_USER_CODE"] = answers["QUESTION_USER_CODE"].replace(
        {"iro.rag.rating": "RAG_2019"})
    folder = _copy(extracts, tmp_path / "m", DM_PROF_RELATIONSHIPS=rel,
                   DM_CACHED_FORM_ANSWERS=answers)
    assert MosaicPlugin().read(folder).tables["iro_allocations"].empty
    plugin = MosaicPlugin({"iro_relationships": "REL.INDREV", "questions": {"rag": "RAG_2019"}})
    got = plugin.read(folder).tables
    assert len(got["iro_allocations"]) == len(truth.iro["iro_allocations"])
    assert set(got["review_records"]["rag"].dropna()) <= {"green", "amber", "red"}
    assert got["review_records"]["rag"].notna().any()
    with pytest.raises(ValueError, match="not a column kept as a form answer"):
        MosaicPlugin({"questions": {"nonsense": "X"}})


def test_other_forms_answers_and_steps_stay_in_the_database(truth, tmp_path, monkeypatch):
    """A real DM_CACHED_FORM_ANSWERS holds every form's answers (assessments, case notes) and
    DM_WORKFLOW_STEPS every workflow's steps: only the IRO's rows are fetched, read as a read
    of the whole tables reads them."""
    url = sqlite_warehouse(tmp_path / "mosaic.db", write_database, truth)
    others = [
        # As many answers again, on the same steps as the IRO's and sorting among them (the
        # IRO's row numbers shift).
        "INSERT INTO DM_CACHED_FORM_ANSWERS (FORM_ID, WORKFLOW_STEP_ID, MAPPING_ID, "
        "SUBJECT_PERSON_ID, QUESTION_USER_CODE, TEXT_ANSWER) SELECT FORM_ID, "
        "WORKFLOW_STEP_ID, 99, SUBJECT_PERSON_ID, 'assessment.family.notes', "
        "'notes on the family' FROM DM_CACHED_FORM_ANSWERS",
        # As many steps again, of another workflow, sorting before the IRO's.
        "INSERT INTO DM_WORKFLOW_STEPS (WORKFLOW_STEP_ID, WORKFLOW_STEP_TYPE_ID, SUBGROUP_ID, "
        "STEP_STATUS) SELECT -WORKFLOW_STEP_ID, 4321, SUBGROUP_ID, 'ASSESSMENT DONE' "
        "FROM DM_WORKFLOW_STEPS"]
    assert_kept_rows_read_as_whole(MosaicPlugin(), url, others, monkeypatch,
                                   {"assessment.family.notes", "notes on the family",
                                    "ASSESSMENT DONE"})
