"""The nightly schedule: every configured authority at 02:00 London time, in runs of up to
:data:`~iro_assets.partitions.BATCH` authorities loaded together."""

import dagster as dg
from iro_etl.config import ConfigError

from iro_assets.jobs import nightly_load
from iro_assets.partitions import authority_partitions, batches, range_tags
from iro_assets.resources import IroSettings


@dg.schedule(job=nightly_load, cron_schedule="0 2 * * *", execution_timezone="Europe/London",
             default_status=dg.DefaultScheduleStatus.RUNNING)
def nightly(context: dg.ScheduleEvaluationContext, settings: IroSettings):
    try:
        codes = sorted(settings.authorities())
    except ConfigError as exc:
        return dg.SkipReason(f"No authorities to load: {exc}")
    known = list(context.instance.get_dynamic_partitions(authority_partitions.name))
    missing = [code for code in codes if code not in set(known)]
    if missing:
        # Schedules cannot return partition requests, so new authorities are added here.
        context.instance.add_dynamic_partitions(authority_partitions.name, missing)
    night = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return [dg.RunRequest(run_key=f"{run[0]}..{run[-1]}:{night}",
                          partition_key=run[0] if len(run) == 1 else None,
                          tags=range_tags(run, "nightly"))
            for run in batches(known + missing, codes)]
