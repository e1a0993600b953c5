"""The Liquidlogic LCS plugin: HDM.Child_Social as SystemC's own extract SQL reads it, from
CSV extracts (as SSMS saves them), SQLite and a PostgreSQL schema."""

import csv
import dataclasses
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import AS_OF, PG_URL, postgres_schema, sqlite_warehouse
from equivalence import assert_same_as_truth, normalised, published_columns
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_etl.quality.failures import FILE_LEVEL
from iro_etl.sources import registry
from iro_etl.sources.registry import get_plugin
from iro_plugin_liquidlogic.plugin import LiquidlogicPlugin
from iro_plugin_liquidlogic.tables import WAREHOUSE
from iro_schemas.canonical import CANONICAL_MODELS
from iro_testdata.writers import write_export
from iro_testdata.writers.liquidlogic import HDM_DDL, hdm_frames, write_database

#: The HDM.Child_Social columns SystemC's SSD extract reads (data-to-insight/ssd-data-model,
#: deployment_extracts/systemc/live/ssd_deployment_proc_files/procs), with the procs reading each.
PUBLISHED = "lcs_hdm_columns.csv"

ALL = list(CANONICAL_MODELS)
#: Episode columns the warehouse does not hold (the child's home postcode; the DfE's derived
#: placement LA and location).
NOT_IN_HDM = ["home_post", "pl_la", "pl_location"]
PLUGIN = get_plugin("liquidlogic")


@pytest.fixture(scope="module")
def extracts(tmp_path_factory, clean_truth):
    folder = tmp_path_factory.mktemp("lcs")
    write_export("liquidlogic", clean_truth, folder)
    return folder


def _copy(extracts, tmp_path, name="lcs"):
    return shutil.copytree(extracts, tmp_path / name)


def _validated(location, options=None):
    return validate_export(read_export(Authority.ad_hoc("T", "liquidlogic", location, options),
                                       AS_OF))


def _failures(validated):
    """The failures as comparable tuples: (table, file, row, column, rule)."""
    f = validated.failures
    return [(r.table_name, r.source_file, None if pd.isna(r.row) else int(r.row),
             None if pd.isna(r.column_name) else r.column_name, r.rule) for r in f.itertuples()]


