"""Failure history across loads: new, open, resolved, accepted; re-runs change nothing."""

import csv
import shutil

import pandas as pd
import pytest
from conftest import AS_OF, load_marts
from iro_etl.config import Authority
from iro_etl.marts.publish import accept, make_engine, publish_load, read_mart
from iro_etl.pipeline import read_export


def _load(engine, folder, as_of=AS_OF):
    export = read_export(Authority.ad_hoc("LA1", "ssda903", folder), as_of)
    marts = load_marts(export, b"k")
    return publish_load(engine, "LA1", marts, export.load_id, as_of).written["failure_history"]


def _edit_reviews(folder, edit):
    path = folder / "reviews.csv"
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    edit(rows)
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)


@pytest.fixture
def second_export(tmp_path, messy_export):
    """The messy export a day later: three bad review dates fixed, one new one made."""
    folder = tmp_path / "day2"
    shutil.copytree(messy_export, folder)

    def edit(rows):
        bad = [i for i, r in enumerate(rows) if len(r) > 2 and r[2].startswith("31/02/")]
        for i in bad[:3]:
            rows[i][2] = "01/03/" + rows[i][2][-4:]
        good = next(i for i, r in enumerate(rows[1:], 1) if r[2].startswith("1"))
        rows[good][2] = "32/13/2012"

    _edit_reviews(folder, edit)
    return folder


def _counts(history):
    return history["status"].value_counts().to_dict()


def test_two_loads_mark_new_open_and_resolved(db_url, messy_export, second_export):
    engine = make_engine(db_url)
    first = _load(engine, messy_export)
    assert set(first["status"]) == {"new"}
    total = len(first)
    day2 = AS_OF + pd.Timedelta(days=1)
    second = _load(engine, second_export, day2)
    counts = _counts(second)
    # Fixing a date can surface other problems of those rows (e.g. now outside care),
    # so count only what the edits themselves changed.
    resolved = second[second["status"] == "resolved"]
    assert (resolved["rule"] == "date_format").sum() == 3
    new_dates = second[(second["status"] == "new") & (second["rule"] == "date_format")]
    assert len(new_dates) == 1 and new_dates["record_key"].str.endswith("32/13/2012").all()
    assert counts["open"] == total - counts["resolved"]
    assert (resolved["resolved_on"].astype(str).str[:10] == str(day2.date())).all()
    published = read_mart(engine, "failure_history", "LA1")
    assert len(published) == len(second)


def test_rerunning_a_load_leaves_the_history_unchanged(db_url, messy_export, second_export):
    engine = make_engine(db_url)
    _load(engine, messy_export)
    day2 = AS_OF + pd.Timedelta(days=1)
    once = _load(engine, second_export, day2).sort_values("failure_key", ignore_index=True)
    twice = _load(engine, second_export, day2).sort_values("failure_key", ignore_index=True)
    assert once.drop(columns=["message"]).equals(twice.drop(columns=["message"]))


def test_accepted_failures_stay_accepted(db_url, messy_export, second_export):
    engine = make_engine(db_url)
    history = _load(engine, messy_export)
    key = history.loc[history["rule"] == "code_list", "failure_key"].iloc[0]
    accept(engine, "LA1", key, by="quality officer A", reason="legacy code, agreed with DfE")
    assert read_mart(engine, "failure_history", "LA1").set_index("failure_key").loc[
        key, "accepted"]
    later = _load(engine, second_export, AS_OF + pd.Timedelta(days=1))
    row = later.set_index("failure_key").loc[key]
    assert row["accepted"] and row["accepted_by"] == "quality officer A"
    assert int(later["accepted"].sum()) == 1
    with pytest.raises(KeyError, match="no failure"):
        accept(engine, "LA1", "0" * 16, by="x", reason="y")
