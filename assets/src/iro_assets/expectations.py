"""Great Expectations on the marts a load built: a check on each mart, and the Data Docs site.

The suites come from the same pandera contract as the marts (see
``iro_etl.reports.expectations``). ``published_marts`` runs them as it publishes, on the
frames it holds (nothing is read back from the database): those it wrote, and those its
contract held back, so Data Docs show which values broke them. Only the marts whose frame
changed since the authority's last run are validated (``iro_etl.reports.expectation_runs``),
each mart's suite once over all the run's authorities
(``iro_etl.reports.expectations.validate_loads``); their results go to the offline Data
Docs in ``<state>/data_docs/site``, built once per run. Each suite is reported as a WARN
check on its mart, beside the mart's contract check: a failed expectation is something to
look at, not a reason to stop the run.
"""

from collections.abc import Mapping
from pathlib import Path

import dagster as dg
import pandas as pd
from iro_etl.reports.expectation_runs import MartExpectations, plans, record, site_index
from iro_schemas.marts import MART_MODELS

from iro_assets.partitions import authority_partitions
from iro_assets.resources import state_dir


def check_name(mart: str) -> str:
    """The asset check that reports mart ``mart``'s suite."""
    return f"{mart}_expectations"


EXPECTATION_CHECKS = [
    dg.AssetCheckSpec(check_name(name), asset=name, partitions_def=authority_partitions,
                      description=f"The {name} mart this load built meets its Great "
                      "Expectations suite (code lists, ranges and grain, from its contract).")
    for name in MART_MODELS
]


def data_docs_dir() -> Path:
    """Where the Data Docs site and the GX project behind it are kept."""
    return state_dir() / "data_docs"


def _check_result(authority: str, mart: MartExpectations, index: Path, published: bool
                  ) -> dg.AssetCheckEvaluation:
    """One mart's suite as a check on the authority's mart: counts and failed expectation
    types, never row values, and where the Data Docs are."""
    failed = "\n".join(f"- `{label}`" for label in mart.failed_expectations) or "none"
    return dg.AssetCheckEvaluation(
        asset_key=dg.AssetKey(mart.name), check_name=check_name(mart.name), passed=mart.success,
        severity=dg.AssetCheckSeverity.WARN, partition=authority,
        metadata={
            "rows": mart.rows,
            "published": published,
            "evaluated": mart.evaluated,
            "failed": mart.failed,
            "failed_expectation_types": dg.MetadataValue.json(mart.failed_types),
            "failed_expectations": dg.MetadataValue.md(failed),
            "data_docs": dg.MetadataValue.path(str(index)),
        },
    )


def _not_built(authority: str, name: str) -> dg.AssetCheckEvaluation:
    # Nothing to judge: a mart this load did not build (the failure history of a load that
    # broke validation_failures' contract) keeps its rows, and its contract check says why.
    return dg.AssetCheckEvaluation(asset_key=dg.AssetKey(name), check_name=check_name(name),
                                   passed=True, severity=dg.AssetCheckSeverity.WARN,
                                   partition=authority,
                                   metadata={"rows": 0, "published": False, "evaluated": 0,
                                             "note": "not built by this load"})


def expectation_checks(frames: Mapping[str, Mapping[str, pd.DataFrame]],
                       published: Mapping[str, set[str]]
                       ) -> dict[str, list[dg.AssetCheckEvaluation]]:
    """Each authority's suite results (``frames``: its marts built, by authority; ``published``:
    those it wrote). The marts that changed since an authority's last run are validated in
    memory, each mart's suite once over the run's authorities; Data Docs are built once
    for them all; an unchanged mart reports its last result."""
    folder = data_docs_dir()
    todo = plans(folder, frames)
    changed = {code: p.changed for code, p in todo.items() if p.changed}
    fresh: dict[str, dict[str, MartExpectations]] = {}
    if changed:
        # Imported here: GX takes seconds to import, and loading the code location (or a
        # run whose marts are all as they were) should not pay for it.
        from iro_etl.reports.data_docs import build_data_docs
        from iro_etl.reports.expectations import validate_loads

        fresh = validate_loads(changed)
        build_data_docs(folder, [mart for marts in fresh.values() for mart in marts.values()])
    index = site_index(folder)
    out = {}
    for code, done in todo.items():
        results = {**done.unchanged, **fresh.get(code, {})}
        record(folder, code, done, results)
        out[code] = [_not_built(code, name) if name not in results
                     else _check_result(code, results[name], index, name in published[code])
                     for name in MART_MODELS]
    return out