def _edit_csv(path, change, encoding="utf-8"):
    """Rewrite one extract through a frame of text (header and cells kept as written)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = change(frame)
    path.write_text(frame.to_csv(index=False), encoding=encoding, newline="")


def _truth_with(truth, **tables):
    """The truth with some canonical tables replaced (what an edited export should read as)."""
    core = {k: tables.pop(k) for k in ("children", "episodes", "reviews") if k in tables}
    return dataclasses.replace(truth, iro={**truth.iro, **tables}, **core)


def _same_as_truth(clean, truth, leave_out=()):
    """Every canonical table equals the truth's (episodes but for what HDM does not hold;
    the IRO posts by id and FTE: HDM has no dates or shares for a post)."""
    tables = [t for t in ALL if t not in ("episodes", "iro_staff", *leave_out)]
    assert_same_as_truth(clean, truth, tables)
    got = normalised("episodes", clean["episodes"]).drop(columns=NOT_IN_HDM)
    want = normalised("episodes", truth.episodes).drop(columns=NOT_IN_HDM)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    staff = clean["iro_staff"].set_index("iro_id")
    truth_staff = truth.iro["iro_staff"].drop_duplicates("iro_id", keep="last").set_index("iro_id")
    assert sorted(staff.index) == sorted(truth_staff.index)
    assert staff["fte"].astype(float).to_dict() == truth_staff["fte"].to_dict()


# --- the published layout ------------------------------------------------------------------

def test_the_layout_is_the_one_systemc_extract_sql_reads():
    published = {t: set(c) for t, c in published_columns(PUBLISHED).items()}
    # The synthetic warehouse holds every column SystemC's SQL reads from these tables.
    assert {t: set(c) for t, c in HDM_DDL.items()} == published
    # Every column the plugin reads is one of them.
    for table in WAREHOUSE:
        assert set(table.columns) <= published[table.name], table.name


# --- equivalence ---------------------------------------------------------------------------

def test_csv_extracts_read_back_as_the_truth(extracts, clean_truth):
    export = read_export(Authority.ad_hoc("T", "liquidlogic", extracts), AS_OF)
    validated = validate_export(export)
    assert validated.failures.empty, validated.failures.head().to_string()
    _same_as_truth(validated.clean, clean_truth)
    frames = hdm_frames(clean_truth)
    person = frames["DIM_PERSON"]
    merged = int(person["DUPLICATED_DTTM"].notna().sum())
    never = len(person) - 1 - merged - len(clean_truth.children)  # -1: the unknown member
    meetings = frames["FACT_MEETINGS"]
    cancelled = int((meetings["CANCELLED"] == "Y").sum())
    due = int(frames["FACT_CLA_REVIEW"]["MEETING_DTTM"].isna().sum())
    assert export.source.not_used == {
        f"DIM_PERSON: {never} people never looked after": "children",
        f"DIM_PERSON: {merged} records merged into another": "children",
        f"FACT_CLA_REVIEW: {cancelled} cancelled": "reviews",
        f"FACT_CLA_REVIEW: {due} not yet held": "reviews"}
    assert min(never, merged, cancelled, due) > 0
    assert export.source.not_held == {}


def test_sqlite_database_reads_back_as_the_truth(tmp_path, clean_truth):
    url = f"sqlite:///{tmp_path / 'hdm.db'}"
    engine = sa.create_engine(url)
    write_database(clean_truth, engine)
    with engine.connect() as conn:
        columns = {c["name"]: c["type"] for c in sa.inspect(conn).get_columns("FACT_CARE_EPISODES")}
    engine.dispose()
    # Dates and keys are typed in the warehouse, not text.
    assert isinstance(columns["CARE_START_DATE"], sa.DateTime)
    assert isinstance(columns["FACT_CARE_EPISODES_ID"], sa.Integer)
    assert PLUGIN.recognise(url)
    validated = _validated(url)
    assert validated.failures.empty, validated.failures.head().to_string()
    _same_as_truth(validated.clean, clean_truth)
    episodes = validated.clean["episodes"]
    assert set(episodes["_source_file"]) == {"db:FACT_CARE_EPISODES"}
    # Rows are numbered in key order, as if the first row were a header.
    assert sorted(episodes["_row"]) == list(range(2, len(episodes) + 2))


def test_postgresql_schema_reads_back_as_the_truth(clean_truth):
    """The warehouse in a schema of its own (as Child_Social is in HDM), named by an option."""
    with postgres_schema() as (admin, schema, _):
        write_database(clean_truth, admin, schema=schema)
        plugin = LiquidlogicPlugin({"schema": schema})
        assert plugin.recognise(PG_URL)
        assert not PLUGIN.recognise(PG_URL)  # not in the default schema
        validated = _validated(PG_URL, {"schema": schema})
        assert validated.failures.empty, validated.failures.head().to_string()
        _same_as_truth(validated.clean, clean_truth)
        lineage = validated.clean["reviews"]["_source_file"].unique().tolist()
        assert lineage == [f"db:{schema}.FACT_CLA_REVIEW"]


def test_a_missing_warehouse_table_is_reported_and_the_rest_loads(tmp_path, clean_truth):
    url = f"sqlite:///{tmp_path / 'hdm.db'}"
    engine = sa.create_engine(url)
    write_database(clean_truth, engine)
    with engine.begin() as conn:
        conn.execute(sa.text('DROP TABLE "DIM_WORKER"'))
    engine.dispose()
    validated = _validated(url)
    failures = _failures(validated)
    unreadable = [f for f in failures if f[-1] == "unreadable_file"]
    assert unreadable == [("iro_staff", "db:DIM_WORKER", None, None, "unreadable_file")]
    # Each allocation then names an IRO with no post: reported, as it would be anyway.
    others = [f for f in failures if f not in unreadable]
    assert {f[-1] for f in others} == {"unknown_iro"}
    assert len(others) == len(clean_truth.iro["iro_allocations"])
    assert len(validated.clean["iro_staff"]) == 0
    assert_same_as_truth(validated.clean, clean_truth, ["children", "reviews", "notifications"])


def test_the_iro_services_own_tables_are_optional(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)
    for name in ("iro_notification", "dispute"):
        (folder / f"{name}.csv").unlink()
    export = read_export(Authority.ad_hoc("T", "liquidlogic", folder), AS_OF)
    validated = validate_export(export)
    assert validated.failures.empty
    assert set(export.source.not_held) == {"notifications", "disputes"}
    assert "iro_notification" in export.source.not_held["notifications"]
    assert len(validated.clean["notifications"]) == len(validated.clean["disputes"]) == 0
    _same_as_truth(validated.clean, clean_truth, ["notifications", "disputes"])


def test_unreachable_database_is_one_failure_without_the_password():
    source = PLUGIN.read("postgresql+psycopg://iro:secret@127.0.0.1:1/HDM")
    assert [(f.table_name, f.rule) for f in source.failures] == [(FILE_LEVEL, "unreadable_file")]
    assert "secret" not in source.failures[0].source_file
    assert all(len(frame) == 0 for frame in source.tables.values())


# --- what HDM keeps differently, by hand ----------------------------------------------------

def _write(folder: Path, frames: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.reindex(columns=list(HDM_DDL[name])).to_csv(folder / f"{name}.csv", index=False)
    return folder


def _hand_built(tmp_path: Path, **changes: pd.DataFrame) -> Path:
    """Child 11 looked after from 1 May 2013 (interim, then full care order), moved on
    1 Sep 2013; reviewed on 20 May (meeting 501, two subject rows), a review on 1 Aug
    whose meeting was cancelled, and the next one due; person 12 merged into 11."""
    frames = {
        "DIM_PERSON": pd.DataFrame({
            "DIM_PERSON_ID": ["-1", "11", "12"], "GENDER_MAIN_CODE": [None, "F", "F"],
            "BIRTH_DTTM": [None, "2008-02-10 00:00:00.000", "2008-02-10 00:00:00.000"],
            "ETHNICITY_MAIN_CODE": [None, "E07", "E07"], "FORENAME": ["Unknown", "Alice", "Alice"],
            "DUPLICATED_DTTM": [None, None, "2014-01-02 00:00:00.000"]}),
        "DIM_LOOKUP_DFE_ETHNIC": pd.DataFrame({"MAIN_CODE": ["E07"], "NAT_ID": ["MWBC"]}),
        "FACT_CARE_EPISODES": pd.DataFrame({
            "FACT_CARE_EPISODES_ID": ["1", "2"], "DIM_PERSON_ID": ["11", "11"],
            "FACT_CLA_ID": ["7", "7"], "FACT_CLA_PLACEMENT_ID": ["31", "32"],
            "CARE_START_DATE": ["2013-05-01", "2013-09-01"],
            "CARE_REASON_DESC": ["S - Started to be looked after", "P - Change of placement"],
            "CIN_903_CODE": ["N1", "N1"], "CARE_END_DATE": ["2013-09-01", "2014-02-01"],
            "CARE_REASON_END_CODE": ["X1", "45"], "OFSTED_URN": ["SC123456", None]}),
        "FACT_CLA_PLACEMENT": pd.DataFrame({
            "FACT_CLA_PLACEMENT_ID": ["31", "32"], "DIM_LOOKUP_PLACEMENT_TYPE_CODE": ["U4", "U1"],
            "DISTANCE_FROM_HOME": ["3.5", "22"]}),
        "FACT_LEGAL_STATUS": pd.DataFrame({
            "FACT_LEGAL_STATUS_ID": ["1", "2"], "DIM_PERSON_ID": ["11", "11"],
            "DIM_LOOKUP_LGL_STATUS_DESC": ["C1 - Interim care order", "C2 - Full care order"],
            "START_DTTM": ["2013-05-01", "2013-08-20"], "END_DTTM": ["2013-08-20", None]}),
        "FACT_CLA_REVIEW": pd.DataFrame({
            "FACT_CLA_REVIEW_ID": ["1", "2", "3"], "FACT_CLA_ID": ["7", "7", "7"],
            "DIM_PERSON_ID": ["11", "11", "11"], "FACT_MEETING_ID": ["501", "502", None],
            "DUE_DTTM": ["2013-05-29", "2013-08-20", "2014-02-20"],
            "MEETING_DTTM": ["2013-05-20", "2013-08-01", None]}),
        "FACT_MEETINGS": pd.DataFrame({"FACT_MEETING_ID": ["501", "502"],
                                       "CANCELLED": ["N", "Y"]}),
        "FACT_MEETING_SUBJECTS": pd.DataFrame({
            "FACT_MEETINGS_ID": ["501", "501", "502"], "DIM_PERSON_ID": ["11", "11", "11"],
            "DIM_LOOKUP_PARTICIPATION_CODE_DESC": [None, "PN1 - Attended and spoke", None]}),
        "FACT_INVOLVEMENTS": pd.DataFrame({
            "FACT_INVOLVEMENTS_ID": ["1", "2"], "DIM_WORKER_ID": ["401", "402"],
            "DIM_LOOKUP_INVOLVEMENT_TYPE_CODE": ["IRO", "CW"], "DIM_PERSON_ID": ["11", "11"],
            "START_DTTM": ["2013-05-02", "2013-05-01"]}),
        "DIM_WORKER": pd.DataFrame({
            "DIM_WORKER_ID": ["-1", "401", "402"], "DEPARTMENT_NAME": [None, "IRO", "CLA"],
            "FULL_TIME_EQUIVALENCY": [None, "0.8", "1"]}),
    }
    return _write(tmp_path / "hdm", {**frames, **changes})


def test_hdm_is_assembled_as_the_ssd_is(tmp_path):
    source = PLUGIN.read(_hand_built(tmp_path))
    ep = source.tables["episodes"]
    assert ep[["child_id", "decom", "rne", "ls", "place", "urn", "dec", "rec"]].to_dict(
        "records") == [
        # Codes out of their descriptions; the status in force on each start; the URN the
        # episode's own; 45 is E45.
        {"child_id": "11", "decom": "2013-05-01", "rne": "S", "ls": "C1", "place": "U4",
         "urn": "SC123456", "dec": "2013-09-01", "rec": "X1"},
        {"child_id": "11", "decom": "2013-09-01", "rne": "P", "ls": "C2", "place": "U1",
         "urn": None, "dec": "2014-02-01", "rec": "E45"}]
    # The cancelled meeting and the review due are not held; participation from the
    # child's subject row that has one.
    assert source.tables["reviews"][["child_id", "review_date", "review_code"]].values.tolist() \
        == [["11", "2013-05-20", "PN1"]]
    # The unknown member and the merged record are no children; ethnicity is the DfE's.
    kids = source.tables["children"]
    assert kids[["child_id", "sex", "ethnic"]].values.tolist() == [["11", "2", "MWBC"]]
    assert "Alice" not in kids.to_string()
    assert source.tables["iro_allocations"][["child_id", "iro_id"]].values.tolist() == [
        ["11", "401"]]
    assert source.tables["iro_staff"][["iro_id", "fte", "from_date"]].values.tolist() == [
        ["401", "0.8", "2013-05-02"]]
    assert source.not_used == {"DIM_PERSON: 1 records merged into another": "children",
                               "FACT_CLA_REVIEW: 1 cancelled": "reviews",
                               "FACT_CLA_REVIEW: 1 not yet held": "reviews"}
    assert set(source.not_held) == {"notifications", "review_records", "review_participants",
                                    "disputes"}


def test_a_child_with_several_participation_rows_at_a_meeting_takes_the_greatest_code(tmp_path):
    """The SystemC extract collapses a child's subject rows at one meeting with MAX: three
    rows (PN4, PN1, PN6, not in order) give PN6, as SQL's MAX over the codes would."""
    subjects = pd.DataFrame({
        "FACT_MEETINGS_ID": ["501", "501", "501", "501"], "DIM_PERSON_ID": ["11"] * 4,
        "DIM_LOOKUP_PARTICIPATION_CODE_DESC": ["PN4 - Physical", "PN1 - Attended and spoke",
                                               None, "PN6 - Views by advocate"]})
    source = PLUGIN.read(_hand_built(tmp_path, FACT_MEETING_SUBJECTS=subjects))
    assert source.tables["reviews"][["child_id", "review_date", "review_code"]].values.tolist() \
        == [["11", "2013-05-20", "PN6"]]


