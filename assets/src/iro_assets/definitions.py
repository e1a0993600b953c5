"""The iro-etl code location: assets, checks, the nightly job, its schedule, sensor and resources."""

import dagster as dg

from iro_assets.assets import (
    annual_report,
    export,
    failures_workbook,
    load_published,
    published_marts,
    rule_results,
    validated_tables,
)
from iro_assets.jobs import failures_workbook_job, nightly_load
from iro_assets.process_exit import skip_last_sweep
from iro_assets.resources import IroSettings, MartsDatabase
from iro_assets.schedules import nightly
from iro_assets.sensors import export_drop

# Every process that loads the code location runs loads (the CLI, a run's worker) or
# serves them; none needs its objects swept as it ends.
skip_last_sweep()

defs = dg.Definitions(
    assets=[export, validated_tables, rule_results, published_marts, failures_workbook,
            annual_report],
    asset_checks=[load_published],
    jobs=[nightly_load, failures_workbook_job],
    schedules=[nightly],
    sensors=[export_drop],
    resources={
        "settings": IroSettings(), "database": MartsDatabase(),
        # Intermediates (the export, validated tables, rule results) hold children's raw
        # data: they stay in the run's memory and are gone when it ends, never pickled to
        # DAGSTER_HOME. The nightly job runs its steps in one process for that reason.
        "io_manager": dg.mem_io_manager,
    },
)
