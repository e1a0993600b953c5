"""The one pipeline: every asset of one authority, in dependency order."""

import dagster as dg

from iro_assets.partitions import authority_partitions

nightly_load = dg.define_asset_job(
    "nightly_load",
    selection=dg.AssetSelection.all(),
    partitions_def=authority_partitions,
    description="Read, validate, apply the rules and publish the marts of one authority.",
)