def test_a_description_with_no_code_is_reported_or_mapped_by_the_codes_option(tmp_path):
    legal = pd.DataFrame({
        "FACT_LEGAL_STATUS_ID": ["1"], "DIM_PERSON_ID": ["11"],
        "DIM_LOOKUP_LGL_STATUS_DESC": ["Section 20"], "START_DTTM": ["2013-05-01"]})
    folder = _hand_built(tmp_path, FACT_LEGAL_STATUS=legal)
    failures = _validated(folder).failures
    bad = failures[failures["rule"] == "code_list"]
    assert bad[["source_file", "row", "column_name", "value"]].values.tolist() == [
        ["FACT_CARE_EPISODES.csv", 2, "FACT_LEGAL_STATUS.DIM_LOOKUP_LGL_STATUS_DESC",
         "Section 20"],
        ["FACT_CARE_EPISODES.csv", 3, "FACT_LEGAL_STATUS.DIM_LOOKUP_LGL_STATUS_DESC",
         "Section 20"]]
    mapped = _validated(folder, {"codes": {"episodes": {"ls": {"Section 20": "V2"}}}})
    assert mapped.failures.empty
    assert mapped.clean["episodes"]["ls"].tolist() == ["V2", "V2"]


def test_an_iro_involvement_with_no_worker_is_reported_at_its_row(tmp_path):
    involvements = pd.DataFrame({
        "FACT_INVOLVEMENTS_ID": ["1"], "DIM_WORKER_ID": ["-1"],
        "DIM_LOOKUP_INVOLVEMENT_TYPE_CODE": ["IRO"], "DIM_PERSON_ID": ["11"],
        "START_DTTM": ["2013-05-02"]})
    failures = _validated(_hand_built(tmp_path, FACT_INVOLVEMENTS=involvements)).failures
    assert failures[["table_name", "source_file", "row", "column_name", "rule"]].values.tolist() \
        == [["iro_allocations", "FACT_INVOLVEMENTS.csv", 2, "FACT_INVOLVEMENTS.DIM_WORKER_ID",
             "required"]]


