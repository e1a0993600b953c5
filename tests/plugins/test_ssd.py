"""The Standard Safeguarding Dataset plugin: the SSD's published layout, its joins, and the
marts it gives equal to those of the same children's SSDA903 return."""

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import AS_OF, PG_URL, load_marts, postgres_schema, sqlite_warehouse
from equivalence import assert_same_as_truth, normalised, published_columns
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_plugin_ssd.plugin import SsdPlugin
from iro_plugin_ssd.tables import NOT_IN_SSD, TABLES
from iro_testdata.writers import write_export
from iro_testdata.writers.ssd import SSD_DDL, ssd_frames, write_database, write_extracts

#: The SSD's DDL v1.4 for the tables the plugin reads, as data-to-insight/ssd-data-model
#: publishes it (analysis/ddl_reference, SystemC deployment).
PUBLISHED = "ssd_ddl_v1_4.csv"

#: Not in the DDL: the SystemC extract SQL adds it to ssd_cla_reviews; read when present.
EXTRACT_ONLY = {("ssd_cla_reviews", "clar_cla_person_id")}
#: Episode columns the SSD does not hold (the child's home postcode; the DfE's derived
#: placement LA and location).
NOT_IN_SSD_EPISODES = ["home_post", "pl_la", "pl_location"]


@pytest.fixture(scope="module")
def extracts(tmp_path_factory, clean_truth):
    folder = tmp_path_factory.mktemp("ssd")
    write_extracts(clean_truth, folder)
    return folder


def _read(location, **options):
    return read_export(Authority.ad_hoc("S", "ssd", location, options), AS_OF)


def _same_as_truth(clean, truth):
    assert_same_as_truth(clean, truth, ["children", "reviews", "iro_allocations"])
    got = normalised("episodes", clean["episodes"]).drop(columns=NOT_IN_SSD_EPISODES)
    want = normalised("episodes", truth.episodes).drop(columns=NOT_IN_SSD_EPISODES)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    staff = clean["iro_staff"].set_index("iro_id")
    truth_staff = truth.iro["iro_staff"].drop_duplicates("iro_id", keep="last").set_index("iro_id")
    assert sorted(staff.index) == sorted(truth_staff.index)
    assert staff["fte"].to_dict() == truth_staff["fte"].to_dict()


def test_the_layout_is_the_published_ddl():
    published = published_columns(PUBLISHED)
    # The synthetic SSD holds every published column of these tables, in order.
    assert {t: list(c) for t, c in SSD_DDL.items()} == published
    # Every column the plugin reads is a published one (or the extract's own addition).
    for table in TABLES:
        for column in table.columns:
            assert column in published[table.name] or (table.name, column) in EXTRACT_ONLY


def test_csv_extracts_read_back_as_the_truth(extracts, clean_truth):
    export = _read(extracts)
    validated = validate_export(export)
    assert validated.failures.empty, validated.failures.head().to_string()
    _same_as_truth(validated.clean, clean_truth)
    # People never looked after, cancelled reviews and the next one due are not read.
    frames = ssd_frames(clean_truth)
    never = len(frames["ssd_person"]) - len(clean_truth.children)
    cancelled = int((frames["ssd_cla_reviews"]["clar_cla_review_cancelled"] == "Y").sum())
    assert export.source.not_used == {
        f"ssd_person: {never} people never looked after": "children",
        f"ssd_cla_reviews: {cancelled} cancelled": "reviews",
        f"ssd_cla_reviews: {int(frames['ssd_cla_reviews']['clar_cla_review_date'].isna().sum())}"
        " not yet held": "reviews"}
    assert never > 0 and cancelled > 0


def test_database_in_a_named_schema(clean_truth, tmp_path):
    """The SSD in a schema of its own (as ssd_development is), named by the schema option."""
    with postgres_schema() as (admin, schema, _):
        write_database(clean_truth, admin, schema=schema)
        plugin = SsdPlugin({"schema": schema})
        assert plugin.recognise(PG_URL)
        assert not SsdPlugin().recognise(PG_URL)  # not in the default schema
        validated = validate_export(_read(PG_URL, schema=schema))
        assert validated.failures.empty, validated.failures.head().to_string()
        _same_as_truth(validated.clean, clean_truth)
        lineage = validated.clean["episodes"]["_source_file"].unique().tolist()
        assert lineage == [f"db:{schema}.ssd_cla_episodes"]


def test_sqlite_database(clean_truth, tmp_path):
    url = sqlite_warehouse(tmp_path / "ssd.db", write_database, clean_truth)
    validated = validate_export(_read(url))
    assert validated.failures.empty
    _same_as_truth(validated.clean, clean_truth)


