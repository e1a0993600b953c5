"""The Liquidlogic LCS plugin: the reporting warehouse as CSV extracts and as the database itself."""

import csv
import dataclasses
import io
import shutil

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import AS_OF
from equivalence import assert_same_as_truth
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_etl.quality.failures import FILE_LEVEL
from iro_etl.sources import registry
from iro_etl.sources.registry import get_plugin
from iro_plugin_liquidlogic.plugin import LiquidlogicPlugin
from iro_schemas.canonical import CANONICAL_MODELS
from iro_testdata.synthetic import text_tables
from iro_testdata.writers import write_export
from iro_testdata.writers.liquidlogic import write_database

ALL = list(CANONICAL_MODELS)
PLUGIN = get_plugin("liquidlogic")


@pytest.fixture(scope="module")
def extracts(tmp_path_factory, clean_truth):
    folder = tmp_path_factory.mktemp("lcs")
    write_export("liquidlogic", clean_truth, folder)
    return folder


def _copy(extracts, tmp_path, name="lcs"):
    return shutil.copytree(extracts, tmp_path / name)


def _validated(location, options=None):
    return validate_export(read_export(Authority.ad_hoc("T", "liquidlogic", location, options), AS_OF))


def _failures(validated):
    """The failures as comparable tuples: (table, file, row, column, rule)."""
    f = validated.failures
    return [(r.table_name, r.source_file, None if pd.isna(r.row) else int(r.row),
             None if pd.isna(r.column_name) else r.column_name, r.rule) for r in f.itertuples()]


def _read_failures(location, options=None):
    """What the reader alone reports, as (table, file, row, column, rule): no validation needed."""
    source = get_plugin("liquidlogic", options).read(location)
    return [(f.table_name, f.source_file, f.row, f.column_name, f.rule) for f in source.failures]


