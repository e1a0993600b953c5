"""Every kind of broken export in the corpus ends as failure records, never as a crash: rows
in = clean + quarantined for every table, the rules it breaks are recorded, and where the
publish guard holds the load the previous marts stay exactly as they were."""

import shutil
import tracemalloc

import pandas as pd
import pytest
from corpus import AS_OF, CASES, build, write_bases
from iro_etl.config import Authority
from iro_etl.marts.publish import make_engine, publish_load, read_mart
from iro_etl.pipeline import (
    all_marts,
    export_rules,
    read_export,
    stacked_marts,
    stacked_rules,
    validate_export,
    validate_exports,
)
from iro_schemas.marts import MART_MODELS

HELD_WRITES = {"validation_failures", "load_summary"}
SYSTEM_OF_BASE = {"csv": "ssda903", "xml": "ssda903", "workbook": "carefirst"}


def _load(system, folder, engine):
    export = read_export(Authority.ad_hoc("C", system, folder), AS_OF)
    validated = validate_export(export)
    marts = all_marts(export, validated, export_rules(export, validated), b"k")
    assert marts.rejected == {}
    outcome = publish_load(engine, "C", marts.frames, export.load_id, AS_OF,
                           guarded=export.required)
    return validated, marts.frames["validation_failures"], outcome


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    return write_bases(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def published(tmp_path_factory, bases):
    """Per good export, a SQLite database holding its published load (the night before)."""
    out = {}
    for base, folder in bases.items():
        db = tmp_path_factory.mktemp(f"db-{base}") / "marts.db"
        engine = make_engine(f"sqlite:///{db}")
        _, _, outcome = _load(SYSTEM_OF_BASE[base], folder, engine)
        assert outcome.status == "published"
        engine.dispose()
        out[base] = db
    return out


def _snapshot(engine):
    out = {}
    for name in MART_MODELS:
        if name not in HELD_WRITES:
            frame = read_mart(engine, name, "C")
            out[name] = frame.sort_values(list(frame.columns), ignore_index=True)
    return out


def test_the_corpus_has_at_least_forty_kinds():
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_broken_export_outcome(case, bases, published, tmp_path):
    folder = build(case, bases, tmp_path / "export")
    db = tmp_path / "marts.db"
    shutil.copy(published[case.base], db)
    engine = make_engine(f"sqlite:///{db}")
    before = _snapshot(engine)
    validated, failures, outcome = _load(case.system, folder, engine)

    summary = validated.summary()
    assert (summary["rows_in"] == summary["rows_clean"] + summary["rows_quarantined"]).all()
    recorded = set(read_mart(engine, "validation_failures", "C")["rule"])
    assert case.rules <= recorded, f"missing {case.rules - recorded}; got {sorted(recorded)}"
    assert outcome.status == ("held" if case.held else "published"), outcome.reason
    if case.held:
        assert outcome.reason and "\n" not in outcome.reason
        after = _snapshot(engine)
        for name in before:
            pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    else:
        assert not {"parse_stopped", "missing_table", "rows_dropped"} & recorded
    if case.check:
        case.check(validated, failures)
    engine.dispose()


def test_a_twenty_megabyte_cell_costs_its_row_and_bounded_memory(bases, tmp_path):
    case = next(c for c in CASES if c.name == "huge_cell_20mb")
    folder = build(case, bases, tmp_path / "export")
    tracemalloc.start()
    try:
        export = read_export(Authority.ad_hoc("C", "ssda903", folder), AS_OF)
        validated = validate_export(export)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # The cell is 20 MB. Measured: about 280 MB at the peak, some fourteen copies of it
    # (bytes, text, csv cells, pandas strings, stripped, the quarantine's JSON): bounded by
    # the file, not by anything that grows further. The bound catches a regression to more.
    assert peak < 400 * 2**20
    quarantined = validated.quarantine[validated.quarantine["table_name"] == "episodes"]
    assert len(quarantined) == 1
    assert len(validated.clean["episodes"]) == validated.rows_in["episodes"] - 1


def test_every_broken_export_in_one_pass_gets_what_it_gets_alone(bases, tmp_path):
    """The whole corpus validated, ruled and checked together (as a national run takes
    many authorities): each export's marts, failures in their order included, are what its
    own load gives."""
    exports = []
    for i, case in enumerate(CASES):
        build(case, bases, tmp_path / case.name)
        exports.append(read_export(Authority.ad_hoc(f"C{i:02d}", case.system,
                                                    tmp_path / case.name), AS_OF))
    validated = validate_exports(exports)
    rules = stacked_rules(list(zip(exports, validated, strict=True)))
    together = stacked_marts(list(zip(exports, validated, rules, strict=True)), b"k")
    for case, export, marts in zip(CASES, exports, together, strict=True):
        checked = validate_export(export)
        alone = all_marts(export, checked, export_rules(export, checked), b"k")
        assert marts.rejected == alone.rejected, case.name
        assert marts.frames.keys() == alone.frames.keys(), case.name
        for name, frame in alone.frames.items():
            pd.testing.assert_frame_equal(marts.frames[name], frame, obj=f"{case.name} {name}")
