"""One line per authority and run, for people who read logs rather than Dagster's UI.

The success hook fires when the marts are published; the failure hook on whichever step
failed. Lines go to Dagster's log and to ``$IRO_ETL_HOME/runs.log``. They carry counts
and rule-free words only, never a child's data.
"""

from datetime import UTC, datetime

import dagster as dg
from iro_etl.marts.publish import read_mart

from iro_assets.resources import state_dir

PARTITION_TAG = "dagster/partition"


def _write(context: dg.HookContext, line: str) -> None:
    stamped = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} {line}"
    context.log.info(stamped)
    log = state_dir() / "runs.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as fh:
        fh.write(stamped + "\n")


def _authority(context: dg.HookContext) -> str:
    run = context.instance.get_run_by_id(context.run_id)
    return run.tags.get(PARTITION_TAG, "?") if run else "?"


@dg.success_hook(required_resource_keys={"database"})
def load_succeeded(context: dg.HookContext) -> None:
    if context.op.name != "published_marts":
        return
    code = _authority(context)
    summary = read_mart(context.resources.database.engine(), "load_summary", code)
    _write(context, f"{code} published load {summary['load_id'].iloc[0]}: "
           f"{int(summary['rows_in'].sum())} rows in, {int(summary['rows_quarantined'].sum())} "
           f"quarantined, {int(summary['errors'].sum())} errors, "
           f"{int(summary['warnings'].sum())} warnings")


@dg.failure_hook
def load_failed(context: dg.HookContext) -> None:
    error = context.op_exception
    reason = str(error).strip().splitlines()[0] if error else "unknown error"
    _write(context, f"{_authority(context)} FAILED at {context.op.name}: {reason}")
