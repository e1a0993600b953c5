"""The one pipeline: every asset of one authority, in dependency order."""

import dagster as dg

from iro_assets.hooks import load_failed

nightly_load = dg.define_asset_job(
    "nightly_load",
    selection=dg.AssetSelection.all(),
    description="Read, validate, apply the rules and publish the marts of one authority, or of "
    "a range of them together.",
    hooks={load_failed},
    # One process per run: the intermediates live in its memory (see the io_manager).
    executor_def=dg.in_process_executor,
)

failures_workbook_job = dg.define_asset_job(
    "failures_workbook_job",
    selection=dg.AssetSelection.assets("failures_workbook"),
    description="Rebuild one authority's failures workbook from the published marts, on demand.",
)
