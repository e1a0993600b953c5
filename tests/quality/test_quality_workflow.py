"""A quality officer's week: two nightly runs with fixes and new problems in between.

The expected counts come from set arithmetic on each night's failures, computed apart
from the history code: new = tonight's keys not seen last night, resolved = last night's
keys gone tonight, open = both; accepted ones are flagged and kept.
"""

import csv
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import AS_OF, load_marts
from iro_cli.cli import main
from iro_etl.config import Authority, write_authorities
from iro_etl.marts.publish import make_engine, read_mart
from iro_etl.pipeline import read_export
from iro_etl.quality.history import failure_keys
from openpyxl import load_workbook


def _keys(folder, as_of) -> set[str]:
    export = read_export(Authority.ad_hoc("QA", "ssda903", folder), as_of)
    marts = load_marts(export, b"k")
    return set(failure_keys("QA", marts["validation_failures"]))


def _night(config, db, as_of):
    result = CliRunner().invoke(main, ["run", "--config", str(config), "--db", db,
                                       "--as-of", str(as_of.date())], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture
def setting(tmp_path, monkeypatch, messy_export):
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path / "state"))
    drop = tmp_path / "drop"
    shutil.copytree(messy_export, drop)
    config = tmp_path / "authorities.yaml"
    write_authorities(config, [Authority("QA", "QA council", "ssda903", drop)])
    return config, drop, f"sqlite:///{tmp_path / 'marts.db'}", tmp_path / "state"


def _fix_and_break(drop):
    """Three impossible review dates corrected, one good one broken."""
    path = drop / "reviews.csv"
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    bad = [i for i, r in enumerate(rows) if len(r) > 2 and r[2].startswith("31/02/")]
    for i in bad[:3]:
        rows[i][2] = "28/02/" + rows[i][2][-4:]
    good = next(i for i, r in enumerate(rows[1:], 1) if len(r) > 2 and r[2][:2].isdigit()
                and not r[2].startswith("31/02/"))
    rows[good][2] = "30/02/2013"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)


def test_two_nights_new_open_resolved_accepted(setting):
    config, drop, db, state = setting
    first_night, second_night = AS_OF, AS_OF + pd.Timedelta(days=1)
    before = _keys(drop, first_night)
    _night(config, db, first_night)
    engine = make_engine(db)
    history = read_mart(engine, "failure_history", "QA")
    assert len(history) == len(before) and set(history["status"]) == {"new"}

    accepted_key = sorted(before)[0]
    result = CliRunner().invoke(main, ["accept", "--authority", "QA", "--key", accepted_key,
                                       "--by", "QO", "--reason", "known", "--db", db])
    assert result.exit_code == 0, result.output

    _fix_and_break(drop)
    after = _keys(drop, second_night)
    _night(config, db, second_night)
    history = read_mart(engine, "failure_history", "QA").set_index("failure_key")
    expected = {"new": len(after - before), "open": len(after & before),
                "resolved": len(before - after)}
    assert expected["new"] >= 1 and expected["resolved"] >= 3
    assert history["status"].value_counts().to_dict() == expected
    assert history.loc[accepted_key, "accepted"]
    assert int(history["accepted"].sum()) == 1

    books = sorted((state / "reports" / "QA").glob("failures_*.xlsx"))
    assert len(books) == 2
    summary = load_workbook(books[-1])["Summary"]
    shown = {summary.cell(row=r, column=1).value: summary.cell(row=r, column=2).value
             for r in range(4, 8)}
    accepted_status = history.loc[accepted_key, "status"]
    assert shown == {**expected, accepted_status: expected[accepted_status] - 1, "accepted": 1}
