"""What a load is doing, as it does it: one line per stage with its count and time.

The nightly job runs in this process (see :mod:`iro_cli.runner`); a watcher thread reads the
run's step events from the Dagster instance as they are written and hands them to a
:class:`Progress`, which prints through rich on a terminal. Cron gets nothing unless asked
(``-v``); ``-q`` keeps only errors. A table of each stage's time ends the command.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg
from rich.console import Console
from rich.table import Table

#: Stages as people name them, with the count each reports (a key of its metadata).
STAGES = {
    "export": ("read", "rows"),
    "validated_tables": ("validate", "failures"),
    "rule_results": ("rules", "reviews_assessed"),
    "published_marts": ("publish", "marts"),
    "annual_report": ("report", None),
    "failures_workbook": ("workbook", None),
}
_WATCHED = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS,
            dg.DagsterEventType.STEP_FAILURE,
            dg.DagsterEventType.ASSET_MATERIALIZATION}


@dataclass
class Step:
    authority: str
    key: str
    status: str
    seconds: float | None = None
    count: int | None = None


def _count(event: dg.DagsterEvent, stage: str) -> int | None:
    """The stage's headline count from its output's metadata, where it has one."""
    data = event.event_specific_data
    metadata = getattr(data, "metadata", None) or getattr(
        getattr(data, "materialization", None), "metadata", None) or {}
    if stage == "export":
        rows = [v.value for k, v in metadata.items() if k.startswith("rows_")
                and isinstance(getattr(v, "value", None), int)]
        return sum(rows) if rows else None
    name = STAGES.get(stage, (None, None))[1]
    value = metadata.get(name) if name else None
    return getattr(value, "value", None) if value is not None else None


class StepWatcher:
    """Polls the instance for one run's step events while the run executes."""

    def __init__(self, instance: dg.DagsterInstance, run_id: str, authority: str,
                 emit: Callable[[Step], None], every: float = 0.25) -> None:
        self.instance, self.run_id, self.authority, self.emit = instance, run_id, authority, emit
        self.every = every
        self._cursor: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._started: dict[str, float] = {}
        self._counts: dict[str, int] = {}

    def __enter__(self) -> StepWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self._poll()  # what was written after the last poll

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._poll()

    def _poll(self) -> None:
        try:
            records = self.instance.get_records_for_run(self.run_id, cursor=self._cursor,
                                                         of_type=_WATCHED)
        except Exception:  # the run's storage is not there yet: try again next time
            return
        self._cursor = records.cursor
        for record in records.records:
            event = record.event_log_entry.dagster_event
            if event is None:
                continue
            self._handle(event, record.event_log_entry.timestamp)

    def _handle(self, event: dg.DagsterEvent, when: float) -> None:
        step = event.step_key or ""
        kind = event.event_type
        if kind == dg.DagsterEventType.STEP_START:
            self._started[step] = when
            self.emit(Step(self.authority, step, "running"))
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            # One event per authority of the run (and, publishing, per mart): counts add up.
            if step == "published_marts":
                marts = event.asset_key is not None and event.asset_key.path[-1] != "load_log"
                self._counts[step] = self._counts.get(step, 0) + marts
            elif (count := _count(event, step)) is not None:
                self._counts[step] = self._counts.get(step, 0) + count
        else:
            seconds = when - self._started.get(step, when)
            status = "done" if kind == dg.DagsterEventType.STEP_SUCCESS else "failed"
            self.emit(Step(self.authority, step, status, seconds, self._counts.get(step)))


class Progress:
    """Prints steps as they finish and, at the end, how long each stage took."""

    def __init__(self, verbosity: int = 0, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True, highlight=False)
        # On a terminal by default; in cron only when asked (-v); never with -q.
        self.live = verbosity > 0 or (verbosity == 0 and self.console.is_terminal)
        self.steps: list[Step] = []
        self._began = time.monotonic()
        self._status = None

    def __call__(self, step: Step) -> None:
        if step.status == "running":
            if self.live and self.console.is_terminal:
                name = STAGES.get(step.key, (step.key, None))[0]
                self._spin(f"{step.authority}: {name} ...")
            return
        self.steps.append(step)
        if self.live:
            self._spin(None)
            name = STAGES.get(step.key, (step.key, None))[0]
            noun = (STAGES[step.key][1] or "").replace("_assessed", "") if step.key in STAGES \
                else ""
            count = f", {step.count:,} {noun}" if step.count is not None and noun else ""
            mark = "" if step.status == "done" else " FAILED"
            self.console.print(f"{step.authority}: {name}{mark} in {step.seconds:.1f} s{count}")

    def _spin(self, text: str | None) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        if text:
            self._status = self.console.status(text)
            self._status.start()

    def summary(self) -> None:
        """Seconds per stage, per authority, and the whole command's time."""
        self._spin(None)
        if not self.live or not self.steps:
            return
        table = Table(title=f"Time taken: {time.monotonic() - self._began:.1f} s in all",
                      title_justify="left")
        stages = list(dict.fromkeys(s.key for s in self.steps))
        table.add_column("authority")
        for key in stages:
            table.add_column(STAGES.get(key, (key, None))[0], justify="right")
        for authority in dict.fromkeys(s.authority for s in self.steps):
            took = {s.key: s.seconds for s in self.steps if s.authority == authority}
            table.add_row(authority, *(f"{took[k]:.1f}" if k in took else "" for k in stages))
        self.console.print(table)
