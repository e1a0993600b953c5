"""The Eclipse plugin: the warehouse views the public extract SQL reads, read back from CSV
extracts, SQLite and PostgreSQL equal to the ground truth, and the local differences."""

from pathlib import Path

import pandas as pd
import pytest
from conftest import AS_OF, PG_URL, load_marts, postgres_schema, sqlite_warehouse
from equivalence import (
    assert_kept_rows_read_as_whole,
    assert_same_as_truth,
    normalised,
    published_columns,
)
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_etl.sources.registry import available, detect
from iro_plugin_eclipse.plugin import NO_NOTIFICATION_FORM, NOT_HELD, EclipsePlugin
from iro_plugin_eclipse.tables import TABLES
from iro_testdata.synthetic import generate
from iro_testdata.writers.eclipse import (
    ECLIPSE_DDL,
    OPTIONS,
    TEAM_IDS,
    eclipse_frames,
    write_database,
    write_extracts,
)

#: The views and columns the public SSD extract SQL for Eclipse reads
#: (data-to-insight/ssd-data-model, deployment_extracts/eclipse/live), as it names them.
PUBLISHED = "eclipse_views.csv"

#: Canonical tables read back exactly as the truth holds them.
EXACT = ["children", "reviews", "iro_allocations", "review_records", "review_participants",
         "notifications"]
#: Episode columns the views read do not hold (the extract SQL derives distance and URN
#: from address views; the DfE derives the placement's LA and location).
NOT_READ_EPISODES = ["home_post", "urn", "pl_distance", "pl_la", "pl_location"]


@pytest.fixture(scope="module")
def truth():
    return generate(120, as_of=AS_OF, seed=12)


@pytest.fixture(scope="module")
def extracts(tmp_path_factory, truth):
    folder = tmp_path_factory.mktemp("eclipse")
    write_extracts(truth, folder)
    return folder


def _read(location, **options):
    return read_export(Authority.ad_hoc("E", "eclipse", location, {**OPTIONS, **options}), AS_OF)


def _same_as_truth(validated, truth):
    """Every table Eclipse holds equals the truth; the only failures are the blank FTEs."""
    failures = validated.failures
    kinds = failures[["rule", "severity", "column_name"]].drop_duplicates().values.tolist()
    assert kinds == [["expected_blank", "warning", "fte (not held in Eclipse)"]], kinds
    clean = validated.clean
    assert_same_as_truth(clean, truth, EXACT)
    got = normalised("episodes", clean["episodes"]).drop(columns=NOT_READ_EPISODES)
    want = normalised("episodes", truth.episodes).drop(columns=NOT_READ_EPISODES)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    staff = normalised("iro_staff", clean["iro_staff"]).drop(columns=["fte", "iro_share"])
    expected = truth.iro["iro_staff"].assign(team=lambda f: f["team"].map(TEAM_IDS))
    expected = normalised("iro_staff", expected).drop(columns=["fte", "iro_share"])
    pd.testing.assert_frame_equal(staff, expected, check_dtype=False)
    assert clean["iro_staff"]["fte"].isna().all() and len(clean["iro_staff"]) == len(expected)


def test_the_layout_is_the_public_sqls():
    published = published_columns(PUBLISHED)
    # The synthetic warehouse holds every column the SQL reads from these views, in order.
    assert {t: list(c) for t, c in ECLIPSE_DDL.items()} == published
    # Every view and column the plugin reads is one the SQL reads (PostgreSQL folds case).
    lowered = {t.lower(): {c.lower() for c in cols} for t, cols in published.items()}
    for table in TABLES:
        assert set(table.columns) <= lowered[table.name], table.name


