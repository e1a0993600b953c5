"""Great Expectations on the published marts: a check on each mart, and the Data Docs site.

The suites come from the same pandera contract as the marts (see
``iro_etl.reports.expectations``); one multi-asset check runs them on the authority's rows
once its marts are published, writes the offline Data Docs to ``<state>/data_docs/site``
and reports each suite as a WARN check on its mart, beside the mart's contract check: a
failed expectation is something to look at, not a reason to stop the run, since the marts
are already out.
"""

from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
from iro_schemas.marts import MART_MODELS

from iro_assets.resources import MartsDatabase, state_dir

if TYPE_CHECKING:  # GX is imported only when the asset runs (see below).
    from iro_etl.reports.expectations import MartExpectations

ASSET = "mart_expectations"
#: The run's partition, that is the authority (checks are not partitioned themselves).
PARTITION_TAG = "dagster/partition"


def check_name(mart: str) -> str:
    """The asset check that reports mart ``mart``'s suite."""
    return f"{mart}_expectations"


def data_docs_dir() -> Path:
    """Where the Data Docs site and the GX project behind it are kept."""
    return state_dir() / "data_docs"


def _check_result(mart: "MartExpectations", index: Path) -> dg.AssetCheckResult:
    """One mart's suite as a check on the mart: counts and failed expectation types, never
    row values, and where the Data Docs are."""
    failed = "\n".join(f"- `{label}`" for label in mart.failed_expectations) or "none"
    return dg.AssetCheckResult(
        asset_key=mart.name, check_name=check_name(mart.name), passed=mart.success,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rows": mart.rows,
            "evaluated": mart.evaluated,
            "failed": mart.failed,
            "failed_expectation_types": dg.MetadataValue.json(mart.failed_types),
            "failed_expectations": dg.MetadataValue.md(failed),
            "data_docs": dg.MetadataValue.path(str(index)),
        },
    )


@dg.multi_asset_check(
    name=ASSET,
    specs=[dg.AssetCheckSpec(check_name(name), asset=name,
                             description=f"The {name} mart as published meets its Great "
                             "Expectations suite (generated from its contract).")
           for name in MART_MODELS],
    description="Great Expectations suites, generated from the marts' pandera contract, run on "
    "the authority's published marts; results in the offline Data Docs site.",
)
def mart_expectations(context: dg.AssetCheckExecutionContext, database: MartsDatabase):
    # Imported here, not at the top: GX takes seconds to import, and loading the code
    # location (or running any other asset in its own process) should not pay for it.
    from iro_etl.reports.data_docs import build_data_docs
    from iro_etl.reports.expectations import validate_marts

    authority = context.run.tags[PARTITION_TAG]
    results = validate_marts(database.engine(), authority)
    index = build_data_docs(data_docs_dir(), results)
    for mart in results.values():
        yield _check_result(mart, index)
