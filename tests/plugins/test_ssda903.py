"""The SSDA903 plugin on the shapes real exports take: CSV or XML, renamed headers, odd encodings."""

import shutil

import pandas as pd
import pytest
from conftest import AS_OF
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_etl.sources.registry import get_plugin
from iro_schemas.lineage import LINEAGE_COLUMNS
from iro_testdata.writers.ssda903 import write_xml_export

PLUGIN = get_plugin("ssda903")


def _canonical(path) -> dict[str, pd.DataFrame]:
    clean = validate_export(read_export(Authority.ad_hoc("T", "ssda903", path), AS_OF)).clean
    out = {}
    for table, frame in clean.items():
        frame = frame.drop(columns=list(LINEAGE_COLUMNS))
        out[table] = frame.sort_values(list(frame.columns[:2])).reset_index(drop=True)
    return out


def _assert_same_tables(left, right):
    for table in left:
        pd.testing.assert_frame_equal(left[table], right[table], check_dtype=False)


def test_csv_and_xml_give_the_same_canonical_tables(tmp_path, clean_truth, clean_export):
    xml = write_xml_export(clean_truth, tmp_path / "xml" / "return.xml")
    assert PLUGIN.recognise(xml.parent)
    from_xml, from_csv = _canonical(xml.parent), _canonical(clean_export)
    _assert_same_tables(from_csv, from_xml)
    assert len(from_csv["reviews"]) == len(clean_truth.reviews)


def test_xml_lineage_is_the_line_of_the_record(tmp_path, clean_truth):
    xml = write_xml_export(clean_truth, tmp_path / "return.xml")
    source = PLUGIN.read(xml)
    lines = xml.read_text().splitlines()
    first = source.tables["episodes"].iloc[0]
    assert lines[first["_row"] - 1].startswith("<EPISODE>")


def _rewrite(src, dest, transform, encoding="utf-8"):
    dest.mkdir(parents=True, exist_ok=True)
    for file in src.iterdir():
        text = transform(file.name, file.read_text(encoding="utf-8"))
        (dest / file.name).write_text(text, encoding=encoding, newline="")


def test_renamed_reordered_headers_and_iso_dates(tmp_path, clean_export):
    def transform(name, text):
        frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
        frame = frame[list(reversed(frame.columns))]
        for col in ("DOB", "DECOM", "DEC", "REVIEW"):
            if col in frame:
                parsed = pd.to_datetime(frame[col], format="%d/%m/%Y", errors="coerce")
                frame[col] = parsed.dt.strftime("%Y-%m-%d").fillna("")
        frame.columns = [{"CHILD": " Child Id ", "DECOM": "decom", "REVIEW": "Review Date"}
                         .get(c, c.lower()) for c in frame.columns]
        return frame.to_csv(index=False)

    _rewrite(clean_export, tmp_path / "renamed", transform)
    _assert_same_tables(_canonical(clean_export), _canonical(tmp_path / "renamed"))


def test_title_rows_above_the_header_are_skipped(tmp_path, clean_export):
    _rewrite(clean_export, tmp_path / "titled",
             lambda name, text: f"SSDA903 extract {name}\nRun 01/04/2014,,\n\n{text}")
    _assert_same_tables(_canonical(clean_export), _canonical(tmp_path / "titled"))


def test_windows_1252_text_is_read_and_reported(tmp_path, clean_export):
    def transform(name, text):
        return text.replace("PR1", "PR1é") if name == "episodes.csv" else text

    _rewrite(clean_export, tmp_path / "cp1252", transform, encoding="cp1252")
    source = PLUGIN.read(tmp_path / "cp1252")
    assert "PR1é" in set(source.tables["episodes"]["place_provider"])
    assert [(f.rule, f.source_file) for f in source.failures] == [("not_utf8", "episodes.csv")]


