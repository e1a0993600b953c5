"""Loading a seed scenario the way the demo does: its system's export, read back and published."""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from equivalence import assert_same_as_truth
from iro_etl.config import Authority
from iro_etl.marts.build import RuleResults
from iro_etl.marts.publish import make_engine, publish_load
from iro_etl.pipeline import Export, all_marts, export_rules, read_export, validate_export
from iro_etl.quality.validation import ValidatedTables
from iro_schemas.canonical import CANONICAL_MODELS
from iro_testdata.seed_scenarios import SCENARIOS
from iro_testdata.synthetic import GroundTruth
from iro_testdata.writers import write_export


@dataclass(frozen=True)
class LoadedSeed:
    truth: GroundTruth
    export: Export
    validated: ValidatedTables
    results: RuleResults


def load_seed(name: str, dest: Path) -> LoadedSeed:
    """Write scenario ``name`` as its system's export, read and validate it, apply the rules."""
    scenario = SCENARIOS[name]
    truth = scenario.build()
    write_export(scenario.system, truth, dest)
    authority = Authority(scenario.code, name, scenario.system, dest, policies=scenario.policies)
    export = read_export(authority, scenario.as_of)
    validated = validate_export(export)
    assert validated.failures.empty, validated.failures.head(20).to_string()
    return LoadedSeed(truth, export, validated, export_rules(export, validated))


def assert_read_back_whole(name: str, seed: LoadedSeed, system: str) -> None:
    """The scenario is written as ``system``'s export and every canonical table reads back equal."""
    scenario = SCENARIOS[name]
    assert scenario.system == system
    assert_same_as_truth(seed.validated.clean, seed.truth, list(CANONICAL_MODELS))


def published_comparison(name: str, seed: LoadedSeed, db_url: str) -> pd.DataFrame:
    """Publish the seed's marts to ``db_url`` and compare them with the report's figures."""
    scenario = SCENARIOS[name]
    engine = make_engine(db_url)
    try:
        marts = all_marts(seed.export, seed.validated, seed.results, b"seed key")
        assert not marts.rejected, marts.rejected
        publish_load(engine, scenario.code, marts.frames, seed.export.load_id, scenario.as_of)
        return scenario.compare(engine, scenario.code)
    finally:
        engine.dispose()
