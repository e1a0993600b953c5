"""The iro-etl command line, as a script or a person would use it."""

import pytest
from click.testing import CliRunner
from iro_cli.cli import main
from iro_etl.marts.publish import make_engine, read_mart


@pytest.fixture(autouse=True)
def dagster_home(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path / "state"))


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_validate_clean_export_exits_zero(clean_export):
    result = _run("validate", "--system", "ssda903", "--input", str(clean_export))
    assert result.exit_code == 0, result.output
    assert "rows_in" in result.output


def test_validate_reports_failures_and_exits_one(messy_export):
    result = _run("validate", "--system", "ssda903", "--input", str(messy_export),
                  "--format", "csv")
    assert result.exit_code == 1
    header = result.output.splitlines()[0]
    assert header.startswith("table_name,source_file,sheet,row,column_name,value,rule")
    assert "is not a date" in result.output


def test_unknown_system_is_a_usage_error(clean_export):
    result = _run("validate", "--system", "azeus", "--input", str(clean_export))
    assert result.exit_code == 2
    assert "Installed plugins: " in result.output and "ssda903" in result.output


def test_missing_input_is_a_usage_error(tmp_path):
    result = _run("load", "--authority", "X", "--system", "ssda903",
                  "--input", str(tmp_path / "nowhere"), "--db", f"sqlite:///{tmp_path}/m.db")
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_load_publishes_one_export(tmp_path, messy_export):
    db = f"sqlite:///{tmp_path / 'marts.db'}"
    result = _run("load", "--authority", "ADHOC", "--system", "ssda903", "--input",
                  str(messy_export), "--db", db, "--as-of", "2014-03-31")
    assert result.exit_code == 0, result.output
    assert "ADHOC" in result.output
    # Not a terminal and not asked (-v): no progress lines, as cron wants.
    assert "Time taken" not in result.output and "ADHOC: read in" not in result.output
    indicator = read_mart(make_engine(db), "review_timeliness_indicator", "ADHOC")
    assert 2014 in set(indicator["year_ending"])


def test_verbose_load_shows_each_stage_with_its_count_and_time(tmp_path, clean_export,
                                                               clean_truth):
    db = f"sqlite:///{tmp_path / 'marts.db'}"
    result = _run("-v", "load", "--authority", "V", "--input", str(clean_export), "--db", db,
                  "--as-of", "2014-03-31")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    rows = len(clean_truth.children) + len(clean_truth.episodes) + len(clean_truth.reviews)
    read = next(line for line in lines if line.startswith("V: read in "))
    assert read.endswith(f" s, {rows:,} rows")
    assert any(line.startswith("V: validate in ") and line.endswith(", 0 failures")
               for line in lines)
    assert any(line.startswith("V: publish in ") and line.endswith(" marts") for line in lines)
    assert any(line.startswith("Time taken: ") for line in lines)
    quiet = _run("-q", "load", "--authority", "V", "--input", str(clean_export), "--db", db,
                 "--as-of", "2014-03-31")
    assert quiet.exit_code == 0 and "V: read in" not in quiet.output


def test_run_with_a_broken_config_says_why(tmp_path):
    config = tmp_path / "authorities.yaml"
    config.write_text("authorities:\n  - code: A\n")
    result = _run("run", "--config", str(config))
    assert result.exit_code == 2
    assert "authorities[0].system: Field required" in result.output
    assert "authorities[0].export_path: Field required" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path):
    result = _run("demo", "--dir", str(tmp_path / "demo"), "--as-of", "2014-03-31",
                  "--scale", "0.2")
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{tmp_path / 'demo' / 'iro_etl.db'}")
    summary = read_mart(engine, "load_summary")
    assert set(summary["authority"]) == {"DEMO-N", "DEMO-S", "DEMO-E", "DEMO-W"}
    assert set(summary["system"]) == {"ssda903", "carefirst", "liquidlogic", "mosaic"}
    assert len(list((tmp_path / "demo" / "reports").rglob("failures_*.xlsx"))) == 4
    population = read_mart(engine, "lac_population")
    assert population.groupby("authority")["children"].sum().gt(0).all()


def test_detect_names_the_system_and_validate_can_rely_on_it(clean_export, tmp_path):
    assert _run("detect", "--input", str(clean_export)).output.strip() == "ssda903"
    assert _run("validate", "--input", str(clean_export)).exit_code == 0
    (tmp_path / "notes.txt").write_text("nothing to see")
    result = _run("detect", "--input", str(tmp_path))
    assert result.exit_code == 2 and "No installed plugin recognises" in result.output


