"""One contract check for every mart: a rule whose output breaks its mart's contract holds
back that mart alone, and the load goes on with every other mart."""

import pandas as pd
import pytest
from conftest import AS_OF
from iro_etl.config import Authority
from iro_etl.pipeline import all_marts, export_rules, read_export, validate_export
from iro_etl.rules import flags, indicators
from iro_schemas.marts import MART_MODELS


@pytest.fixture(scope="module")
def loaded(clean_export):
    export = read_export(Authority.ad_hoc("CC", "ssda903", clean_export), AS_OF)
    return export, validate_export(export)


def _built(loaded):
    export, validated = loaded
    return all_marts(export, validated, export_rules(export, validated), b"k")


def test_every_mart_meets_its_contract(loaded):
    marts = _built(loaded)
    assert marts.rejected == {}
    assert set(marts.frames) == set(MART_MODELS) - {"failure_history"}


def test_a_broken_flag_rule_holds_back_its_mart_only(loaded, monkeypatch):
    original = flags.review_worklist

    def broken(*args, **kwargs):
        out = original(*args, **kwargs)
        return out.assign(days_until_due="soon")  # text where the contract wants a number

    monkeypatch.setattr(flags, "review_worklist", broken)
    marts = _built(loaded)
    assert set(marts.rejected) == {"review_worklist"}
    assert "days_until_due" in marts.rejected["review_worklist"]
    assert "review_worklist" not in marts.frames
    assert {"late_notifications", "review_timeliness", "load_summary"} <= set(marts.frames)


def test_a_broken_indicator_holds_back_its_mart_only(loaded, monkeypatch):
    original = indicators.disputes_by_stage

    def broken(*args, **kwargs):
        return original(*args, **kwargs).assign(stage="stage 9")

    monkeypatch.setattr(indicators, "disputes_by_stage", broken)
    marts = _built(loaded)
    assert set(marts.rejected) == {"disputes_by_stage"}
    assert "stage" in marts.rejected["disputes_by_stage"]
    assert len(marts.frames) == len(MART_MODELS) - 2  # failure_history comes from publishing


def test_rules_return_marts_in_contract_order(loaded):
    export, validated = loaded
    results = export_rules(export, validated)
    for name, frame in {**results.flags, **results.indicators}.items():
        assert list(frame.columns) == list(MART_MODELS[name].columns), name
        assert isinstance(frame.index, pd.RangeIndex), name
