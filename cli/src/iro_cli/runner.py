"""Running the nightly job in process, as the CLI and the tests do: one pipeline, not two."""

import os
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandas as pd
from dagster._core.execution.plan.objects import StepFailureData
from dagster._core.utils import make_new_run_id
from iro_assets.assets import HELD
from iro_assets.definitions import defs
from iro_assets.jobs import nightly_load
from iro_assets.partitions import authority_partitions, authority_tags
from iro_assets.resources import default_db_url, state_dir
from iro_etl.marts.publish import make_engine, read_mart

from iro_cli.progress import Step, StepWatcher

#: The step that publishes the marts (what runs after it only reads them).
PUBLISH_STEP = "published_marts"
#: No telemetry, no "join the community" dialog over the UI on first visit, and one queued
#: run per authority at a time (as deploy/dagster.yaml, whose storage is PostgreSQL). Events
#: go to one SQLite file instead of one per run plus an index: a nightly run writes some 300
#: events per authority, and the consolidated store takes about 1 s less per authority.
INSTANCE_SETTINGS = """\
event_log_storage:
  module: dagster._core.storage.event_log
  class: ConsolidatedSqliteEventLogStorage
  config:
    base_dir:
      env: DAGSTER_HOME
telemetry:
  enabled: false
nux:
  enabled: false
run_queue:
  max_concurrent_runs: 2
  tag_concurrency_limits:
    - key: dagster/partition
      value:
        applyLimitPerUniqueValue: true
      limit: 1
"""


def dagster_instance() -> dg.DagsterInstance:
    """The instance in $DAGSTER_HOME (default ./.dagster_home, made with telemetry off)."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(Path(".dagster_home").resolve())))
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.exists():
        settings.write_text(INSTANCE_SETTINGS)
    return dg.DagsterInstance.get()


@contextmanager
def environment(**values: str | None):
    """Set the variables the resources read at run time, restoring them afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if v is not None})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class LoadOutcome:
    authority: str
    success: bool
    run_id: str
    error: str | None = None
    #: The step that failed, when one did.
    failed_step: str | None = None
    #: The marts were published (a step after publishing may still have failed).
    published: bool = False

    @property
    def held(self) -> bool:
        """The publish guard held the load back (the previous marts stay published)."""
        return bool(self.error) and self.error.startswith(HELD)


def run_authority(instance: dg.DagsterInstance, code: str, *, system: str | None = None,
                  input_path: Path | str | tuple[Path, ...] | None = None,
                  accept_drop: bool = False, on_step: Callable[[Step], None] | None = None
                  ) -> LoadOutcome:
    """Execute ``nightly_load`` for one authority partition in this process; ``on_step`` is
    told of each step as it starts and ends (see iro_cli.progress)."""
    if not instance.has_dynamic_partition(authority_partitions.name, code):
        instance.add_dynamic_partitions(authority_partitions.name, [code])
    # Engine events, failures and their stack traces go to the Dagster instance and the log
    # file, not the terminal: the command prints one line per authority.
    run_config: dict = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    if system and input_path:
        run_config["ops"] = {"export": {"config": {
            "system": system,
            "inputs": [p if isinstance(p, str) else str(p.resolve()) for p in
                       (input_path if isinstance(input_path, tuple) else (input_path,))],
        }}}
    if accept_drop:
        run_config.setdefault("ops", {})["published_marts"] = {"config": {"accept_drop": True}}
    job = defs.resolve_job_def(nightly_load.name)
    run_id = make_new_run_id()
    watching = StepWatcher(instance, run_id, code, on_step) if on_step else nullcontext()
    with watching:
        result = job.execute_in_process(run_config=run_config, instance=instance,
                                        partition_key=code, raise_on_error=False, run_id=run_id,
                                        tags=authority_tags(code, "command line"))
    error = step = None
    published = any(e.is_step_success and e.step_key == PUBLISH_STEP for e in result.all_events)
    if not result.success:
        failures = [e for e in result.all_events if e.is_step_failure]
        error = _one_line(failures[0].step_failure_data) if failures else "the run failed"
        step = failures[0].step_key if failures else None
        _log_failure(code, result.run_id, failures)
    return LoadOutcome(code, result.success, result.run_id, error, step, published)


def _one_line(data: StepFailureData) -> str:
    """What went wrong, in one line: a Failure's own description, else the root cause."""
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description.strip().splitlines()[0]
    error = data.error
    while error.cause is not None:
        error = error.cause
    return error.message.strip().splitlines()[0]


def log_path() -> Path:
    """The command line's log of failed runs, with their stack traces."""
    return state_dir() / "logs" / "iro-etl.log"


def _log_failure(code: str, run_id: str, failures: list[dg.DagsterEvent]) -> None:
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        for event in failures:
            fh.write(f"{pd.Timestamp.now(tz='UTC').isoformat()} {code} run {run_id} step "
                     f"{event.step_key} failed:\n{event.step_failure_data.error.to_string()}\n")


def summary(db_url: str | None, codes: list[str]) -> pd.DataFrame:
    """One line per authority from the published marts."""
    engine = make_engine(db_url or default_db_url())
    rows = []
    for code in codes:
        loads = read_mart(engine, "load_summary", code)
        indicator = read_mart(engine, "review_timeliness_indicator", code)
        population = read_mart(engine, "lac_population", code)
        overdue = read_mart(engine, "overdue_reviews", code)
        reviews = read_mart(engine, "review_timeliness", code)
        latest = indicator.sort_values("year_ending").tail(1)
        year = int(latest["year_ending"].iloc[0]) if len(latest) else None
        rows.append({
            "authority": code,
            "system": loads["system"].iloc[0] if len(loads) else "-",
            "rows in": int(loads["rows_in"].sum()),
            "quarantined": int(loads["rows_quarantined"].sum()),
            "errors": int(loads["errors"].sum()),
            "warnings": int(loads["warnings"].sum()),
            "reviews": len(reviews),
            "year": f"{year - 1}/{str(year)[-2:]}" if year else "-",
            "looked after 31 Mar": int(population.loc[population["year_ending"] == year,
                                                      "children"].sum()) if year else 0,
            "reviewed on time": (f"{int(latest['reviewed_on_time'].iloc[0])}/"
                                 f"{int(latest['cohort'].iloc[0])} ({latest['percent'].iloc[0]}%)"
                                 if year else "-"),
            "overdue now": len(overdue),
        })
    return pd.DataFrame(rows)