def test_csv_extracts_read_back_as_the_truth(extracts, truth):
    export = _read(extracts)
    _same_as_truth(validate_export(export), truth)
    frames = eclipse_frames(truth)
    never = len(frames["PERSONDEMOGRAPHICSVIEW"]) - len(truth.children) - 3
    answers = frames["FORMANSWERPERSONVIEW"]
    drafts = answers.loc[answers["INSTANCESTATE"] == "DRAFT", "INSTANCEID"].nunique()
    assert export.source.not_used == {
        "personview: 3 people marked as duplicates": "children",
        f"persondemographicsview: {never} people never looked after": "children",
        f"formanswerpersonview: {drafts} IRO forms not completed": "reviews"}
    assert never > 0 and drafts > 0
    assert export.source.not_held == NOT_HELD


def test_sqlite_database(truth, tmp_path):
    url = sqlite_warehouse(tmp_path / "eclipse.db", write_database, truth)
    assert detect(url).name == "eclipse"
    _same_as_truth(validate_export(_read(url)), truth)


def test_postgresql_database_in_a_named_schema(truth):
    with postgres_schema() as (admin, schema, _):
        write_database(truth, admin, schema=schema)
        assert EclipsePlugin({"schema": schema}).recognise(PG_URL)
        assert not EclipsePlugin().recognise(PG_URL)  # not in the default schema
        validated = validate_export(_read(PG_URL, schema=schema))
        _same_as_truth(validated, truth)
        lineage = validated.clean["episodes"]["_source_file"].unique().tolist()
        assert lineage == [f"db:{schema}.claepisodeofcareview"]


def test_detection_claims_the_folder_for_eclipse_alone(extracts):
    assert detect(extracts).name == "eclipse"
    others = [name for name, cls in available().items()
              if name != "eclipse" and cls().recognise(extracts)]
    assert others == []


@pytest.fixture(scope="module")
def small():
    return generate(6, as_of=AS_OF, seed=3)


def _hand_built(tmp_path: Path, small, **changes) -> Path:
    """A small warehouse as CSV extracts, some views changed (None: the view left out)."""
    folder = tmp_path / "eclipse"
    folder.mkdir()
    frames = {**eclipse_frames(small), **changes}
    for name, frame in frames.items():
        if frame is not None:
            frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def test_a_renamed_view_is_read_by_the_tables_option(tmp_path, small):
    frames = eclipse_frames(small)
    folder = _hand_built(tmp_path, small, CLAEPISODEOFCAREVIEW=None)
    frames["CLAEPISODEOFCAREVIEW"].to_csv(folder / "V_CLA_EPISODES.csv", index=False)
    assert not EclipsePlugin().recognise(folder)
    plugin = EclipsePlugin({"tables": {"claepisodeofcareview": "V_CLA_EPISODES"}})
    assert plugin.recognise(folder)
    assert len(plugin.read(folder).tables["episodes"]) == len(small.episodes)


def test_a_view_the_deployment_lacks_leaves_its_columns_blank(tmp_path, small):
    folder = _hand_built(tmp_path, small, REFERENCENUMBERPERSONVIEW=None)
    # Named as missing, it is no failure: the UPNs are blank and every child is kept.
    validated = validate_export(_read(folder, tables={"referencenumberpersonview": None}))
    assert set(validated.failures["rule"]) == {"expected_blank"}
    assert validated.clean["children"]["upn"].isna().all()
    assert len(validated.clean["children"]) == len(small.children)
    # Not named, the missing extract is reported by its file name.
    failures = validate_export(_read(folder)).failures
    missing = failures[failures["rule"] == "unreadable_file"]
    assert missing["source_file"].tolist() == ["referencenumberpersonview.csv"]


def test_a_bad_date_names_the_view_row_and_column(tmp_path, small):
    episodes = eclipse_frames(small)["CLAEPISODEOFCAREVIEW"].copy()
    episodes.loc[1, "EOCSTARTDATE"] = "31/02/2013"
    validated = validate_export(_read(_hand_built(tmp_path, small,
                                                  CLAEPISODEOFCAREVIEW=episodes)))
    bad = validated.failures[validated.failures["severity"] == "error"]
    assert bad[["table_name", "source_file", "row", "column_name", "value"]].values.tolist() == [
        ["episodes", "CLAEPISODEOFCAREVIEW.csv", 3, "claepisodeofcareview.eocstartdate",
         "31/02/2013"]]


