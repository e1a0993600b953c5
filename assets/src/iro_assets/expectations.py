"""Great Expectations on the published marts: one asset check per mart, and the Data Docs site.

The suites come from the same pandera contract as the marts (see
``iro_etl.reports.expectations``); this asset runs them on the authority's rows once its
marts are published, writes the offline Data Docs to ``<state>/data_docs/site``
and reports each suite as a WARN check: a failed expectation is something to
look at, not a reason to stop the run, since the marts are already out.
"""

from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
from iro_schemas.marts import MART_MODELS

from iro_assets.partitions import authority_partitions
from iro_assets.resources import MartsDatabase, state_dir

if TYPE_CHECKING:  # GX is imported only when the asset runs (see below).
    from iro_etl.reports.expectations import MartExpectations

ASSET = "mart_expectations"


def check_name(mart: str) -> str:
    """The asset check that reports mart ``mart``'s suite."""
    return f"{mart}_expectations"


def data_docs_dir() -> Path:
    """Where the Data Docs site and the GX project behind it are kept."""
    return state_dir() / "data_docs"


def _check_result(mart: "MartExpectations") -> dg.AssetCheckResult:
    """One mart's suite as a check: counts and failed expectation types, never row values."""
    failed = "\n".join(f"- `{label}`" for label in mart.failed_expectations) or "none"
    return dg.AssetCheckResult(
        check_name=check_name(mart.name), passed=mart.success,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rows": mart.rows,
            "evaluated": mart.evaluated,
            "failed": mart.failed,
            "failed_expectation_types": dg.MetadataValue.json(mart.failed_types),
            "failed_expectations": dg.MetadataValue.md(failed),
        },
    )


def _summary(results: dict[str, "MartExpectations"]) -> str:
    lines = ["| mart | rows | evaluated | failed |", "| --- | --- | --- | --- |"]
    lines += [f"| {m.name} | {m.rows} | {m.evaluated} | {m.failed} |" for m in results.values()]
    return "\n".join(lines)


@dg.asset(
    partitions_def=authority_partitions, group_name="reports", deps=list(MART_MODELS),
    description="Great Expectations suites, generated from the marts' pandera contract, run on "
    "the authority's published marts; results in the offline Data Docs site.",
    check_specs=[dg.AssetCheckSpec(check_name(name), asset=ASSET,
                                   description=f"The {name} mart as published meets its suite.")
                 for name in MART_MODELS],
)
def mart_expectations(context: dg.AssetExecutionContext,
                      database: MartsDatabase) -> dg.MaterializeResult:
    # Imported here, not at the top: GX takes seconds to import, and loading the code
    # location (or running any other asset in its own process) should not pay for it.
    from iro_etl.reports.data_docs import build_data_docs
    from iro_etl.reports.expectations import validate_marts

    results = validate_marts(database.engine(), context.partition_key)
    index = build_data_docs(data_docs_dir(), results)
    return dg.MaterializeResult(
        metadata={
            "data_docs": dg.MetadataValue.path(str(index)),
            "suites": len(results),
            "failed_suites": sum(not m.success for m in results.values()),
            "summary": dg.MetadataValue.md(_summary(results)),
        },
        check_results=[_check_result(mart) for mart in results.values()],
    )