def _edit_csv(path, change, encoding="utf-8"):
    """Rewrite one extract through a frame of text (header and cells kept as written)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = change(frame)
    path.write_text(frame.to_csv(index=False), encoding=encoding, newline="")


def _truth_with(truth, **tables):
    """The truth with some canonical tables replaced (what an edited export should read as)."""
    core = {k: tables.pop(k) for k in ("children", "episodes", "reviews") if k in tables}
    return dataclasses.replace(truth, iro={**truth.iro, **tables}, **core)


# --- equivalence ---------------------------------------------------------------------------

def test_csv_extracts_read_back_as_the_truth(extracts, clean_truth):
    validated = _validated(extracts)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, clean_truth, ALL)


def test_database_reads_back_as_the_truth(db_url, clean_truth):
    engine = sa.create_engine(db_url)
    try:
        write_database(clean_truth, engine)
        with engine.connect() as conn:
            # Dates and numbers are typed in the warehouse, not text.
            columns = {c["name"]: c["type"] for c in sa.inspect(conn).get_columns("cla_episode")}
    finally:
        engine.dispose()
    assert isinstance(columns["start_date"], sa.Date)
    assert isinstance(columns["distance_miles"], sa.Numeric)
    validated = _validated(db_url)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, clean_truth, ALL)
    episodes = validated.clean["episodes"]
    assert set(episodes["_source_file"]) == {"db:cla_episode"}
    # Rows are numbered in primary-key order, as if the first row were a header.
    assert sorted(episodes["_row"]) == list(range(2, len(episodes) + 2))


def test_missing_database_table_is_reported_and_the_rest_loads(db_url, clean_truth):
    engine = sa.create_engine(db_url)
    try:
        write_database(clean_truth, engine)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE dispute"))
    finally:
        engine.dispose()
    validated = _validated(db_url)
    assert _failures(validated) == [("disputes", "db:dispute", None, None, "unreadable_file")]
    assert len(validated.clean["disputes"]) == 0
    assert_same_as_truth(validated.clean, clean_truth, [t for t in ALL if t != "disputes"])


def test_unreachable_database_is_one_failure_without_the_password():
    source = PLUGIN.read("postgresql+psycopg://iro:secret@127.0.0.1:1/warehouse")
    assert [(f.table_name, f.rule) for f in source.failures] == [(FILE_LEVEL, "unreadable_file")]
    assert "secret" not in source.failures[0].source_file
    assert all(len(frame) == 0 for frame in source.tables.values())


def test_defects_of_a_messy_truth_are_reported(tmp_path, messy_truth):
    _, ledger = text_tables(messy_truth)
    write_export("liquidlogic", messy_truth, tmp_path)
    validated = _validated(tmp_path)
    count = validated.failures.groupby(["table_name", "rule"]).size()
    assert count[("reviews", "date_format")] == ledger.counts["reviews.impossible_date"]
    assert count[("reviews", "duplicate_review")] == ledger.counts["reviews.duplicate"]
    assert count[("episodes", "code_list")] >= ledger.counts["episodes.bad_code"]
    # Sex 9 is written as gender 9: not an LCS word, so it is reported as it stands.
    gender = validated.failures.query("table_name == 'children' and rule == 'code_list'")
    assert len(gender) == ledger.counts["children.bad_code"]
    assert set(gender["column_name"]) == {"gender"} and set(gender["value"]) == {"9"}
    # Padded ids are absorbed: every child with a clean header row is found again.
    assert len(validated.clean["children"]) == len(messy_truth.children) - len(gender)


# --- options ---------------------------------------------------------------------------------

def test_tables_option_reads_differently_named_extracts(tmp_path, clean_truth):
    options = {"tables": {"cla_episode": "dm_cla_episodes", "person": "LCS_Person"}}
    plugin = get_plugin("liquidlogic", options)
    write_export("liquidlogic", clean_truth, tmp_path, options)
    assert (tmp_path / "dm_cla_episodes.csv").exists() and not (tmp_path / "person.csv").exists()
    assert plugin.recognise(tmp_path) and not PLUGIN.recognise(tmp_path)
    validated = _validated(tmp_path, options)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, clean_truth, ALL)
    assert set(validated.clean["episodes"]["_source_file"]) == {"dm_cla_episodes.csv"}


def test_tables_option_reads_differently_named_database_tables(tmp_path, clean_truth):
    url = f"sqlite:///{tmp_path / 'lcs.db'}"
    names = {"involvement": "ll_involvement", "worker": "ll_worker"}
    engine = sa.create_engine(url)
    write_database(clean_truth, engine, names)
    engine.dispose()
    options = {"tables": names}
    assert get_plugin("liquidlogic", options).recognise(url)
    validated = _validated(url, options)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, clean_truth, ALL)
    assert set(validated.clean["iro_allocations"]["_source_file"]) == {"db:ll_involvement"}


def test_a_table_the_warehouse_lacks_can_be_left_out(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)
    (folder / "dispute.csv").unlink()
    assert _read_failures(folder) == [("disputes", "dispute.csv", None, None, "unreadable_file")]
    validated = _validated(folder, {"tables": {"dispute": None}})
    assert validated.failures.empty
    assert len(validated.clean["disputes"]) == 0
    assert_same_as_truth(validated.clean, clean_truth, [t for t in ALL if t != "disputes"])


def test_unknown_table_in_the_option_is_a_configuration_error():
    with pytest.raises(ValueError, match="cla_episodes"):
        LiquidlogicPlugin({"tables": {"cla_episodes": "x"}})


def test_only_iro_involvements_become_allocations(extracts, tmp_path, clean_truth):
    source = PLUGIN.read(extracts)
    written = pd.read_csv(extracts / "involvement.csv", dtype=str, keep_default_na=False)
    assert set(written["involvement_type"]) == {"IRO", "Social Worker", "Team Manager"}
    iro_rows = set(written.index[written["involvement_type"] == "IRO"] + 2)
    assert set(source.tables["iro_allocations"]["_row"]) == iro_rows

    folder = _copy(extracts, tmp_path)

    def local_name(frame):
        return frame.assign(involvement_type=frame["involvement_type"].replace(
            {"IRO": "Reviewing Officer (CLA)"}))

    _edit_csv(folder / "involvement.csv", local_name)
    without = PLUGIN.read(folder)
    assert len(without.tables["iro_allocations"]) == 0 and not without.failures
    validated = _validated(folder, {"iro_involvement_types": ["reviewing officer (CLA)"]})
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, clean_truth, ALL)


# --- discovery -------------------------------------------------------------------------------

def test_plugin_is_found_and_recognises_only_its_own_exports(extracts, clean_export, tmp_path):
    assert isinstance(PLUGIN, LiquidlogicPlugin)
    assert PLUGIN.recognise(extracts)
    assert PLUGIN.recognise(extracts / "cla_review.csv")
    assert not PLUGIN.recognise(clean_export)
    assert not PLUGIN.recognise(clean_export / "header.csv")
    assert not get_plugin("ssda903").recognise(extracts)
    assert not PLUGIN.recognise(f"sqlite:///{tmp_path / 'nothing.db'}")


def test_detect_tells_liquidlogic_from_the_903(extracts, clean_export, monkeypatch):
    # Between this plugin and the 903 alone: other plugins' claims are their own tests' business.
    pair = {name: cls for name, cls in registry.available().items()
            if name in ("liquidlogic", "ssda903")}
    monkeypatch.setattr(registry, "available", lambda: pair)
    assert isinstance(registry.detect(extracts), LiquidlogicPlugin)
    assert registry.detect(clean_export).name == "ssda903"


def test_database_is_recognised(tmp_path, clean_truth):
    url = f"sqlite:///{tmp_path / 'lcs.db'}"
    engine = sa.create_engine(url)
    write_database(clean_truth, engine)
    engine.dispose()
    assert PLUGIN.recognise(url)


# --- messy extracts --------------------------------------------------------------------------

def test_renamed_and_reordered_headers(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)

    def rename(frame):
        frame = frame[list(reversed(frame.columns))]
        return frame.rename(columns={"start_date": "Episode Start", "legal_status_code": "LS Code",
                                     "person_id": "PersonID"})

    _edit_csv(folder / "cla_episode.csv", rename)
    assert _read_failures(folder) == [("episodes", "cla_episode.csv", 1, "start_date", "missing_column"),
                       ("episodes", "cla_episode.csv", 1, "legal_status_code", "missing_column")]
    options = {"columns": {"episodes": {"decom": ["Episode Start"], "ls": ["LS Code"]}}}
    validated = _validated(folder, options)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, clean_truth, ALL)


def test_title_rows_above_the_header(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        path.write_text(f"LCS warehouse extract: {path.stem}\nRun on 01/04/2014,,\n\n{text}",
                        encoding="utf-8", newline="")
    validated = _validated(folder)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, clean_truth, ALL)
    # The header is now row 4, so the first record is Excel row 5.
    assert validated.clean["children"]["_row"].min() == 5


def test_excel_serial_dates(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)

    def serial(frame):
        dates = pd.to_datetime(frame["birth_date"], format="%Y-%m-%d %H:%M:%S.%f")
        return frame.assign(birth_date=(dates - pd.Timestamp("1899-12-30")).dt.days.astype(str))

    _edit_csv(folder / "person.csv", serial)
    assert pd.read_csv(folder / "person.csv", dtype=str)["birth_date"].str.isdigit().all()
    validated = _validated(folder)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, clean_truth, ALL)


def test_windows_1252_text_is_read_and_reported(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)
    team = "Équipe Sud – Est"
    _edit_csv(folder / "worker.csv", lambda f: f.replace({"team_name": {"South": team}}),
              encoding="cp1252")
    validated = _validated(folder)
    assert _failures(validated) == [("iro_staff", "worker.csv", None, None, "not_utf8")]
    staff = clean_truth.iro["iro_staff"].assign(team=clean_truth.iro["iro_staff"]["team"].replace(
        {"South": team}))
    assert_same_as_truth(validated.clean, _truth_with(clean_truth, iro_staff=staff), ALL)


def test_blank_rows_are_reported_at_their_rows(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)
    path = folder / "cla_review.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "")     # becomes Excel row 4
    lines.insert(10, ",,,")  # becomes Excel row 11
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    validated = _validated(folder)
    assert _failures(validated) == [("reviews", "cla_review.csv", 4, None, "blank_row"),
                                    ("reviews", "cla_review.csv", 11, None, "blank_row")]
    assert_same_as_truth(validated.clean, clean_truth, ALL)


def test_wrong_system_and_empty_files_are_reported_and_the_rest_loads(extracts, clean_export,
                                                                      tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)
    shutil.copy(clean_export / "header.csv", folder / "header.csv")
    (folder / "notes.csv").write_text("")
    validated = _validated(folder)
    assert _failures(validated) == [(FILE_LEVEL, "header.csv", None, None, "unrecognised_file"),
                                    (FILE_LEVEL, "notes.csv", None, None, "empty_file")]
    assert_same_as_truth(validated.clean, clean_truth, ALL)


def test_empty_table_extract_is_reported(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)
    (folder / "dispute.csv").write_text("\n")
    validated = _validated(folder)
    assert _failures(validated) == [("disputes", "dispute.csv", None, None, "empty_file")]
    assert_same_as_truth(validated.clean, clean_truth, [t for t in ALL if t != "disputes"])


def test_unknown_lcs_word_is_a_precise_failure(extracts, tmp_path, clean_truth):
    folder = _copy(extracts, tmp_path)

    def postpone(frame):
        frame.loc[1, "review_status"] = "Postponed"  # the record at Excel row 3
        return frame

    _edit_csv(folder / "review_detail.csv", postpone)
    validated = _validated(folder)
    failures = validated.failures
    assert _failures(validated) == [("review_records", "review_detail.csv", 3, "review_status",
                                     "code_list")]
    assert failures.loc[0, "value"] == "Postponed"
    records = clean_truth.iro["review_records"].drop(index=1)
    assert_same_as_truth(validated.clean, _truth_with(clean_truth, review_records=records), ALL)


def test_truncated_row_is_quarantined(extracts, tmp_path):
    folder = _copy(extracts, tmp_path)
    path = folder / "iro_notification.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[5] = rows[5][:3]  # Excel row 6 loses its last two cells
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    validated = _validated(folder)
    assert _failures(validated) == [("notifications", "iro_notification.csv", 6, None,
                                     "bad_row_shape")]
    summary = validated.summary().set_index("table_name")
    assert summary.loc["notifications", "rows_quarantined"] == 1


@pytest.mark.parametrize("name", ["person.csv", "no_such_folder"])
def test_missing_input_is_a_failure_not_a_crash(tmp_path, name):
    source = PLUGIN.read(tmp_path / name)
    assert [f.rule for f in source.failures] == ["unreadable_file"]
    assert all(len(frame) == 0 for frame in source.tables.values())