def _write(folder: Path, frames: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.reindex(columns=list(SSD_DDL[name])).to_csv(folder / f"{name}.csv", index=False)
    return folder


def _hand_built(tmp_path: Path, **changes: pd.DataFrame) -> Path:
    """A two-child SSD written by hand: A looked after from 1 May 2013 with a placement
    move on 1 Sep 2013 under an interim then full care order; B never looked after."""
    frames = {
        "ssd_person": pd.DataFrame({
            "pers_person_id": ["A", "B"], "pers_sex": ["F", "M"],
            "pers_dob": ["2008-02-10", "2010-06-01"], "pers_ethnicity": ["WBRI", "MWBC"],
            "pers_forename": ["Alice", "Bob"]}),
        "ssd_cla_episodes": pd.DataFrame({
            "clae_cla_episode_id": ["1", "2"], "clae_person_id": ["A", "A"],
            "clae_cla_placement_id": ["P1", "P2"],
            "clae_cla_episode_start_date": ["2013-05-01", "2013-09-01"],
            "clae_cla_episode_start_reason": ["S", "P"],
            "clae_cla_episode_ceased_date": ["2013-09-01", None],
            "clae_cla_episode_ceased_reason": ["X1", None], "clae_cla_id": ["C1", "C1"],
            "clae_cla_primary_need_code": ["N1", "N1"]}),
        "ssd_cla_placement": pd.DataFrame({
            "clap_cla_placement_id": ["P1", "P2"], "clap_cla_placement_type": ["U4", "U1"],
            "clap_cla_placement_distance": ["3.5", "22"]}),
        # The interim order ends the day the full order starts.
        "ssd_legal_status": pd.DataFrame({
            "lega_legal_status_id": ["L1", "L2"], "lega_person_id": ["A", "A"],
            "lega_legal_status": ["C1", "C2"],
            "lega_legal_status_start_date": ["2013-05-01", "2013-08-20"],
            "lega_legal_status_end_date": ["2013-08-20", None]}),
        "ssd_cla_reviews": pd.DataFrame({
            "clar_cla_review_id": ["R1", "R2", "R3"], "clar_cla_id": ["C1", "C1", "C1"],
            "clar_cla_review_date": ["2013-05-20", "2013-08-01", None],
            "clar_cla_review_cancelled": ["N", "Y", "N"],
            "clar_cla_review_participation": ["PN1", None, None]}),
        "ssd_involvements": pd.DataFrame({
            "invo_involvements_id": ["I1", "I2"], "invo_professional_id": ["W1", "W2"],
            "invo_professional_role_id": ["IRO", "SW"], "invo_person_id": ["A", "A"],
            "invo_involvement_start_date": ["2013-05-02", "2013-05-01"]}),
        "ssd_professionals": pd.DataFrame({
            "prof_professional_id": ["W1", "W2"], "prof_professional_department": ["IRO", "CLA"],
            "prof_full_time_equivalency": ["0.8", "1"]}),
    }
    return _write(tmp_path / "ssd", {**frames, **changes})


def test_an_episode_is_assembled_from_three_tables(tmp_path):
    source = SsdPlugin().read(_hand_built(tmp_path))
    ep = source.tables["episodes"]
    assert ep[["child_id", "decom", "ls", "place", "pl_distance", "dec", "rec"]].to_dict(
        "records") == [
        # The status in force on each start: the interim order, then the full order (which
        # started before the move, mid-episode).
        {"child_id": "A", "decom": "2013-05-01", "ls": "C1", "place": "U4", "pl_distance": "3.5",
         "dec": "2013-09-01", "rec": "X1"},
        {"child_id": "A", "decom": "2013-09-01", "ls": "C2", "place": "U1", "pl_distance": "22",
         "dec": None, "rec": None}]
    # A review belongs to its period's child; the cancelled one and the one due are not held.
    assert source.tables["reviews"][["child_id", "review_date"]].values.tolist() == [
        ["A", "2013-05-20"]]
    assert source.tables["children"]["child_id"].tolist() == ["A"]
    assert source.tables["children"]["sex"].tolist() == ["2"]
    assert "Alice" not in source.tables["children"].to_string()
    assert source.tables["iro_allocations"][["child_id", "iro_id"]].values.tolist() == [["A", "W1"]]
    staff = source.tables["iro_staff"]
    assert staff[["iro_id", "fte", "from_date"]].values.tolist() == [["W1", "0.8", "2013-05-02"]]


def test_an_episode_with_no_legal_status_in_force_names_the_ssd_column(tmp_path):
    legal = pd.DataFrame({"lega_legal_status_id": ["L1"], "lega_person_id": ["A"],
                          "lega_legal_status": ["C1"],
                          "lega_legal_status_start_date": ["2013-05-01"],
                          "lega_legal_status_end_date": ["2013-08-20"]})
    validated = validate_export(_read(_hand_built(tmp_path, ssd_legal_status=legal)))
    failures = validated.failures
    blank = failures[failures["rule"] == "required"]
    assert blank[["table_name", "source_file", "row", "column_name"]].values.tolist() == [
        ["episodes", "ssd_cla_episodes.csv", 3, "ssd_legal_status.lega_legal_status"]]


def test_the_iro_role_is_an_option(tmp_path):
    involvements = pd.DataFrame({
        "invo_involvements_id": ["I1"], "invo_professional_id": ["W1"],
        "invo_professional_role_id": ["INDREVOFF"], "invo_person_id": ["A"],
        "invo_involvement_start_date": ["2013-05-02"]})
    folder = _hand_built(tmp_path, ssd_involvements=involvements)
    assert SsdPlugin().read(folder).tables["iro_allocations"].empty
    got = SsdPlugin({"iro_roles": ["INDREVOFF"]}).read(folder).tables["iro_allocations"]
    assert got["iro_id"].tolist() == ["W1"]


def test_the_load_summary_says_what_the_ssd_does_not_hold(extracts):
    summary = load_marts(_read(extracts))["load_summary"].set_index("table_name")
    for table, note in NOT_IN_SSD.items():
        assert summary.loc[table, "source_note"] == note
        assert summary.loc[table, "rows_in"] == 0
    assert summary["source_note"].drop(list(NOT_IN_SSD)).isna().all()


def test_marts_equal_those_of_the_same_childrens_903_return(extracts, clean_truth, tmp_path):
    """The statutory marts need only what both hold: the same children through the SSD and
    through their SSDA903 return give the same figures."""
    write_export("ssda903", clean_truth, tmp_path / "903")
    from_903 = load_marts(read_export(Authority.ad_hoc("S", "ssda903", tmp_path / "903"), AS_OF))
    from_ssd = load_marts(_read(extracts))
    for mart in ("lac_population", "review_timeliness_indicator", "review_timeliness",
                 "overdue_reviews"):
        left, right = (m[mart].drop(columns=["load_id"], errors="ignore") for m in
                       (from_ssd, from_903))
        key = list(left.columns)
        pd.testing.assert_frame_equal(left.sort_values(key, ignore_index=True),
                                      right.sort_values(key, ignore_index=True), obj=mart)
    assert len(from_ssd["review_timeliness"]) > 100


def test_detection_tells_the_ssd_from_the_903(extracts, clean_export):
    from iro_etl.sources.registry import detect

    assert detect(extracts).name == "ssd"
    assert detect(clean_export).name == "ssda903"
    assert not SsdPlugin().recognise(replace(Authority.ad_hoc("x", "ssd", "x")).export_path)


def test_a_blank_fte_costs_the_field_not_the_iro(tmp_path):
    """Many warehouses hold no FTE: the IRO and their children's allocations are kept, with
    one warning; only their caseload per FTE is blank."""
    professionals = pd.DataFrame({"prof_professional_id": ["W1"],
                                  "prof_professional_department": ["IRO"],
                                  "prof_full_time_equivalency": [None]})
    export = _read(_hand_built(tmp_path, ssd_professionals=professionals))
    validated = validate_export(export)
    failures = validated.failures
    assert failures[["table_name", "rule", "severity", "consequence", "column_name"]
                    ].values.tolist() == [
        ["iro_staff", "expected_blank", "warning", "keep",
         "ssd_professionals.prof_full_time_equivalency"]]
    assert validated.clean["iro_staff"]["iro_id"].tolist() == ["W1"]
    assert len(validated.clean["iro_allocations"]) == 1
    caseloads = load_marts(export)["iro_caseloads"]
    mine = caseloads[caseloads["iro_id"].notna()]
    assert mine["children"].tolist() == [1] and mine["caseload_per_fte"].isna().all()


def test_one_iro_role_written_without_a_list(tmp_path):
    folder = _hand_built(tmp_path)
    for roles in ("IRO", ["IRO"]):
        got = SsdPlugin({"iro_roles": roles}).read(folder).tables["iro_allocations"]
        assert got["iro_id"].tolist() == ["W1"], roles


def test_the_catalogue_is_asked_for_every_tables_columns_at_once(clean_truth):
    """The warehouse's catalogue is asked for the columns of all the tables read together,
    not table by table for their keys, indexes and constraints too: on a server across a
    network each question is a round trip. (The rows come through the driver's own cursor,
    so what SQLAlchemy executes here is the catalogue's questions.)"""
    with postgres_schema() as (admin, schema, _):
        write_database(clean_truth, admin, schema=schema)
        asked: list[str] = []

        def count(conn, cursor, statement, *args):
            asked.append(statement)

        sa.event.listen(sa.Engine, "before_cursor_execute", count)
        try:
            export = _read(PG_URL, schema=schema)
        finally:
            sa.event.remove(sa.Engine, "before_cursor_execute", count)
        assert len(TABLES) == 7 and not export.source.failures
        assert len(asked) <= 5, asked


def test_a_warehouse_without_one_of_its_tables_names_it_and_reads_the_rest(clean_truth, tmp_path):
    """A warehouse whose reviews table is gone (dropped, or not granted): the read names
    that table and reads the others; the missing table is what holds the load back."""
    url = sqlite_warehouse(tmp_path / "ssd.db", write_database, clean_truth)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE ssd_cla_reviews")
    engine.dispose()
    export = _read(url)
    failures = {(f.table_name, f.source_file, f.rule, f.value) for f in export.source.failures}
    assert failures == {("reviews", "db:ssd_cla_reviews", "unreadable_file",
                         "no table 'ssd_cla_reviews'"),
                        ("reviews", None, "missing_table", None)}
    clean = validate_export(export).clean
    assert len(clean["reviews"]) == 0
    assert len(clean["children"]) == len(clean_truth.children) > 0
