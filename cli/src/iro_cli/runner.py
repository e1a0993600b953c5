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
from iro_assets.batch import LoadResult
from iro_assets.definitions import defs
from iro_assets.jobs import nightly_load
from iro_assets.partitions import BATCH, PARTITION_TAG, authority_partitions, batches, range_tags
from iro_assets.resources import default_db_url, state_dir
from iro_etl.marts.publish import make_engine, mart_rows, read_mart

from iro_cli.progress import Step, StepWatcher

#: The step that publishes the marts (what runs after it only reads them).
PUBLISH_STEP = "published_marts"
#: The steps that write reports from the published marts.
REPORT_STEPS = ("annual_report", "failures_workbook")
#: No telemetry, no "join the community" dialog over the UI on first visit, and one queued
#: run per authority at a time (as deploy/dagster.yaml, whose storage is PostgreSQL). Events
#: go to one SQLite file, through one engine per process (iro_assets.event_log): a nightly
#: run writes some 125 events per authority, and Dagster's own SQLite stores make a new
#: engine for each, 10-15 ms an event instead of about 3.
INSTANCE_SETTINGS = """\
event_log_storage:
  module: iro_assets.event_log
  class: PooledSqliteEventLogStorage
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
    """Execute ``nightly_load`` for one authority partition in this process, reading
    ``input_path`` with ``system``'s plugin when given; ``on_step`` is told of each step as
    it starts and ends (see iro_cli.progress)."""
    run_config = _run_config(accept_drop)
    if system and input_path:
        run_config["ops"]["export"] = {"config": {
            "system": system,
            "inputs": [p if isinstance(p, str) else str(p.resolve()) for p in
                       (input_path if isinstance(input_path, tuple) else (input_path,))],
        }}
    _add_partitions(instance, [code])
    return _execute(instance, [code], run_config, on_step)[0]


def run_authorities(instance: dg.DagsterInstance, codes: list[str], *, accept_drop: bool = False,
                    on_step: Callable[[Step], None] | None = None, batch: int = BATCH
                    ) -> list[LoadOutcome]:
    """Execute ``nightly_load`` for ``codes`` in this process, as runs of up to ``batch``
    authorities each (a range of partitions: see iro_assets.partitions); the outcomes in the
    order of ``codes``."""
    _add_partitions(instance, codes)
    known = list(instance.get_dynamic_partitions(authority_partitions.name))
    outcomes = {}
    for run in batches(known, codes, batch):
        for outcome in _execute(instance, run, _run_config(accept_drop), on_step):
            outcomes[outcome.authority] = outcome
    return [outcomes[code] for code in codes]


def _add_partitions(instance: dg.DagsterInstance, codes: list[str]) -> None:
    known = set(instance.get_dynamic_partitions(authority_partitions.name))
    if missing := [code for code in codes if code not in known]:
        instance.add_dynamic_partitions(authority_partitions.name, missing)


def _run_config(accept_drop: bool) -> dict:
    # Engine events, failures and their stack traces go to the Dagster instance and the log
    # file, not the terminal: the command prints one line per authority.
    config: dict = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}, "ops": {}}
    if accept_drop:
        config["ops"]["published_marts"] = {"config": {"accept_drop": True}}
    return config


def _execute(instance: dg.DagsterInstance, codes: list[str], run_config: dict,
             on_step: Callable[[Step], None] | None) -> list[LoadOutcome]:
    job = defs.resolve_job_def(nightly_load.name)
    run_id = make_new_run_id()
    label = codes[0] if len(codes) == 1 else f"{codes[0]}..{codes[-1]}"
    watching = StepWatcher(instance, run_id, label, on_step) if on_step else nullcontext()
    single = {"partition_key": codes[0]} if len(codes) == 1 else {}
    tags = {k: v for k, v in range_tags(codes, "command line").items() if k != PARTITION_TAG}
    with watching:
        result = job.execute_in_process(run_config=run_config, instance=instance,
                                        raise_on_error=False, run_id=run_id, tags=tags, **single)
    return _outcomes(result, codes)


def _outcomes(result: dg.ExecuteInProcessResult, codes: list[str]) -> list[LoadOutcome]:
    """Each authority's outcome: how the load log says its load ended, else the step that
    failed for the whole run, and a report that failed for it after publishing."""
    failures = [e for e in result.all_events if e.is_step_failure]
    loads: dict[str, LoadResult] = {}
    if any(e.is_step_success and e.step_key == PUBLISH_STEP for e in result.all_events):
        loads = result.output_for_node(PUBLISH_STEP, "load_log")
    outcomes = []
    for code in codes:
        load = loads.get(code)
        if load is not None:
            f = load.failure
            outcome = LoadOutcome(code, f is None, result.run_id, f and f.message, f and f.step,
                                  load.published)
            if f is not None and f.detail:
                _log_failure(code, result.run_id, f.step, f.detail)
        else:
            # A step failed for every authority of the run (or was never reached).
            first = next((e for e in failures if e.step_key not in REPORT_STEPS), None)
            step, said = _said(first, code) if first else (None, "the run failed")
            outcome = LoadOutcome(code, False, result.run_id, said, step)
            if first is not None:
                _log_failure(code, result.run_id, step, first.step_failure_data.error.to_string())
        for event in failures:
            report = _said(event, code, whole=False) if event.step_key in REPORT_STEPS else None
            if report and outcome.success:
                step, said = report
                outcome = LoadOutcome(code, False, result.run_id, said, step, outcome.published)
        outcomes.append(outcome)
    return outcomes


def _said(event: dg.DagsterEvent, code: str, whole: bool = True) -> tuple[str, str] | None:
    """Where and why ``code`` failed, as a step's failure says: the authority's own entry
    where the step gave one per authority, else (``whole``) the step and its failure."""
    data = event.step_failure_data
    failure = data.user_failure_data
    if failure is not None and code in failure.metadata:
        entry = failure.metadata[code].value
        return entry["step"], entry["message"]
    return (event.step_key, _one_line(data)) if whole else None


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


def _log_failure(code: str, run_id: str, step: str, trace: str) -> None:
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"{pd.Timestamp.now(tz='UTC').isoformat()} {code} run {run_id} step "
                 f"{step} failed:\n{trace}\n")


def summary(db_url: str | None, codes: list[str]) -> pd.DataFrame:
    """One line per authority from the published marts."""
    engine = make_engine(db_url or default_db_url())
    # Each mart once for every authority of the run, not once per authority; of the
    # biggest, only their numbers of rows.
    marts = [read_mart(engine, name, codes) for name in (
        "load_summary", "review_timeliness_indicator", "lac_population")]
    overdue, reviews = (mart_rows(engine, name, codes)
                        for name in ("overdue_reviews", "review_timeliness"))
    engine.dispose()
    split = [(frame.iloc[:0], dict(tuple(frame.groupby("authority")))) for frame in marts]
    rows = []
    for code in codes:
        loads, indicator, population = (by_code.get(code, none) for none, by_code in split)
        latest = indicator.sort_values("year_ending").tail(1)
        year = int(latest["year_ending"].iloc[0]) if len(latest) else None
        rows.append({
            "authority": code,
            "system": loads["system"].iloc[0] if len(loads) else "-",
            "rows in": int(loads["rows_in"].sum()),
            "quarantined": int(loads["rows_quarantined"].sum()),
            "errors": int(loads["errors"].sum()),
            "warnings": int(loads["warnings"].sum()),
            "reviews": reviews.get(code, 0),
            "year": f"{year - 1}/{str(year)[-2:]}" if year else "-",
            "looked after 31 Mar": int(population.loc[population["year_ending"] == year,
                                                      "children"].sum()) if year else 0,
            "reviewed on time": (f"{int(latest['reviewed_on_time'].iloc[0])}/"
                                 f"{int(latest['cohort'].iloc[0])} ({latest['percent'].iloc[0]}%)"
                                 if year else "-"),
            "overdue now": overdue.get(code, 0),
        })
    return pd.DataFrame(rows)
