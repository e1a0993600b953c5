"""The authorities of one run, stage by stage: each stage's results, and who failed on the way.

A run loads one authority (a partition) or several (a range of partitions, as the nightly
schedule and ``iro-etl run`` start them). Every stage works on all of the run's
authorities at once, and one authority's failure must not stop the others: a failure
is kept as data (:class:`Failed`), the rest go on, and the run ends failed for it alone.
Only when every authority of the run has failed does a stage itself fail, as a run of
one authority always did.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import dagster as dg

from iro_assets.runs_log import write_run_line

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Failed:
    """Why an authority stopped: the step, one line for people, the stack trace for the log."""

    step: str
    message: str
    detail: str = ""
    #: The exception itself, so a step that fails for it chains it as the cause.
    error: BaseException | None = field(default=None, compare=False, repr=False)


@dataclass
class Batch(Generic[T]):
    """One stage's results for the run's authorities, by code, and those that failed before."""

    done: dict[str, T]
    failed: dict[str, Failed] = field(default_factory=dict)

    def then(self, results: dict[str, R], failed: Mapping[str, Failed]) -> Batch[R]:
        """The next stage: its results, and every failure so far."""
        return Batch(results, {**self.failed, **failed})


@dataclass(frozen=True)
class LoadResult:
    """How an authority's load of the run ended (the ``load_log`` asset's value)."""

    #: Its marts were published (a held load publishes its failures and summary only).
    published: bool = False
    #: Why it stopped, was held back, or failed after publishing.
    failure: Failed | None = None
    #: The load's counts in words, for the runs log.
    counts: str = ""
    #: The publish guard held it back (``failure`` says why).
    held: bool = False

    @property
    def status(self) -> str:
        return "published" if self.published else "held" if self.held else "failed"


class AuthoritiesFailed(dg.Failure):
    """A step failed for authorities of the run, each already logged on its own (the
    failure hook adds nothing) and named with its step and reason in the metadata."""


def one_line(error: BaseException) -> str:
    """What went wrong, in one line: a Failure's own description, else the root cause."""
    if isinstance(error, dg.Failure) and error.description:
        return error.description.strip().splitlines()[0]
    while error.__cause__ is not None:
        error = error.__cause__
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def failed(step: str, error: BaseException) -> Failed:
    return Failed(step, one_line(error), "".join(traceback.format_exception(error)), error)


def each(step: str, items: Mapping[str, T], work: Callable[[str, T], R]
         ) -> tuple[dict[str, R], dict[str, Failed]]:
    """``work`` on each authority's item, one by one; an exception stops that authority only."""
    done: dict[str, R] = {}
    lost: dict[str, Failed] = {}
    for code, item in items.items():
        try:
            done[code] = work(code, item)
        except Exception as exc:  # one authority's failure, kept as data
            lost[code] = failed(step, exc)
    return done, lost


def together(step: str, items: Mapping[str, T], stacked: Callable[[dict[str, T]], dict[str, R]],
             alone: Callable[[str, T], R]) -> tuple[dict[str, R], dict[str, Failed]]:
    """``stacked`` over every authority at once; if that raises, ``alone`` on each in turn, so
    an export that breaks the stacked stage holds back no one else."""
    if not items:
        return {}, {}
    try:
        return stacked(dict(items)), {}
    except Exception:  # found again, and kept, by the authority it belongs to
        return each(step, items, alone)


def failure_metadata(failures: Mapping[str, Failed]) -> dict[str, dg.MetadataValue]:
    """A step failure's metadata: where and why each authority failed, by code (the command
    line tells each its own)."""
    return {code: dg.MetadataValue.json({"step": f.step, "message": f.message})
            for code, f in failures.items()}


def log_failures(context: dg.AssetExecutionContext, failures: Mapping[str, Failed]) -> None:
    """Each failure in Dagster's log (with its stack trace) and as one line in the runs log."""
    for code, f in failures.items():
        context.log.error(f"{code} failed at {f.step}: {f.message}\n{f.detail}")
        write_run_line(context.log, f"{code} FAILED at {f.step}: {f.message}")


def finish(context: dg.AssetExecutionContext, batch: Batch[T], step: str) -> Batch[T]:
    """Log the authorities that failed at ``step`` and, if none is left, fail the step."""
    new = {code: f for code, f in batch.failed.items() if f.step == step}
    log_failures(context, new)
    if not batch.done and new:
        first = next(iter(new.values()))
        description = first.message if len(new) == 1 else \
            f"every authority of the run failed at {step}"
        # Every authority of the run has failed by now, some perhaps at an earlier step.
        raise AuthoritiesFailed(description=description, metadata=failure_metadata(batch.failed)
                                ) from first.error
    return batch
