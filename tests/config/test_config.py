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
    with pytest.raises(ConfigError, match=r"unknown thresholds \['caseload_hgih'\]"):
        load_authorities(_config(tmp_path, "      thresholds:\n        caseload_hgih: 80\n"))
    with pytest.raises(ConfigError, match="unknown policy"):
        load_authorities(_config(tmp_path, "      restart_always: true\n"))
    with pytest.raises(ConfigError, match=r"authorities.yaml.*latest_review_base must be one of"):
        load_authorities(_config(tmp_path, "      thresholds:\n        latest_review_base: April\n"))


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
