"""Dagster's event log in one SQLite file, written through one engine per process.

Dagster's ``ConsolidatedSqliteEventLogStorage`` makes a new SQLAlchemy engine for every
connection it opens, so each event (two to four statements) pays for opening the file and
compiling its statements again: 10 to 15 ms an event on our machine, and a nightly run
writes about 125 events per authority (the planned and done materialisations, the check
evaluations). This storage keeps one engine for its life (a pool of connections, each
statement compiled once): about 3 ms an event. Every write is still a transaction of its
own, committed to the write-ahead log with the same durability, and other processes (the
webserver, the daemon, a run's worker) read and write the same file as before.

The settings that name it are the CLI's (``iro_cli.runner.INSTANCE_SETTINGS``) and
``.dagster_home/dagster.yaml``; a deployment keeps its events in PostgreSQL instead
(``deploy/dagster.yaml``).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

import sqlalchemy as sa
from dagster._core.storage.event_log import ConsolidatedSqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS

from iro_assets.event_tables import TablesOnceFound


class PooledSqliteEventLogStorage(TablesOnceFound, ConsolidatedSqliteEventLogStorage):
    """The consolidated SQLite event log (configured the same way: ``base_dir``) with one
    pooled engine instead of a new engine per connection, asking after its tables once."""

    @cached_property
    def _engine(self) -> sa.Engine:
        return sa.create_engine(self._conn_string,
                                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})

    @contextmanager
    def _connect(self) -> Iterator[sa.Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        super().dispose()
        if "_engine" in self.__dict__:
            self._engine.dispose()
