"""Several authorities in one pass of the rules give each exactly what its own load gives.

The reference is each authority's load run alone (the path every other rules test checks
by hand), never the stacked code. The authorities are chosen to collide: two share a
random seed, so their child ids and their IROs' ids are the same strings; one exports
the 903's three tables only (no IRO marts); one has had every episode quarantined (no
years); their histories start in different years.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from equivalence import truth_source
from iro_etl.config import Authority, Policies
from iro_etl.marts.build import apply_rules, check_marts, mart_frames, split_results
from iro_etl.pipeline import (
    Export,
    all_marts,
    export_rules,
    read_export,
    stacked_marts,
    stacked_rules,
    validate_export,
)
from iro_etl.quality.validation import ValidatedTables, validate
from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.rules.stack import stack
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export

AS_OF = pd.Timestamp("2014-03-31")
KEY = b"stack test key"
CALENDAR = WorkingCalendar()
RETURN_903 = ("children", "episodes", "reviews")


def _clean(n: int, seed: int, years: int = 6, defects: float = 0.0) -> dict[str, pd.DataFrame]:
    truth = generate(n, as_of=AS_OF, seed=seed, years=years, defect_rate=defects)
    return validate(truth_source(truth)).clean


@pytest.fixture(scope="module")
def cleans() -> dict[str, dict[str, pd.DataFrame]]:
    small = _clean(120, seed=5)
    return {
        "AAA": _clean(260, seed=1),
        # The same seed: the same child ids and IRO ids as AAA, other histories.
        "BBB": _clean(180, seed=1, years=3),
        "CCC": {name: frame for name, frame in _clean(150, seed=2, defects=0.02).items()
                if name in RETURN_903},
        "DDD": {name: frame.iloc[:0] if name == "episodes" else frame
                for name, frame in small.items()},
    }


def _marts(results, code: str) -> dict[str, pd.DataFrame]:
    built = check_marts(mart_frames(results, code, KEY))
    assert not built.rejected, built.rejected
    return built.frames


def _assert_same(alone: dict[str, pd.DataFrame], stacked: dict[str, pd.DataFrame]) -> None:
    assert set(alone) == set(stacked)
    for name in alone:
        pd.testing.assert_frame_equal(stacked[name], alone[name], obj=name)


def test_one_pass_gives_every_authority_its_own_marts(cleans):
    codes = list(cleans)
    stacked = split_results(apply_rules(stack(cleans), AS_OF, CALENDAR), codes)
    for code, clean in cleans.items():
        alone = apply_rules(clean, AS_OF, CALENDAR)
        _assert_same(_marts(alone, code), _marts(stacked[code], code))
        pd.testing.assert_frame_equal(stacked[code].stray_reviews.reset_index(drop=True),
                                      alone.stray_reviews.assign(authority=code)
                                      .reset_index(drop=True), obj=code)


def test_the_test_authorities_differ_where_it_matters(cleans):
    """Guards the test itself: ids collide, and some marts are empty for some authorities."""
    assert set(cleans["AAA"]["children"]["child_id"]) & set(cleans["BBB"]["children"]["child_id"])
    assert set(cleans["AAA"]["iro_staff"]["iro_id"]) & set(cleans["BBB"]["iro_staff"]["iro_id"])
    alone = {code: _marts(apply_rules(clean, AS_OF, CALENDAR), code)
             for code, clean in cleans.items()}
    assert alone["CCC"]["iro_caseloads"].empty and not alone["AAA"]["iro_caseloads"].empty
    assert alone["DDD"]["trends"].empty and not alone["DDD"]["participation_gaps"].empty
    first_year = {code: marts["trends"]["year_ending"].min() for code, marts in alone.items()}
    assert first_year["AAA"] < first_year["BBB"]


def test_loads_are_stacked_only_with_their_own_calendar_and_policies(cleans):
    """Authorities whose rules differ run in separate stacks, and still get their own marts."""
    restart = Policies(restart_on_unplanned_move=True)
    wales = WorkingCalendar("GB", "WLS")
    settings = {"AAA": (CALENDAR, Policies()), "BBB": (CALENDAR, restart),
                "CCC": (wales, Policies()), "DDD": (CALENDAR, Policies())}
    loads = []
    for code, clean in cleans.items():
        calendar, policies = settings[code]
        authority = Authority(code, code, "ssda903", ".", calendar=calendar, policies=policies)
        export = Export(authority, "ssda903", AS_OF, code, None, {})
        loads.append((export, ValidatedTables(clean, pd.DataFrame(), pd.DataFrame(), {})))
    for (export, validated), results in zip(loads, stacked_rules(loads), strict=True):
        code = export.authority.code
        _assert_same(_marts(export_rules(export, validated), code), _marts(results, code))


# --- whole loads: real exports, their quality marts, a mart held back ----------------------

@pytest.fixture(scope="module")
def loads(tmp_path_factory) -> list[tuple[Export, ValidatedTables, object]]:
    """Three authorities' exports from three systems, read by their plugins; two share ids."""
    out = []
    for code, system, n, seed, defects in (("AAA", "liquidlogic", 200, 1, 0.0),
                                           ("BBB", "ssda903", 150, 1, 0.02),
                                           ("CCC", "carefirst", 120, 4, 0.01)):
        folder = tmp_path_factory.mktemp(code)
        truth = generate(n, as_of=AS_OF, seed=seed, defect_rate=defects)
        write_export(system, truth, folder)
        export = read_export(Authority.ad_hoc(code, system, folder), AS_OF)
        out.append((export, validate_export(export)))
    return [(e, v, r) for (e, v), r in zip(out, stacked_rules(out), strict=True)]


def test_whole_loads_in_one_pass_give_each_authority_its_own_marts(loads):
    failures = 0
    for (export, validated, _), stacked in zip(loads, stacked_marts(loads, KEY), strict=True):
        alone = all_marts(export, validated, export_rules(export, validated), KEY)
        assert not alone.rejected and not stacked.rejected
        _assert_same(alone.frames, stacked.frames)
        failures += len(alone.frames["validation_failures"])
    assert failures


def test_a_mart_breaking_its_contract_is_held_back_for_its_own_authority_only(loads):
    (export, validated, rules), *others = loads
    broken = {**rules.indicators, "disputes_by_stage": rules.indicators["disputes_by_stage"]
              .assign(stage="not a stage")}
    loads = [(export, validated, replace(rules, indicators=broken)), *others]
    first, *rest = stacked_marts(loads, KEY)
    assert set(first.rejected) == {"disputes_by_stage"}
    assert "stage" in first.rejected["disputes_by_stage"]
    for (export, validated, rules), marts in zip(others, rest, strict=True):
        assert not marts.rejected
        _assert_same(all_marts(export, validated, rules, KEY).frames, marts.frames)