def test_a_blank_fte_is_a_warning_and_the_iro_is_kept(tmp_path):
    workers = pd.DataFrame({"DIM_WORKER_ID": ["401"], "DEPARTMENT_NAME": ["IRO"],
                            "FULL_TIME_EQUIVALENCY": [None]})
    validated = _validated(_hand_built(tmp_path, DIM_WORKER=workers))
    assert validated.failures[["rule", "severity"]].values.tolist() == [
        ["expected_blank", "warning"]]
    assert validated.clean["iro_staff"]["iro_id"].tolist() == ["401"]


def test_the_iro_involvement_type_is_an_option(tmp_path):
    involvements = pd.DataFrame({
        "FACT_INVOLVEMENTS_ID": ["1"], "DIM_WORKER_ID": ["401"],
        "DIM_LOOKUP_INVOLVEMENT_TYPE_CODE": ["INDREV"], "DIM_PERSON_ID": ["11"],
        "START_DTTM": ["2013-05-02"]})
    folder = _hand_built(tmp_path, FACT_INVOLVEMENTS=involvements)
    assert PLUGIN.read(folder).tables["iro_allocations"].empty
    got = LiquidlogicPlugin({"iro_involvement_types": "INDREV"}).read(folder)
    assert got.tables["iro_allocations"]["iro_id"].tolist() == ["401"]


