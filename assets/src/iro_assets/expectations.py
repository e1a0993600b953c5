"""Great Expectations on the marts a load built: a check on each mart, and the Data Docs site.

The suites come from the same pandera contract as the marts (see
``iro_etl.reports.expectations``). ``published_marts`` runs them as it publishes, on the
frames it holds (nothing is read back from the database): those it wrote, and those its
contract held back, so Data Docs show which values broke them. It writes the offline Data
Docs once per run to ``<state>/data_docs/site`` and reports each suite as a WARN check on
its mart, beside the mart's contract check: a failed expectation is something to look at,
not a reason to stop the run.
"""

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import pandas as pd
from iro_schemas.marts import MART_MODELS

from iro_assets.resources import state_dir

if TYPE_CHECKING:  # GX is imported only when the suites run (see expectation_checks).
    from iro_etl.reports.expectations import MartExpectations


def check_name(mart: str) -> str:
    """The asset check that reports mart ``mart``'s suite."""
    return f"{mart}_expectations"


EXPECTATION_CHECKS = [
    dg.AssetCheckSpec(check_name(name), asset=name,
                      description=f"The {name} mart this load built meets its Great "
                      "Expectations suite (code lists, ranges and grain, from its contract).")
    for name in MART_MODELS
]


def data_docs_dir() -> Path:
    """Where the Data Docs site and the GX project behind it are kept."""
    return state_dir() / "data_docs"


def _check_result(mart: "MartExpectations", index: Path, published: bool) -> dg.AssetCheckResult:
    """One mart's suite as a check on the mart: counts and failed expectation types, never
    row values, and where the Data Docs are."""
    failed = "\n".join(f"- `{label}`" for label in mart.failed_expectations) or "none"
    return dg.AssetCheckResult(
        asset_key=mart.name, check_name=check_name(mart.name), passed=mart.success,
        severity=dg.AssetCheckSeverity.WARN,
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


def _not_built(name: str) -> dg.AssetCheckResult:
    # Nothing to judge: a mart this load did not build (the failure history of a load that
    # broke validation_failures' contract) keeps its rows, and its contract check says why.
    return dg.AssetCheckResult(asset_key=name, check_name=check_name(name), passed=True,
                               severity=dg.AssetCheckSeverity.WARN,
                               metadata={"rows": 0, "published": False, "evaluated": 0,
                                         "note": "not built by this load"})


def expectation_checks(authority: str, frames: Mapping[str, pd.DataFrame],
                       published: set[str]) -> Iterator[dg.AssetCheckResult]:
    """Run the suites on ``frames`` in memory, build Data Docs once, and report each mart."""
    # Imported here: GX takes seconds to import, and loading the code location (or any
    # command that validates nothing) should not pay for it.
    from iro_etl.reports.data_docs import build_data_docs
    from iro_etl.reports.expectations import validate_frames

    results = validate_frames(authority, frames)
    index = build_data_docs(data_docs_dir(), results)
    for name in MART_MODELS:
        mart = results.get(name)
        yield _not_built(name) if mart is None else _check_result(mart, index, name in published)
