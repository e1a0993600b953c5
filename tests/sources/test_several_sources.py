"""One authority, several sources: the Standard Safeguarding Dataset for the child's record
and the IRO service's own spreadsheets (through the generic plugin) for what the SSD does
not hold, combined table by table with lineage kept and conflicts reported."""

import shutil

import pandas as pd
import pytest
import yaml
from conftest import AS_OF, load_marts
from equivalence import assert_same_as_truth
from iro_etl.config import load_authorities, write_authorities
from iro_etl.pipeline import read_export, validate_export
from iro_plugin_ssd.tables import NOT_IN_SSD
from iro_testdata.writers import write_export
from iro_testdata.writers.ssd import write_extracts

#: What the IRO team keeps in its own spreadsheets, and the children list it works from.
IRO_SERVICE = [*NOT_IN_SSD, "children"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory, clean_truth):
    root = tmp_path_factory.mktemp("sources")
    write_extracts(clean_truth, root / "ssd")
    write_export("generic", clean_truth, root / "iro_service")
    mapping_file = root / "iro_service" / "iro_mapping.yaml"
    mapping = yaml.safe_load(mapping_file.read_text())
    mapping["tables"] = {t: e for t, e in mapping["tables"].items() if t in IRO_SERVICE}
    mapping_file.write_text(yaml.safe_dump(mapping))
    for part in (root / "iro_service").glob("allocations_part*.csv"):
        part.unlink()  # the SSD holds the IROs' allocations
    return root


def _config(root, tmp_path):
    path = tmp_path / "authorities.yaml"
    path.write_text(yaml.safe_dump({"authorities": [{
        "code": "SUF", "system": "ssd", "export_path": str(root / "ssd"),
        "sources": [{"system": "generic", "export_path": str(root / "iro_service")}]}]}))
    return path


def test_two_sources_make_the_whole_contract(folders, tmp_path, clean_truth):
    authority = load_authorities(_config(folders, tmp_path))["SUF"]
    assert [s.system for s in authority.sources] == ["generic"]
    export = read_export(authority, AS_OF)
    assert export.system == "ssd+generic"
    validated = validate_export(export)
    assert validated.failures.empty, validated.failures.head().to_string()
    assert_same_as_truth(validated.clean, clean_truth,
                         ["children", "reviews", "iro_allocations", *NOT_IN_SSD])
    # Each row keeps the lineage of the source it came from.
    files = set(validated.clean["notifications"]["_source_file"])
    assert files == {"lac_notifications.csv"}
    assert set(validated.clean["children"]["_source_file"]) == {"ssd_person.csv"}
    # The children the spreadsheet lists again are counted, not loaded twice.
    assert export.source.superseded["children"] == {
        "generic (also in ssd)": len(clean_truth.children)}
    summary = load_marts(export)["load_summary"].set_index("table_name")
    assert summary["source_note"].isna().all()  # every table has a source now
    assert summary.loc["children", "rows_superseded"] == len(clean_truth.children)
    # The config round-trips with its sources.
    write_authorities(tmp_path / "again.yaml", [authority])
    assert load_authorities(tmp_path / "again.yaml")["SUF"] == authority


def test_a_record_the_sources_disagree_on_is_a_warning_and_the_first_source_wins(
        folders, tmp_path, clean_truth):
    root = tmp_path / "copy"
    shutil.copytree(folders, root)
    # The IRO team's own children list, as a CSV, with one child's sex recorded otherwise.
    kids = clean_truth.children.assign(dob=clean_truth.children["dob"].dt.strftime("%d/%m/%Y"))
    first = kids["child_id"].iloc[0]
    kids.loc[kids.index[0], "sex"] = "1" if kids["sex"].iloc[0] == "2" else "2"
    kids.to_csv(root / "iro_service" / "children.csv", index=False)
    mapping_file = root / "iro_service" / "iro_mapping.yaml"
    mapping = yaml.safe_load(mapping_file.read_text())
    mapping["tables"]["children"] = {"file": "children.csv",
                                     "columns": {c: c for c in kids.columns}}
    mapping_file.write_text(yaml.safe_dump(mapping))
    changed = 2  # the first data row

    export = read_export(load_authorities(_config(root, tmp_path))["SUF"], AS_OF)
    validated = validate_export(export)
    conflicts = validated.failures[validated.failures["rule"] == "source_conflict"]
    assert conflicts[["table_name", "source_file", "row", "severity"]].values.tolist() == [
        ["children", "children.csv", changed, "warning"]]
    assert conflicts["column_name"].tolist() == ["sex"]
    kept = validated.clean["children"].set_index("child_id").loc[first, "sex"]
    want = clean_truth.children.set_index("child_id").loc[first, "sex"]
    assert kept == want  # the SSD's value
    assert len(validated.clean["children"]) == len(clean_truth.children)


def test_an_unknown_system_in_sources_is_named_by_its_key(folders, tmp_path):
    from iro_etl.config import ConfigError

    path = tmp_path / "authorities.yaml"
    path.write_text(yaml.safe_dump({"authorities": [{
        "code": "SUF", "system": "ssd", "export_path": str(folders / "ssd"),
        "sources": [{"system": "spreadsheets", "export_path": "x"}]}]}))
    with pytest.raises(ConfigError, match=r"authorities\[0\]\.sources\[0\]\.system: no "
                                          r"installed plugin 'spreadsheets'"):
        load_authorities(path)


def test_identical_values_written_differently_are_not_conflicts(folders, clean_truth):
    """The SSD writes 2013-05-01, the spreadsheet 01/05/2013 or an Excel date: the same."""
    from iro_etl.sources.combine import combine
    from iro_etl.sources.plugin import SourceData

    ssd = SourceData("a", {"children": pd.DataFrame({
        "child_id": ["1"], "sex": ["1"], "dob": ["2013-05-01"], "ethnic": ["WBRI"]},
        dtype="string")})
    sheet = SourceData("b", {"children": pd.DataFrame({
        "child_id": ["1 "], "sex": ["1"], "dob": ["01/05/2013"], "ethnic": ["WBRI"]},
        dtype="string")})
    out = combine([("a", ssd), ("b", sheet)])
    assert out.failures == [] and len(out.tables["children"]) == 1
    assert out.superseded == {"children": {"b (also in a)": 1}}


def test_a_blank_in_one_source_is_not_a_conflict():
    from iro_etl.sources.combine import combine
    from iro_etl.sources.plugin import SourceData

    ssd = SourceData("a", {"children": pd.DataFrame({
        "child_id": ["1"], "sex": ["1"], "dob": ["2013-05-01"], "ethnic": [None]},
        dtype="string")})
    sheet = SourceData("b", {"children": pd.DataFrame({
        "child_id": ["1"], "sex": [None], "dob": [None], "ethnic": ["WBRI"]}, dtype="string")})
    assert combine([("a", ssd), ("b", sheet)]).failures == []