# --- options ---------------------------------------------------------------------------------

def test_tables_option_reads_differently_named_tables(tmp_path, clean_truth):
    options = {"tables": {"FACT_CLA_REVIEW": "FACT_CLA_REVIEWS", "dispute": "iro_disputes"}}
    write_export("liquidlogic", clean_truth, tmp_path / "csv", options)
    assert (tmp_path / "csv" / "FACT_CLA_REVIEWS.csv").exists()
    validated = _validated(tmp_path / "csv", options)
    assert validated.failures.empty
    _same_as_truth(validated.clean, clean_truth)
    assert set(validated.clean["reviews"]["_source_file"]) == {"FACT_CLA_REVIEWS.csv"}

    url = sqlite_warehouse(tmp_path / "hdm.db", write_database, clean_truth,
                           names=options["tables"])
    validated = _validated(url, options)
    assert validated.failures.empty
    assert set(validated.clean["disputes"]["_source_file"]) == {"db:iro_disputes"}


def test_unknown_table_in_the_option_is_a_configuration_error():
    with pytest.raises(ValueError, match="cla_episode"):
        LiquidlogicPlugin({"tables": {"cla_episode": "x"}})


def test_renamed_headers_are_read_through_the_columns_option(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)
    _edit_csv(folder / "FACT_CARE_EPISODES.csv", lambda f: f[list(reversed(f.columns))].rename(
        columns={"CARE_START_DATE": "Care Start"}))
    failures = PLUGIN.read(folder).failures
    assert [(f.table_name, f.source_file, f.column_name, f.rule) for f in failures] == [
        ("episodes", "FACT_CARE_EPISODES.csv", "CARE_START_DATE", "missing_column")]
    validated = _validated(folder, {"columns": {"episodes": {"decom": ["Care Start"]}}})
    assert validated.failures.empty
    _same_as_truth(validated.clean, clean_truth)


# --- discovery -------------------------------------------------------------------------------

