"""The publish guard: a structurally broken load never replaces good marts.

Each case publishes a good load, then a broken one, on SQLite and PostgreSQL, and asserts
that every mart but the failure records and the load summary is exactly as it was.
"""

import shutil

import pandas as pd
import pytest
from conftest import AS_OF, load_marts
from iro_etl.config import Authority
from iro_etl.marts.publish import make_engine, publish_load, read_mart
from iro_etl.pipeline import read_export
from iro_schemas.marts import MART_MODELS
from iro_testdata.writers.ssda903 import write_xml_export

GUARDED = ("children", "episodes", "reviews")
#: What a held load writes; every other mart must stay byte for byte.
HELD_WRITES = {"validation_failures", "load_summary"}


def _publish(engine, folder, as_of=AS_OF, **guard):
    export = read_export(Authority.ad_hoc("LA1", "ssda903", folder), as_of)
    return publish_load(engine, "LA1", load_marts(export), export.load_id, as_of,
                        guarded=export.required, **guard)


def _snapshot(engine) -> dict[str, pd.DataFrame]:
    out = {}
    for name in MART_MODELS:
        if name in HELD_WRITES:
            continue
        frame = read_mart(engine, name, "LA1")
        out[name] = frame.sort_values(list(frame.columns), ignore_index=True)
    return out


def _assert_unchanged(before, after):
    assert before.keys() == after.keys()
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)


@pytest.fixture
def day2(tmp_path, clean_export):
    folder = tmp_path / "day2"
    shutil.copytree(clean_export, folder)
    return folder


def _held(engine, outcome, rule):
    assert outcome.status == "held" and outcome.reason
    summary = read_mart(engine, "load_summary", "LA1")
    assert set(summary["status"]) == {"held"} and set(summary["held_reason"]) == {outcome.reason}
    failures = read_mart(engine, "validation_failures", "LA1")
    assert rule in set(failures["rule"])
    return failures[failures["rule"] == rule]


def test_unterminated_quote_holds_the_load(db_url, clean_export, day2):
    engine = make_engine(db_url)
    assert _publish(engine, clean_export).status == "published"
    before = _snapshot(engine)
    path = day2 / "episodes.csv"
    lines = path.read_text().splitlines(keepends=True)
    lines[6] = lines[6].replace(",", ',"', 1)  # row 7 opens a quote that never closes
    path.write_text("".join(lines))
    outcome = _publish(engine, day2)
    stopped = _held(engine, outcome, "parse_stopped")
    assert stopped[["source_file", "row"]].values.tolist() == [["episodes.csv", 7]]
    assert "episodes.csv row 7: reading stopped early" in outcome.reason
    assert "\n" not in outcome.reason
    _assert_unchanged(before, _snapshot(engine))


def test_missing_table_holds_the_load(db_url, clean_export, day2):
    engine = make_engine(db_url)
    _publish(engine, clean_export)
    before = _snapshot(engine)
    (day2 / "reviews.csv").unlink()
    outcome = _publish(engine, day2)
    missing = _held(engine, outcome, "missing_table")
    assert missing["table_name"].tolist() == ["reviews"]
    assert outcome.reason == "reviews: no rows read (file missing, empty or not recognised)"
    _assert_unchanged(before, _snapshot(engine))


def test_truncated_xml_holds_the_load(db_url, clean_truth, tmp_path):
    engine = make_engine(db_url)
    good = write_xml_export(clean_truth, tmp_path / "good" / "return.xml")
    _publish(engine, good)
    before = _snapshot(engine)
    cut = tmp_path / "cut" / "return.xml"
    cut.parent.mkdir()
    text = good.read_text()
    cut.write_text(text[: len(text) * 2 // 3])
    outcome = _publish(engine, cut)
    _held(engine, outcome, "parse_stopped")
    _assert_unchanged(before, _snapshot(engine))


def _drop_children(folder, share):
    path = folder / "header.csv"
    lines = path.read_text().splitlines(keepends=True)
    keep = int((len(lines) - 1) * (1 - share))
    path.write_text("".join(lines[: 1 + keep]))


def test_a_collapse_holds_the_load_unless_accepted(db_url, clean_export, day2):
    engine = make_engine(db_url)
    _publish(engine, clean_export)
    before = _snapshot(engine)
    _drop_children(day2, 0.3)
    outcome = _publish(engine, day2)
    dropped = _held(engine, outcome, "rows_dropped")
    # Children fell by 30%; their episodes and reviews went with them (unknown child).
    assert set(dropped["table_name"]) == set(GUARDED)
    assert "children: 210 clean rows where the last published load had 300 (down 30%" \
        in outcome.reason
    _assert_unchanged(before, _snapshot(engine))
    accepted = _publish(engine, day2, accept_drop=True)
    assert accepted.status == "published"
    assert len(read_mart(engine, "lac_population", "LA1")) > 0
    summary = read_mart(engine, "load_summary", "LA1").set_index("table_name")
    assert summary.loc["children", "rows_clean"] == 210 and set(summary["status"]) == {"published"}


def test_the_baseline_is_the_last_published_load_not_a_held_one(db_url, clean_export, day2):
    engine = make_engine(db_url)
    _publish(engine, clean_export)
    _drop_children(day2, 0.3)
    assert _publish(engine, day2).status == "held"
    # The same drop the next night is compared with the last good load again, so it is
    # still held (a held load never becomes the yardstick).
    assert _publish(engine, day2, as_of=AS_OF + pd.Timedelta(days=1)).status == "held"


def test_a_small_drop_publishes(db_url, clean_export, day2):
    engine = make_engine(db_url)
    _publish(engine, clean_export)
    _drop_children(day2, 0.1)
    assert _publish(engine, day2).status == "published"


def test_a_broken_first_load_publishes_nothing_but_its_failures(db_url, day2):
    engine = make_engine(db_url)
    (day2 / "episodes.csv").write_text("")
    outcome = _publish(engine, day2)
    assert outcome.status == "held"
    assert set(outcome.written) == HELD_WRITES
    assert read_mart(engine, "review_timeliness", "LA1").empty


def test_the_same_export_published_again_and_again_is_compared_with_its_latest_publish(
        db_url, clean_export, day2):
    """Re-runs of one export log the same load id each time; the yardstick is still the one
    latest publish (this used to fail on the third re-run with several rows per table)."""
    engine = make_engine(db_url)
    for _ in range(4):
        assert _publish(engine, clean_export).status == "published"
    _drop_children(day2, 0.3)
    assert _publish(engine, day2).status == "held"
