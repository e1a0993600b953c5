"""The one pipeline: every asset of one authority, in dependency order."""

import dagster as dg

nightly_load = dg.define_asset_job(
    "nightly_load",
    selection=dg.AssetSelection.all(),
    description="Read, validate, apply the rules and publish the marts of one authority.",
)

failures_workbook_job = dg.define_asset_job(
    "failures_workbook_job",
    selection=dg.AssetSelection.assets("failures_workbook"),
    description="Rebuild one authority's failures workbook from the published marts, on demand.",
)
