"""The generic plugin: any CSV or Excel export described by a YAML mapping, tidy or messy."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import AS_OF
from equivalence import assert_same_as_truth
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_etl.quality.failures import FILE_LEVEL
from iro_etl.sources.readers import read_workbook
from iro_etl.sources.registry import detect, get_plugin
from iro_plugin_generic.layout import PLACEMENTS, WORKBOOK
from iro_plugin_generic.mapping import MAPPING_FILE, MappingError, load_mapping
from iro_plugin_generic.plugin import GenericPlugin
from iro_schemas.canonical import CANONICAL_MODELS
from iro_testdata.synthetic import generate, text_tables
from iro_testdata.writers import write_export

ALL_TABLES = list(CANONICAL_MODELS)
DOCS_EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "generic_mapping.yaml"


@pytest.fixture(scope="module")
def generic_export(tmp_path_factory, clean_truth) -> Path:
    folder = tmp_path_factory.mktemp("generic")
    write_export("generic", clean_truth, folder)
    return folder


@pytest.fixture(scope="module")
def small_truth():
    """A smaller truth for the tests that spoil an export: workbooks are slow to open."""
    return generate(50, as_of=AS_OF, seed=7)


@pytest.fixture(scope="module")
def small_export(tmp_path_factory, small_truth) -> Path:
    folder = tmp_path_factory.mktemp("generic_small")
    write_export("generic", small_truth, folder)
    return folder


@pytest.fixture
def folder(tmp_path, small_export) -> Path:
    """A private copy of the small synthetic export, for a test to spoil."""
    return Path(shutil.copytree(small_export, tmp_path / "export"))


def _validated(path, options=None):
    return validate_export(read_export(Authority.ad_hoc("T", "generic", path, options), AS_OF))


def _edit_mapping(folder: Path, change) -> None:
    path = folder / MAPPING_FILE
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def _read_csv(path: Path, skip: int = 0) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skiprows=skip)


def _failures(validated, rule):
    return validated.failures[validated.failures["rule"] == rule]


# --- Equivalence ---------------------------------------------------------------------------------

def test_unusual_layout_reads_back_as_the_truth(generic_export, clean_truth):
    names = sorted(p.name for p in generic_export.iterdir())
    assert names == sorted([WORKBOOK, MAPPING_FILE, "lac_notifications.csv", "allocations_part1.csv",
                            "allocations_part2.csv", "review_checklist_held.csv",
                            "review_checklist_other.csv", "participation.csv", "dispute_log.csv"])
    validated = _validated(generic_export)
    assert validated.failures.empty, validated.failures.head(10).to_string()
    assert_same_as_truth(validated.clean, clean_truth, ALL_TABLES)
    # Lineage points into the export as a person opens it.
    children = validated.clean["children"]
    assert set(children["_source_file"]) == {WORKBOOK}
    assert set(children["_sheet"]) == {"Young People"}
    assert children["_row"].min() == 5  # two title rows and a blank above the header on row 4
    staff = validated.clean["iro_staff"]
    assert staff["_row"].min() == 4  # header_row: 3 in the mapping
    allocations = validated.clean["iro_allocations"]
    assert set(allocations["_source_file"]) == {"allocations_part1.csv", "allocations_part2.csv"}
    assert set(allocations["_sheet"].dropna()) == set()


def test_column_names_are_the_export_headers(generic_export):
    plugin = GenericPlugin()
    plugin.read(generic_export)
    names = plugin.column_names()
    assert names["children"]["sex"] == "Gender"
    assert names["episodes"]["decom"] == "Spell Began"
    assert names["review_records"]["status"] == "Outcome"  # the held file gives it as a constant


def test_codes_are_translated_ignoring_case_and_unknown_values_are_reported(folder, small_truth):
    path = folder / "participation.csv"
    frame = _read_csv(path)
    frame["Relationship"] = frame["Relationship"].replace({"Mum": " MUM ", "Dad": "dad"})
    frame.loc[6, "Relationship"] = "Aunt"
    frame.to_csv(path, index=False)
    export = read_export(Authority.ad_hoc("T", "generic", folder), AS_OF)
    source = export.source
    roles = source.tables["review_participants"]["role"]
    assert set(roles) == {"mother", "father", "step parent", "connected person", "Aunt"}
    assert set(source.tables["children"]["sex"]) == {"1", "2"}
    assert set(source.tables["review_records"]["status"]) == {"held", "rescheduled", "cancelled"}
    validated = validate_export(export)
    bad = _failures(validated, "code_list")
    assert bad[["table_name", "source_file", "row", "column_name", "value"]].values.tolist() == [
        ["review_participants", "participation.csv", 8, "Relationship", "Aunt"]]


def test_messy_truth_failures_point_at_sheet_row_and_house_header(tmp_path):
    messy_truth = generate(100, as_of=AS_OF, seed=11, defect_rate=0.05)
    write_export("generic", messy_truth, tmp_path)
    validated = _validated(tmp_path)
    _, ledger = text_tables(messy_truth)
    failures = validated.failures
    sex = failures[(failures["rule"] == "code_list") & (failures["table_name"] == "children")]
    assert len(sex) > 0 and set(sex["column_name"]) == {"Gender"} and set(sex["value"]) == {"9"}
    assert set(zip(sex["sheet"], sex["row"], strict=True)) == {
        ("Young People", 5 + p) for p in ledger.bad_rows["children"]}
    ls = failures[(failures["rule"] == "code_list") & (failures["column_name"] == "Legal Status")]
    assert set(ls["sheet"]) == {"Care Spells"} and set(ls["value"]) == {"ZZ"}
    assert set(ls["row"]) <= {2 + p for p in ledger.bad_rows["episodes"]}
    assert len(ls) == ledger.counts["episodes.bad_code"]
    blanks = _failures(validated, "blank_row")
    assert set(blanks["sheet"]) == {"Reviews Held"} and len(blanks) == ledger.counts["blank_rows"] > 0
    summary = validated.summary()
    assert (summary["rows_in"] == summary["rows_clean"] + summary["rows_quarantined"]).all()


# --- Discovery -----------------------------------------------------------------------------------

def test_discovery(generic_export, clean_export, tmp_path):
    plugin = get_plugin("generic")
    assert isinstance(plugin, GenericPlugin)
    assert plugin.recognise(generic_export)
    assert plugin.recognise(generic_export / MAPPING_FILE)
    assert not plugin.recognise(clean_export)
    assert not plugin.recognise("postgresql+psycopg://u@localhost/db")
    assert not get_plugin("ssda903").recognise(generic_export)
    assert detect(generic_export).name == "generic"
    # A mapping kept outside the export, named by the `mapping` option (relative to the export).
    (tmp_path / "maps").mkdir()
    shutil.copy(generic_export / MAPPING_FILE, tmp_path / "maps" / "northshire.yaml")
    plain = Path(shutil.copytree(clean_export, tmp_path / "plain"))
    assert not plugin.recognise(plain)
    assert get_plugin("generic", {"mapping": "../maps/northshire.yaml"}).recognise(plain)


def test_mapping_option_outside_the_export_folder(tmp_path, small_export, small_truth):
    export = Path(shutil.copytree(small_export, tmp_path / "export"))
    (tmp_path / "maps").mkdir()
    (export / MAPPING_FILE).rename(tmp_path / "maps" / "northshire.yaml")
    assert not GenericPlugin().recognise(export)
    validated = _validated(export, {"mapping": "../maps/northshire.yaml"})
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, small_truth, ALL_TABLES)
    # The mapping file itself may be given as the export's path (here its folder holds no data).
    source = GenericPlugin().read(tmp_path / "maps" / "northshire.yaml")
    assert {f.rule for f in source.failures} == {"unreadable_file"}
    assert all(f.column_name.endswith(".file") for f in source.failures)


def test_documented_example_is_a_valid_mapping():
    mapping = load_mapping(DOCS_EXAMPLE)
    assert set(mapping.tables()) == set(ALL_TABLES) - {"notifications"}
    children = next(s for s in mapping.sources if s.table == "children")
    assert children.codes["sex"] == {"male": "1", "female": "2", "not known": None}


# --- Mapping errors ------------------------------------------------------------------------------

def _disputes(doc):
    return doc["tables"]["disputes"]


@pytest.mark.parametrize(("change", "table", "key", "words"), [
    (lambda doc: doc["tables"].update(kids=doc["tables"].pop("disputes")),
     FILE_LEVEL, "tables.kids", "'kids' is not a canonical table"),
    (lambda doc: _disputes(doc)["columns"].update(level="Level"),
     "disputes", "tables.disputes.columns.level", "'level' is not a column of the canonical table"),
    (lambda doc: _disputes(doc).update(colums=_disputes(doc).pop("columns")),
     "disputes", "tables.disputes.colums", "did you mean 'columns'"),
    (lambda doc: _disputes(doc)["columns"].pop("raised_date"),
     "disputes", "tables.disputes.columns", "no source column for raised_date"),
    (lambda doc: _disputes(doc)["codes"]["stage"].update({True: "informal"}),
     "disputes", "tables.disputes.codes.stage", "put it in quotes"),
    (lambda doc: _disputes(doc).update(header_row="two"),
     "disputes", "tables.disputes.header_row", "got 'two'"),
    (lambda doc: _disputes(doc).update(file="../dispute_log.csv"),
     "disputes", "tables.disputes.file", "inside the export folder"),
    (lambda doc: _disputes(doc).update(constants={"stage": "informal"}),
     "disputes", "tables.disputes.constants.stage", "give one or the other"),
])
def test_mapping_errors_name_the_key(folder, change, table, key, words):
    _edit_mapping(folder, change)
    source = GenericPlugin().read(folder)
    bad = [f for f in source.failures if f.rule == "unreadable_file"]
    assert [(f.table_name, f.source_file, f.column_name) for f in bad] == [(table, MAPPING_FILE, key)]
    assert words in bad[0].value and bad[0].record()["message"].startswith(
        "The file could not be read: " + key)
    # The disputes file is claimed by the broken entry, unless its pattern is what is broken.
    stray = [("dispute_log.csv", "unrecognised_file")] if key.endswith(".file") else []
    assert [(f.source_file, f.rule) for f in source.failures if f not in bad] == stray
    assert len(source.tables.get("disputes", [])) == 0
    assert len(source.tables["children"]) > 0
    # The same mapping checked by hand raises one clear error listing the key.
    with pytest.raises(MappingError, match=key.replace(".", r"\.")):
        load_mapping(folder / MAPPING_FILE)


def test_a_mapping_error_leaves_the_other_tables_loading(folder, small_truth):
    _edit_mapping(folder, lambda doc: doc["tables"]["disputes"]["columns"].update(level="Level"))
    validated = _validated(folder)
    assert validated.failures[["table_name", "column_name", "rule"]].values.tolist() == [
        ["disputes", "tables.disputes.columns.level", "unreadable_file"]]
    assert len(validated.clean["disputes"]) == 0
    assert_same_as_truth(validated.clean, small_truth, [t for t in ALL_TABLES if t != "disputes"])


def test_missing_file_for_a_table_is_named(folder, small_truth):
    (folder / "dispute_log.csv").unlink()
    validated = _validated(folder)
    assert validated.failures[["table_name", "source_file", "column_name", "rule"]].values.tolist() == [
        ["disputes", MAPPING_FILE, "tables.disputes.file", "unreadable_file"]]
    assert "no file in the export folder matches 'dispute_log.csv'" in validated.failures["value"][0]
    assert_same_as_truth(validated.clean, small_truth, [t for t in ALL_TABLES if t != "disputes"])


def test_missing_sheet_lists_the_sheets(folder):
    _edit_mapping(folder, lambda doc: doc["tables"]["iro_staff"].update(sheet="Officers"))
    source = GenericPlugin().read(folder)
    assert [(f.table_name, f.source_file, f.column_name) for f in source.failures] == [
        ("iro_staff", WORKBOOK, "tables.iro_staff.sheet")]
    assert "no sheet 'Officers' (it has About this extract, Young People" in source.failures[0].value


def test_sheet_is_found_by_its_header_when_not_named(folder, small_truth):
    _edit_mapping(folder, lambda doc: [doc["tables"][t].pop("sheet") for t in ("children", "reviews")])
    validated = _validated(folder)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, small_truth, ["children", "reviews"])


@pytest.mark.parametrize(("text", "value"), [
    ("tables: [children\n", "not valid YAML at line 2, column 1"),
    ("", None),
    ("- just a list\n", None),
])
def test_broken_mapping_file_is_one_failure(folder, text, value):
    (folder / MAPPING_FILE).write_text(text)
    source = GenericPlugin().read(folder)
    assert source.tables == {}
    rules = [(f.table_name, f.rule) for f in source.failures]
    # Every data file is now unclaimed, and said so.
    assert rules[0] == (FILE_LEVEL, "unreadable_file")
    assert {r for _, r in rules[1:]} == {"unrecognised_file"}
    if value:
        assert source.failures[0].value.startswith(value)


def test_no_mapping_and_no_folder_are_failures_not_crashes(tmp_path, clean_export):
    source = GenericPlugin().read(clean_export)
    assert [(f.source_file, f.rule) for f in source.failures] == [(MAPPING_FILE, "unreadable_file")]
    source = GenericPlugin().read(tmp_path / "nowhere")
    assert [f.rule for f in source.failures] == ["unreadable_file"]
    source = GenericPlugin({"mapping": {"not": "a path"}}).read(clean_export)
    assert [f.column_name for f in source.failures] == ["options.mapping"]


# --- Messy input ---------------------------------------------------------------------------------

def test_renamed_and_reordered_headers_through_the_columns_option(folder, small_truth):
    path = folder / "participation.csv"
    frame = _read_csv(path)
    frame = frame[list(reversed(frame.columns))].rename(columns={"Relationship": "Relation to child"})
    frame.to_csv(path, index=False)
    missing = [f for f in GenericPlugin().read(folder).failures]
    assert [(f.table_name, f.source_file, f.row, f.column_name, f.rule) for f in missing] == [
        ("review_participants", "participation.csv", 1, "Relationship", "missing_column")]
    options = {"columns": {"review_participants": {"role": ["Relation to child"]}}}
    validated = _validated(folder, options)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, small_truth, ALL_TABLES)
    bad = {"columns": {"review_participants": {"relation": ["Relation to child"]}}}
    source = GenericPlugin(bad).read(folder)
    assert [f.column_name for f in source.failures][:1] == [
        "options.columns.review_participants.relation"]


def test_title_rows_are_skipped_and_rows_keep_their_excel_numbers(folder, small_truth):
    path = folder / "lac_notifications.csv"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text("Notifications to the IRO manager\nRun on 01/04/2014\n\n" + text)
    validated = _validated(folder)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, small_truth, ["notifications"])
    assert validated.clean["notifications"]["_row"].min() == 5
    # A header_row that is not the header: the columns are reported missing on that row.
    _edit_mapping(folder, lambda doc: doc["tables"]["notifications"].update(header_row=2))
    missing = GenericPlugin().read(folder).failures
    assert [(f.source_file, f.row, f.column_name, f.rule) for f in missing] == [
        ("lac_notifications.csv", 2, "Case No, Became LAC", "missing_column")]


def test_excel_serial_dates(folder, small_truth):
    sheets, _ = read_workbook(folder / WORKBOOK, "episodes")
    assert sheets["Care Spells"][1][1].isdigit()  # Episode Start is a serial number
    path = folder / "lac_notifications.csv"
    frame = _read_csv(path)
    start = pd.to_datetime(frame["Became LAC"], format="%Y-%m-%d")
    frame["Became LAC"] = (start - pd.Timestamp("1899-12-30")).dt.days.astype(str)
    frame.to_csv(path, index=False)
    validated = _validated(folder)
    assert validated.failures.empty
    assert_same_as_truth(validated.clean, small_truth, ["episodes", "notifications"])


def test_windows_1252_text(folder, small_truth):
    path = folder / "dispute_log.csv"
    text = path.read_text(encoding="utf-8-sig").replace("Informal chat", "Informal chat – phone")
    path.write_bytes(text.encode("cp1252"))
    _edit_mapping(folder, lambda doc: doc["tables"]["disputes"]["codes"]["stage"].update(
        {"Informal chat – phone": "informal"}))
    validated = _validated(folder)
    assert validated.failures[["source_file", "rule"]].values.tolist() == [
        ["dispute_log.csv", "not_utf8"]]
    assert_same_as_truth(validated.clean, small_truth, ALL_TABLES)


def test_blank_rows_are_reported_where_they_are(folder, small_truth):
    path = folder / "lac_notifications.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[11:11] = ["", ",,,"]  # rows 12 and 13 as Excel numbers them
    path.write_text("\n".join(lines) + "\n")
    validated = _validated(folder)
    blanks = _failures(validated, "blank_row")
    assert blanks[["table_name", "source_file", "row"]].values.tolist() == [
        ["notifications", "lac_notifications.csv", 12], ["notifications", "lac_notifications.csv", 13]]
    assert validated.clean["notifications"]["_row"].iloc[9:11].tolist() == [11, 14]
    assert_same_as_truth(validated.clean, small_truth, ["notifications"])


def test_file_from_another_system_and_empty_file(folder, clean_export, small_truth):
    shutil.copy(clean_export / "header.csv", folder / "header.csv")
    (folder / "allocations_part2.csv").write_text("")
    validated = _validated(folder)
    file_level = validated.failures[validated.failures["rule"].isin(["unrecognised_file",
                                                                     "empty_file"])]
    assert file_level[["table_name", "source_file", "rule"]].values.tolist() == [
        [FILE_LEVEL, "header.csv", "unrecognised_file"],
        ["iro_allocations", "allocations_part2.csv", "empty_file"]]
    assert validated.failures["severity"].eq("warning").all()
    assert_same_as_truth(validated.clean, small_truth, [t for t in ALL_TABLES if t != "iro_allocations"])
    part1 = len(_read_csv(folder / "allocations_part1.csv"))
    assert len(validated.clean["iro_allocations"]) == part1


def test_wrong_systems_file_under_a_mapped_name(folder, clean_export):
    shutil.copy(clean_export / "header.csv", folder / "lac_notifications.csv")
    validated = _validated(folder)
    missing = _failures(validated, "missing_column")
    assert missing[["table_name", "source_file", "row", "column_name"]].values.tolist() == [
        ["notifications", "lac_notifications.csv", 1, "Case No, Became LAC"]]
    assert len(validated.clean["notifications"]) == 0
    assert len(validated.clean["episodes"]) > 0


def test_unreadable_workbook_fails_each_table_it_feeds(folder):
    (folder / WORKBOOK).write_bytes(b"not a zip file")
    source = GenericPlugin().read(folder)
    sheets = [p.table for p in PLACEMENTS if p.sheet is not None]
    assert [(f.table_name, f.source_file, f.rule) for f in source.failures] == [
        (table, WORKBOOK, "unreadable_file") for table in sheets]
    assert len(source.tables["notifications"]) > 0