def test_failures_accept_and_workbook_after_a_load(tmp_path, messy_export):
    from openpyxl import load_workbook

    db = f"sqlite:///{tmp_path / 'marts.db'}"
    assert _run("load", "--authority", "Q1", "--system", "ssda903", "--input",
                str(messy_export), "--db", db, "--as-of", "2014-03-31").exit_code == 0
    listed = _run("failures", "--authority", "Q1", "--db", db, "--format", "csv")
    assert listed.exit_code == 0
    rows = listed.output.splitlines()
    assert rows[0].startswith("failure_key,status,accepted") and len(rows) > 10
    key = rows[1].split(",")[0]
    accepted = _run("accept", "--authority", "Q1", "--key", key, "--by", "QO", "--reason",
                    "known", "--db", db)
    assert accepted.exit_code == 0, accepted.output
    after = _run("failures", "--authority", "Q1", "--db", db, "--format", "csv").output
    assert f"{key},new,True" in after
    book = tmp_path / "q1.xlsx"
    made = _run("failures", "--authority", "Q1", "--db", db, "--format", "xlsx",
                "--output", str(book))
    assert made.exit_code == 0 and book.exists()
    assert {"Summary", "reviews", "episodes"} <= set(load_workbook(book).sheetnames)
    assert _run("accept", "--authority", "Q1", "--key", "nope", "--by", "x", "--reason", "y",
                "--db", db).exit_code == 2
    # A misspelt authority is an error naming the loaded ones, not an empty list.
    for args in (["failures"], ["report", "--year", "2014"],
                 ["accept", "--key", key, "--by", "x", "--reason", "y"]):
        wrong = _run(*args, "--authority", "Q2", "--db", db)
        assert wrong.exit_code == 2, (args, wrong.output)
        assert wrong.output.strip() == (f"iro-etl: authority Q2 has never been loaded into {db} "
                                        "(loaded: Q1); check the code or --db")


def test_a_database_that_cannot_be_reached_or_is_not_there_says_so(tmp_path, clean_export):
    down = _run("failures", "--authority", "Q1", "--db",
                "postgresql+psycopg://iro:secret@127.0.0.1:1/marts")
    assert down.exit_code == 2 and "cannot reach the marts database" in down.output
    assert "secret" not in down.output and len(down.output.strip().splitlines()) == 1
    # A load does not read its export only to find the database down.
    load = _run("load", "--authority", "Q1", "--input", str(clean_export), "--system", "ssda903",
                "--db", "postgresql+psycopg://iro:secret@127.0.0.1:1/marts")
    assert load.exit_code == 2 and "cannot reach the marts database" in load.output
    assert "secret" not in load.output
    missing = _run("report", "--authority", "Q1", "--year", "2014", "--db",
                   f"sqlite:///{tmp_path / 'nothing.db'}")
    assert missing.exit_code == 2 and "no marts database at" in missing.output
    assert not (tmp_path / "nothing.db").exists()


def test_a_system_that_does_not_recognise_the_input_is_refused(clean_export):
    result = _run("validate", "--system", "carefirst", "--input", str(clean_export))
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"iro-etl: the carefirst plugin does not recognise {clean_export} as its export; it "
        "looks like ssda903: give --system ssda903")


def test_report_writes_the_annual_workbook(tmp_path, messy_export):
    from openpyxl import load_workbook

    db = f"sqlite:///{tmp_path / 'marts.db'}"
    assert _run("report", "--authority", "R1", "--year", "2014", "--db", db).exit_code == 2
    assert _run("load", "--authority", "R1", "--system", "ssda903", "--input",
                str(messy_export), "--db", db, "--as-of", "2014-03-31").exit_code == 0
    out = tmp_path / "r1.xlsx"
    result = _run("report", "--authority", "R1", "--year", "2014", "--db", db, "--output", str(out))
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames[:3] == ["Cover", "Population", "Timeliness"]
    # The nightly job wrote the last complete year's report too.
    assert (tmp_path / "state" / "reports" / "R1" / "annual_report_2014.xlsx").exists()


