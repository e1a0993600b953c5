"""The runs log's line for a step that failed unforeseen, for each authority of the run.

The assets write every other line as each authority's load ends (published, held back,
or failed at a step and kept as data: see :mod:`iro_assets.batch`).
"""

import dagster as dg

from iro_assets.batch import AuthoritiesFailed
from iro_assets.partitions import run_partitions
from iro_assets.runs_log import write_run_line


@dg.failure_hook
def load_failed(context: dg.HookContext) -> None:
    error = context.op_exception
    if isinstance(error, AuthoritiesFailed):
        return  # each authority's line is written already
    reason = str(error).strip().splitlines()[0] if error else "unknown error"
    run = context.instance.get_run_by_id(context.run_id)
    for code in run_partitions(context.instance, run.tags if run else {}) or ["?"]:
        write_run_line(context.log, f"{code} FAILED at {context.op.name}: {reason}")