def test_empty_and_foreign_files_are_reported_and_the_rest_loads(tmp_path, clean_export):
    folder = tmp_path / "mixed"
    shutil.copytree(clean_export, folder)
    (folder / "empty.csv").write_text("")
    (folder / "carefirst_report.csv").write_text("Client Ref,Worker,Team\n1,Ann,North\n")
    (folder / "notes.xml").write_text("<notes><n>hello</n></notes>")
    source = PLUGIN.read(folder)
    rules = sorted((f.source_file, f.rule) for f in source.failures)
    assert rules == [("carefirst_report.csv", "unrecognised_file"), ("empty.csv", "empty_file"),
                     ("notes.xml", "unrecognised_file")]
    _assert_same_tables(_canonical(clean_export), _canonical(folder))


def test_truncated_file_quarantines_the_cut_row(tmp_path, clean_export):
    folder = tmp_path / "cut"
    shutil.copytree(clean_export, folder)
    text = (folder / "episodes.csv").read_text()
    cut = text[: text.rstrip("\n").rfind(",")]  # the last row loses its final cells
    (folder / "episodes.csv").write_text(cut)
    lines = cut.splitlines()
    validated = validate_export(read_export(Authority.ad_hoc("T", "ssda903", folder), AS_OF))
    shape = validated.failures[validated.failures["rule"] == "bad_row_shape"]
    assert shape["row"].tolist() == [len(lines)]
    assert shape["source_file"].tolist() == ["episodes.csv"]
    summary = validated.summary().set_index("table_name")
    assert summary.loc["episodes", "rows_quarantined"] == 1
    assert summary.loc["episodes", "rows_in"] == len(lines) - 1


def test_missing_required_column_is_named(tmp_path, clean_export):
    folder = tmp_path / "nodecom"
    shutil.copytree(clean_export, folder)
    frame = pd.read_csv(folder / "episodes.csv", dtype=str, keep_default_na=False)
    frame.drop(columns=["RNE"]).to_csv(folder / "episodes.csv", index=False)
    validated = validate_export(read_export(Authority.ad_hoc("T", "ssda903", folder), AS_OF))
    missing = validated.failures[validated.failures["rule"] == "missing_column"]
    assert missing["column_name"].tolist() == ["RNE"]
    assert len(validated.clean["episodes"]) == 0
    assert validated.summary().set_index("table_name").loc["episodes", "rows_quarantined"] == len(
        frame)


