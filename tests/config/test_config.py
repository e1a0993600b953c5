"""authorities.yaml: thresholds and policies reach the rules; mistakes are named."""

import pytest
from iro_etl.config import ConfigError, load_authorities


def _config(tmp_path, policies: str):
    path = tmp_path / "authorities.yaml"
    path.write_text("authorities:\n  - code: A\n    system: ssda903\n    export_path: x\n"
                    f"    policies:\n{policies}")
    return path


def test_thresholds_feed_flags_and_indicators(tmp_path):
    path = _config(tmp_path, "      restart_on_unplanned_move: true\n      thresholds:\n"
                             "        caseload_high: 80\n        notify_working_days: 3\n"
                             "        distance_miles: 25\n")
    policies = load_authorities(path)["A"].policies
    assert policies.restart_on_unplanned_move
    assert policies.thresholds.caseload_high == 80
    assert policies.thresholds.notify_working_days == 3
    assert policies.thresholds.distance_miles == 25
    assert policies.thresholds.sw_report_working_days == 3  # untouched default


def test_unknown_threshold_or_policy_is_named(tmp_path):
    with pytest.raises(ConfigError,
                       match=r"authorities\[0\]\.policies\.thresholds\.caseload_hgih: Unexpected"):
        load_authorities(_config(tmp_path, "      thresholds:\n        caseload_hgih: 80\n"))
    with pytest.raises(ConfigError, match=r"authorities\[0\]\.policies\.restart_always: Unexpected"):
        load_authorities(_config(tmp_path, "      restart_always: true\n"))
    with pytest.raises(ConfigError, match=r"authorities.yaml.*latest_review_base must be one of"):
        load_authorities(_config(tmp_path, "      thresholds:\n        latest_review_base: April\n"))


def _entry(tmp_path, text: str):
    path = tmp_path / "authorities.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("text", "error"), [
    ("authorities:\n  - code: A\n    system: ssda903\n    export_path: x\n    polices: {}\n",
     r"authorities\[0\]\.polices: Extra inputs are not permitted"),
    ("authorities:\n  - code: ../../etc\n    system: ssda903\n    export_path: x\n",
     r"authorities\[0\]\.code: String should match pattern"),
    ("authorities:\n  - code: /abs\n    system: ssda903\n    export_path: x\n",
     r"authorities\[0\]\.code"),
    ("authorities:\n  - code: A\n    system: ssda903\n",
     r"authorities\[0\]\.export_path: Field required"),
    ("authorities:\n  - code: A\n    system: ssda903\n    export_path: ''\n",
     r"authorities\[0\]\.export_path: Value error, blank"),
    ("authorities:\n  - code: A\n    system: azeus\n    export_path: x\n",
     r"authorities\[0\]\.system: no installed plugin 'azeus' \(installed: .*ssda903"),
    ("authorities:\n  - code: A\n    system: ssda903\n    export_path: x\n"
     "    calendar: {country: XX}\n", r"authorities\[0\]\.calendar: .*no holiday calendar"),
    ("authorities:\n  - code: A\n    system: ssda903\n    export_path: x\n"
     "    policies: {thresholds: {caseload_high: lots}}\n",
     r"thresholds\.caseload_high: Input should be a valid number"),
    ("authorities:\n  - code: A\n    system: ssda903\n    export_path: x\n"
     "    policies: {restart_on_unplanned_move: perhaps}\n",
     r"restart_on_unplanned_move: Input should be a valid boolean"),
    ("authorities:\n  - code: A\n    system: ssda903\n    export_path: x\n"
     "    policies: {max_drop: 3}\n", r"max_drop is a share between 0 and 1"),
    ("authorities:\n  - {code: A, system: ssda903, export_path: x}\n"
     "  - {code: A, system: ssda903, export_path: y}\n", r"authority A is configured twice"),
    ("authorities: {}\n", r"expected a list under 'authorities'"),
    ("authorities: [\n", r"not valid YAML"),
])
def test_config_mistakes_are_named_by_their_key(tmp_path, text, error):
    with pytest.raises(ConfigError, match=error):
        load_authorities(_entry(tmp_path, text))


def test_yes_and_no_are_read_as_people_write_them(tmp_path):
    # YAML's own quoting makes "no" a string; it still means no, never a truthy string.
    path = _config(tmp_path, "      restart_on_unplanned_move: 'no'\n")
    assert load_authorities(path)["A"].policies.restart_on_unplanned_move is False


def test_latest_review_base_can_be_the_month_of_march(tmp_path):
    path = _config(tmp_path, "      thresholds:\n        latest_review_base: March\n")
    assert load_authorities(path)["A"].policies.thresholds.latest_review_base == "March"


def test_the_example_config_loads():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "authorities.example.yaml"
    authority = load_authorities(example)["822"]
    assert authority.system == "ssda903" and authority.calendar.subdiv == "ENG"
    assert authority.policies.thresholds.caseload_high == 70
    assert authority.options["codes"]["children"]["sex"] == {"M": "1", "F": "2"}


def test_export_path_may_list_several_folders(tmp_path):
    from pathlib import Path

    from iro_etl.config import write_authorities

    path = _entry(tmp_path, "authorities:\n  - code: A\n    system: ssda903\n"
                            "    export_path: [returns/2014, /data/returns/2013]\n")
    authority = load_authorities(path)["A"]
    assert authority.export_path == (tmp_path / "returns/2014", Path("/data/returns/2013"))
    write_authorities(tmp_path / "again.yaml", [authority])
    assert load_authorities(tmp_path / "again.yaml")["A"].export_path == authority.export_path
    with pytest.raises(ConfigError, match=r"export_path: several locations must all be files"):
        load_authorities(_entry(tmp_path, "authorities:\n  - code: A\n    system: ssda903\n"
                                "    export_path: [x, 'sqlite:///y.db']\n"))
    with pytest.raises(ConfigError, match=r"authorities\[0\]\.export_path"):
        load_authorities(_entry(tmp_path, "authorities:\n  - code: A\n    system: ssda903\n"
                                "    export_path: []\n"))
