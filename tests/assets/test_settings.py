"""Settings travel with the export: read once from authorities.yaml, never re-read, never
swallowed. An ad hoc load takes a configured authority's calendar and policies."""

from pathlib import Path

import dagster as dg
import pytest
from iro_assets.assets import ExportConfig, _authority, _configured
from iro_assets.resources import IroSettings
from iro_cli.runner import run_authority
from iro_etl.config import Authority, Policies, Thresholds, write_authorities
from iro_etl.rules.calendar import WorkingCalendar

SCOTLAND = WorkingCalendar("GB", "SCT")


@pytest.fixture
def config(tmp_path, clean_export) -> Path:
    path = tmp_path / "authorities.yaml"
    policies = Policies(restart_on_unplanned_move=True, thresholds=Thresholds(due_soon_days=7))
    write_authorities(path, [Authority("SHR", "Shire", "ssda903", clean_export, SCOTLAND,
                                       policies, {"columns": {}})])
    return path


def _resolved(settings: IroSettings, code: str, config: ExportConfig | None = None) -> Authority:
    """As the export asset resolves each authority of its run (the file read once)."""
    config = config or ExportConfig()
    return _authority(_configured(settings, bool(config.system)), settings, code, config)


def test_nightly_load_takes_the_configured_authority(config, clean_export):
    authority = _resolved(IroSettings(authorities_file=str(config)), "SHR")
    assert authority.calendar == SCOTLAND
    assert authority.policies.restart_on_unplanned_move
    assert authority.policies.thresholds.due_soon_days == 7


def test_ad_hoc_load_of_a_configured_authority_keeps_its_calendar_and_policies(config, tmp_path):
    ad_hoc = ExportConfig(system="carefirst", inputs=[str(tmp_path / "other")])
    authority = _resolved(IroSettings(authorities_file=str(config)), "SHR", ad_hoc)
    assert (authority.system, authority.export_path) == ("carefirst", tmp_path / "other")
    assert authority.calendar == SCOTLAND and authority.policies.thresholds.due_soon_days == 7
    assert authority.options == {}  # another system's options would not fit


def test_ad_hoc_load_without_any_config_takes_the_defaults(tmp_path):
    ad_hoc = ExportConfig(system="ssda903", inputs=[str(tmp_path)])
    authority = _resolved(IroSettings(authorities_file=str(tmp_path / "none.yaml")), "NEW", ad_hoc)
    assert authority == Authority.ad_hoc("NEW", "ssda903", tmp_path)
    assert authority.policies == Policies() and authority.calendar == WorkingCalendar()


def test_a_broken_config_is_never_swallowed(tmp_path):
    broken = tmp_path / "authorities.yaml"
    broken.write_text("authorities:\n  - code: A\n    system: ssda903\n    export_path: x\n"
                      "    policies:\n      thresholds:\n        caseload_hihg: 80\n")
    settings = IroSettings(authorities_file=str(broken))
    ad_hoc = ExportConfig(system="ssda903", inputs=[str(tmp_path)])
    with pytest.raises(dg.Failure, match="caseload_hihg"):
        _resolved(settings, "A", ad_hoc)
    with pytest.raises(dg.Failure, match="caseload_hihg"):
        _resolved(settings, "A")


def test_an_ad_hoc_run_with_a_broken_config_fails_and_says_why(tmp_path, clean_export,
                                                               monkeypatch):
    broken = tmp_path / "authorities.yaml"
    broken.write_text("authorities: {not: a list}\n")
    monkeypatch.setenv("IRO_ETL_CONFIG", str(broken))
    monkeypatch.setenv("IRO_ETL_DB_URL", f"sqlite:///{tmp_path / 'marts.db'}")
    monkeypatch.setenv("IRO_ETL_HOME", str(tmp_path / "state"))
    with dg.instance_for_test() as instance:
        outcome = run_authority(instance, "A", system="ssda903", input_path=clean_export)
    assert not outcome.success
    assert "expected a list under 'authorities'" in outcome.error