def test_recognises_only_its_own_warehouse(extracts, clean_export, tmp_path):
    assert isinstance(PLUGIN, LiquidlogicPlugin)
    assert PLUGIN.recognise(extracts)
    assert not PLUGIN.recognise(clean_export)
    assert not get_plugin("ssda903").recognise(extracts)
    assert not get_plugin("ssd").recognise(extracts)
    assert not PLUGIN.recognise(f"sqlite:///{tmp_path / 'nothing.db'}")


def test_detect_finds_liquidlogic_among_every_plugin(extracts):
    assert isinstance(registry.detect(extracts), LiquidlogicPlugin)


# --- messy extracts --------------------------------------------------------------------------

def test_an_impossible_date_names_its_table_row_and_column(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)

    def impossible(frame):
        frame.loc[2, "CARE_START_DATE"] = "31/02/2013"  # the record at Excel row 4
        return frame

    _edit_csv(folder / "FACT_CARE_EPISODES.csv", impossible)
    failures = _validated(folder).failures
    first = failures.iloc[0]
    assert (first["table_name"], first["source_file"], first["row"], first["column_name"],
            first["rule"], first["value"]) == ("episodes", "FACT_CARE_EPISODES.csv", 4,
                                               "FACT_CARE_EPISODES.CARE_START_DATE",
                                               "date_format", "31/02/2013")


def test_title_rows_above_the_header(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        path.write_text(f"HDM extract: {path.stem}\nRun on 01/04/2014,,\n\n{text}",
                        encoding="utf-8", newline="")
    validated = _validated(folder)
    assert validated.failures.empty
    _same_as_truth(validated.clean, clean_truth)
    # The header is now row 4, so the first record is Excel row 5.
    assert validated.clean["episodes"]["_row"].min() == 5


def test_windows_1252_text_is_read_and_reported(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)
    team = "Équipe Sud – Est"
    _edit_csv(folder / "DIM_WORKER.csv",
              lambda f: f.replace({"DEPARTMENT_NAME": {"South": team}}), encoding="cp1252")
    validated = _validated(folder)
    assert _failures(validated) == [("iro_staff", "DIM_WORKER.csv", None, None, "not_utf8")]
    assert team in set(validated.clean["iro_staff"]["team"])


def test_blank_rows_and_a_truncated_row_are_reported_at_their_rows(extracts, tmp_path):
    folder = _copy(extracts, tmp_path)
    path = folder / "FACT_CLA_REVIEW.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "")     # becomes Excel row 4
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    notes = folder / "iro_notification.csv"
    rows = list(csv.reader(io.StringIO(notes.read_text(encoding="utf-8"))))
    rows[5] = rows[5][:3]  # Excel row 6 loses its last two cells
    with notes.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    validated = _validated(folder)
    assert sorted(_failures(validated)) == [
        ("notifications", "iro_notification.csv", 6, None, "bad_row_shape"),
        ("reviews", "FACT_CLA_REVIEW.csv", 4, None, "blank_row")]


def test_wrong_system_and_empty_files_are_reported_and_the_rest_loads(extracts, clean_export,
                                                                      tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)
    shutil.copy(clean_export / "header.csv", folder / "header.csv")
    (folder / "notes.csv").write_text("")
    (folder / "dispute.csv").write_text("\n")
    validated = _validated(folder)
    assert sorted(_failures(validated)) == [
        ("disputes", "dispute.csv", None, None, "empty_file"),
        (FILE_LEVEL, "header.csv", None, None, "unrecognised_file"),
        (FILE_LEVEL, "notes.csv", None, None, "empty_file")]
    _same_as_truth(validated.clean, clean_truth, ["disputes"])


def test_unknown_lcs_word_is_a_precise_failure(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)

    def postpone(frame):
        frame.loc[1, "review_status"] = "Postponed"  # the record at Excel row 3
        return frame

    _edit_csv(folder / "review_detail.csv", postpone)
    validated = _validated(folder)
    assert _failures(validated) == [("review_records", "review_detail.csv", 3,
                                     "review_detail.review_status", "code_list")]
    assert validated.failures.loc[0, "value"] == "Postponed"
    records = clean_truth.iro["review_records"].drop(index=1)
    _same_as_truth(validated.clean, _truth_with(clean_truth, review_records=records))


@pytest.mark.parametrize("name", ["DIM_PERSON.csv", "no_such_folder"])
def test_missing_input_is_a_failure_not_a_crash(tmp_path, name):
    source = PLUGIN.read(tmp_path / name)
    assert [f.rule for f in source.failures] == ["unreadable_file"]
    assert all(len(frame) == 0 for frame in source.tables.values())