def test_demo_scenario_prints_the_seed_beside_the_marts(tmp_path):
    result = _run("demo", "--dir", str(tmp_path / "cb"), "--scenario",
                  "central-bedfordshire-2011-12")
    assert result.exit_code == 0, result.output
    # Each comparison row ends in: published, reproduced, same.
    table = {" ".join(line.split()[:-3]): line.split()[-1] for line in result.output.splitlines()
             if line.endswith((" yes", " no"))}
    assert len(table) == 20 and set(table.values()) == {"yes"}, result.output
    assert "attended most recent review" in table
    assert "mothers attended or consulted %" in table
    config = (tmp_path / "cb" / "authorities.yaml").read_text()
    assert "carefirst" in config


def test_demo_shropshire_scenario_matches_the_report(tmp_path):
    result = _run("demo", "--dir", str(tmp_path / "sh"), "--scenario", "shropshire-2013-14")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.endswith((" yes", " no"))]
    assert len(rows) == 18 and all(row.endswith(" yes") for row in rows), result.output


def test_a_held_load_says_why_in_one_line_and_keeps_the_marts(tmp_path, clean_export):
    # As a person runs it: a real process, so what reaches the terminal is what is asserted.
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    db = f"sqlite:///{tmp_path / 'marts.db'}"
    cli = str(Path(sys.executable).parent / "iro-etl")
    env = {**os.environ, "IRO_ETL_HOME": str(tmp_path / "state")}

    def load(folder):
        return subprocess.run([cli, "load", "--authority", "LA", "--input", str(folder),
                               "--db", db, "--as-of", "2014-03-31"],
                              capture_output=True, text=True, env=env, cwd=tmp_path)

    assert load(clean_export).returncode == 0
    before = read_mart(make_engine(db), "review_timeliness", "LA")
    broken = tmp_path / "broken"
    shutil.copytree(clean_export, broken)
    (broken / "reviews.csv").unlink()
    result = load(broken)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("LA: load held back, previous marts kept: reviews: no rows read")
    after = read_mart(make_engine(db), "review_timeliness", "LA")
    assert after.equals(before)
    summary = read_mart(make_engine(db), "load_summary", "LA")
    assert set(summary["status"]) == {"held"}


@pytest.mark.parametrize("code", ["../../etc", "/tmp/x", "a b", ""])
def test_an_authority_code_that_could_name_a_path_is_refused(tmp_path, clean_export, code):
    db = f"sqlite:///{tmp_path / 'marts.db'}"
    for args in (["load", "--input", str(clean_export), "--db", db],
                 ["failures", "--format", "xlsx", "--db", db],
                 ["report", "--year", "2014", "--db", db]):
        result = _run(*args, "--authority", code)
        assert result.exit_code == 2, (args, result.output)
        assert "authority code" in result.output
    assert not (tmp_path / "marts.db").exists()


@pytest.mark.parametrize(("args", "said"), [
    (["report", "--authority", "A", "--year", "26"], "not a year ending 31 March"),
    (["report", "--authority", "A", "--year", "2014", "--db", "nonsense"],
     "not a usable database URL"),
    (["failures", "--authority", "A", "--db", "oracle+nodriver://x"], "not a usable database URL"),
])
def test_bad_arguments_are_refused_before_any_work(tmp_path, args, said):
    result = _run(*args)
    assert result.exit_code == 2 and said in result.output
    assert "Traceback" not in result.output


def test_a_step_after_publishing_failing_says_the_marts_are_published(tmp_path, clean_export,
                                                                      monkeypatch):
    import iro_etl.reports.latest

    def broken(*_args, **_kwargs):
        raise RuntimeError("the printer is on fire")

    monkeypatch.setattr(iro_etl.reports.latest, "write_report", broken)
    db = f"sqlite:///{tmp_path / 'marts.db'}"
    result = CliRunner().invoke(main, ["load", "--authority", "LA", "--input", str(clean_export),
                                       "--db", db, "--as-of", "2014-03-31"])
    assert result.exit_code == 1
    assert "LA: marts published, but annual_report failed" in result.output
    assert "the printer is on fire" in result.output and "FAILED" not in result.output
    assert len(read_mart(make_engine(db), "review_timeliness", "LA")) > 0


def test_help_and_version_load_neither_pandas_nor_dagster():
    # What keeps `iro-etl --help` under a second (measured: 0.1 s, from 4 s).
    import subprocess
    import sys

    probe = ("import sys; from iro_cli.cli import main\n"
             "for args in (['--help'], ['--version'], ['load', '--help']):\n"
             "    try: main(args)\n"
             "    except SystemExit: pass\n"
             "print(sorted(m for m in ('pandas', 'dagster', 'sqlalchemy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert "iro-etl 0.1.0" in out and "--accept-drop" in out
    assert out.strip().splitlines()[-1] == "[]"