def test_broken_xml_keeps_what_was_read_and_says_it_stopped(tmp_path, clean_truth):
    xml = write_xml_export(clean_truth, tmp_path / "return.xml")
    text = xml.read_text()
    xml.write_text(text[: len(text) // 2])
    source = PLUGIN.read(xml)
    assert [f.rule for f in source.failures] == ["parse_stopped"]
    assert source.failures[0].row > 1
    assert 0 < len(source.tables["children"]) < len(clean_truth.children)


@pytest.mark.parametrize("name", ["header.csv", "missing_folder"])
def test_missing_input_is_a_failure_not_a_crash(tmp_path, name):
    source = PLUGIN.read(tmp_path / name)
    assert [f.rule for f in source.failures] == ["unreadable_file"]
    assert all(len(frame) == 0 for frame in source.tables.values())


def test_authority_options_rename_columns_and_translate_codes(tmp_path, clean_export):
    def transform(name, text):
        frame = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
        if name == "header.csv":
            frame["SEX"] = frame["SEX"].map({"1": "M", "2": "F"})
            frame = frame.rename(columns={"SEX": "Gender Code"})
        return frame.to_csv(index=False)

    _rewrite(clean_export, tmp_path / "local", transform)
    options = {"columns": {"children": {"sex": ["Gender Code"]}},
               "codes": {"children": {"sex": {"M": "1", "F": "2"}}}}
    export = read_export(Authority.ad_hoc("T", "ssda903", tmp_path / "local", options), AS_OF)
    validated = validate_export(export)
    assert validated.failures.empty
    assert set(validated.clean["children"]["sex"]) == {"1", "2"}


# --- a whole return: every table recognised by its full header -----------------------------

def test_every_table_of_a_whole_return_is_recognised(tmp_path, clean_truth):
    from iro_plugin_ssda903.tables import OTHER_TABLES
    from iro_testdata.writers.ssda903 import write_full_return

    write_full_return(clean_truth, tmp_path)
    assert len(list(tmp_path.glob("*.csv"))) == 3 + len(OTHER_TABLES)
    source = PLUGIN.read(tmp_path)
    # Tables sharing CHILD, SEX and DOB with the header are not taken for it.
    assert source.not_used == {f"{table}.csv": table for table in OTHER_TABLES}
    assert source.failures == []
    validated = validate_export(read_export(Authority.ad_hoc("T", "ssda903", tmp_path), AS_OF))
    assert validated.failures.empty
    assert len(validated.clean["children"]) == len(clean_truth.children)
    assert PLUGIN.recognise(tmp_path)


def test_a_file_of_no_903_table_is_one_warning_naming_its_header(tmp_path, clean_export):
    shutil.copytree(clean_export, tmp_path / "x")
    (tmp_path / "x" / "notes.csv").write_text("CHILD,NOTE,WHO\n1,called,SW\n")
    source = PLUGIN.read(tmp_path / "x")
    assert [(f.source_file, f.rule, f.value) for f in source.failures] == [
        ("notes.csv", "unrecognised_file", "CHILD, NOTE, WHO")]


def test_an_other_table_alone_is_not_a_903_export(tmp_path, clean_truth):
    from iro_testdata.writers.ssda903 import write_full_return

    write_full_return(clean_truth, tmp_path / "all")
    (tmp_path / "only").mkdir()
    shutil.copy(tmp_path / "all" / "uasc.csv", tmp_path / "only" / "uasc.csv")
    assert not PLUGIN.recognise(tmp_path / "only")


def test_xml_failures_name_the_child_and_the_element(tmp_path, messy_truth):
    xml = write_xml_export(messy_truth, tmp_path / "multi" / "return.xml")
    # The same return written on one line, as many systems write it.
    one_line = tmp_path / "one" / "return.xml"
    one_line.parent.mkdir()
    one_line.write_text(xml.read_text().replace("\n", ""))
    for path, lines in ((xml, True), (one_line, False)):
        export = read_export(Authority.ad_hoc("T", "ssda903", path), AS_OF)
        failures = validate_export(export).failures
        located = failures[failures["table_name"].isin(["children", "episodes", "reviews"])
                           & failures["rule"].ne("duplicate_review")]
        assert len(located) > 5
        # Each failure names its element: CHILD[n], CHILD[n]/EPISODE[k] or .../AREVIEW[k].
        pattern = {"children": r"CHILD\[\d+\]", "episodes": r"CHILD\[\d+\]/EPISODE\[\d+\]",
                   "reviews": r"CHILD\[\d+\]/HEADER/AREVIEW\[\d+\]"}
        for table, group in located.groupby("table_name"):
            assert group["sheet"].str.fullmatch(pattern[table]).all(), table
        assert located["record_key"].notna().all()
        assert (located["row"].nunique() > 1) is lines
        # Element paths tell the records apart even where every line number is the same.
        assert not located.duplicated(["sheet", "column_name", "rule"]).any()


def test_xml_sections_no_mart_reads_are_read_not_used(tmp_path, clean_truth):
    xml = write_xml_export(clean_truth, tmp_path / "return.xml")
    text = xml.read_text()
    sections = ("<OC2><SDQ_SCORE>12</SDQ_SCORE><CONVICTED>0</CONVICTED></OC2>"
                "<AMISSING><MISSING>M</MISSING><MIS_START>2013-05-01</MIS_START></AMISSING>")
    # Into the first three children's headers, where the DfE's form puts them.
    xml.write_text(text.replace("</HEADER>", sections + "</HEADER>", 3))
    source = PLUGIN.read(xml)
    assert source.not_used == {"return.xml <OC2> x3": "oc2", "return.xml <AMISSING> x3": "missing"}
    assert source.failures == []
    assert len(source.tables["children"]) == len(clean_truth.children)
