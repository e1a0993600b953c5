"""One line per authority and run, for people who read logs rather than Dagster's UI.

Lines go to Dagster's log and to ``$IRO_ETL_HOME/runs.log``. They carry counts and
rule-free words only, never a child's data.
"""

import logging
from datetime import UTC, datetime

import dagster as dg

from iro_assets.resources import state_dir


def write_run_line(log: logging.Logger | dg.DagsterLogManager, line: str) -> None:
    """``line``, stamped, in Dagster's log and the runs log."""
    stamped = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} {line}"
    log.info(stamped)
    path = state_dir() / "runs.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(stamped + "\n")