def test_eclipse_words_become_903_codes_and_unknown_ones_are_reported(tmp_path, small):
    episodes = eclipse_frames(small)["CLAEPISODEOFCAREVIEW"].copy()
    episodes["PLACEMENTTYPECODE"] = "LT"
    episodes["CATEGORYOFNEED"] = "Family dysfunction"
    episodes.loc[0, "PLACEMENTTYPECODE"] = "PT_F3"  # the extract SQL can only flag it
    export = _read(_hand_built(tmp_path, small, CLAEPISODEOFCAREVIEW=episodes))
    validated, source = validate_export(export), export.source
    places = source.tables["episodes"]["place"]
    assert places.iloc[0] == "PT_F3" and set(places.iloc[1:]) == {"U4"}
    assert set(source.tables["episodes"]["cin"]) == {"N5"}
    bad = validated.failures[validated.failures["column_name"] == "claepisodeofcareview."
                             "placementtypecode"]
    assert bad[["row", "value"]].values.tolist() == [[2, "PT_F3"]]


def test_local_options_name_the_iro_relationship_and_form_controls(tmp_path, small):
    frames = eclipse_frames(small)
    relationships = frames["RELATIONSHIPPROFESSIONALVIEW"].replace({"IRO": "INDREVIEWER"})
    answers = frames["FORMANSWERPERSONVIEW"].replace({"ragRating": "caseRating"})
    folder = _hand_built(tmp_path, small, RELATIONSHIPPROFESSIONALVIEW=relationships,
                         FORMANSWERPERSONVIEW=answers)
    plain = EclipsePlugin(OPTIONS).read(folder).tables
    assert plain["iro_allocations"].empty and plain["review_records"]["rag"].isna().all()
    local = EclipsePlugin({**OPTIONS, "iro_relationships": "INDREVIEWER",
                           "controls": {"review_records": {"rag": "caseRating"}}}).read(folder)
    assert len(local.tables["iro_allocations"]) == len(small.iro["iro_allocations"])
    assert local.tables["review_records"]["rag"].notna().any()
    with pytest.raises(ValueError, match="no such columns"):
        EclipsePlugin({"controls": {"review_records": {"colour": "x"}}})


def test_without_a_notification_form_notifications_are_not_held(extracts):
    source = read_export(Authority.ad_hoc("E", "eclipse", extracts), AS_OF).source
    assert source.not_held == {**NOT_HELD, "notifications": NO_NOTIFICATION_FORM}
    assert "notifications" not in source.tables


def test_a_blank_fte_keeps_the_iro_and_their_caseload(extracts, truth):
    caseloads = load_marts(_read(extracts))["iro_caseloads"]
    mine = caseloads[caseloads["iro_id"].notna()]
    assert set(mine["iro_id"]) == set(truth.iro["iro_staff"]["iro_id"])
    assert mine["children"].sum() > 0 and mine["caseload_per_fte"].isna().all()


def test_other_forms_answers_stay_in_the_database(truth, tmp_path, monkeypatch):
    """formanswerpersonview holds every form (assessments, referrals): only the configured
    designs' rows are fetched, read as a read of the whole view reads them."""
    url = sqlite_warehouse(tmp_path / "eclipse.db", write_database, truth)
    # As many again, each instance sorting right after an IRO form's (row numbers shift).
    others = ("INSERT INTO formanswerpersonview (instanceid, designguid, instancestate, "
              "answerforsubjectid, controlname, answervalue) SELECT instanceid || 'A', "
              "'a55e55ed-0000-4000-8000-00000000000a', instancestate, answerforsubjectid, "
              "'familyHistory', 'notes on the family' FROM formanswerpersonview")
    assert_kept_rows_read_as_whole(EclipsePlugin(), url, [others], monkeypatch,
                                   {"familyHistory", "notes on the family", "Police"})
