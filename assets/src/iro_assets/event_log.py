"""Dagster's event log in one SQLite file, written through one engine per process.

Dagster's ``ConsolidatedSqliteEventLogStorage`` makes a new SQLAlchemy engine for every
connection it opens, so each event (two to four statements) pays for opening the file and
compiling its statements again: 10 to 15 ms an event on our machine, and a nightly run
writes about 125 events per authority (the planned and done materialisations, the check
evaluations). This storage keeps one engine for its life (a pool of connections, each
statement compiled once): about 3 ms an event. Every write is still a transaction of its
own, and other processes (the webserver, the daemon, a run's worker) read and write the same
file as before.

Its connections commit with ``synchronous=NORMAL``: in the write-ahead log Dagster keeps
this file in, a commit then waits for no flush to disk (the log is flushed when it is copied
back into the database). A nightly run commits some 290 times per authority, and the flush
cost 0.8 ms of each here (0.07 ms without): about 5 s of a 25-authority run. The file cannot
be corrupted this way; a power cut or an operating system crash (not a crash of a process)
may lose the last events written, as if the run had stopped a moment earlier. The marts
database, where loads are published, is not touched by this.

The settings that name it are the CLI's (``iro_cli.runner.INSTANCE_SETTINGS``) and
``.dagster_home/dagster.yaml``; a deployment keeps its events in PostgreSQL instead
(``deploy/dagster.yaml``).
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

import sqlalchemy as sa
from dagster._core.storage.event_log import ConsolidatedSqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS

from iro_assets.event_tables import TablesOnceFound


def _commit_without_flush(connection: sqlite3.Connection, _record: object) -> None:
    connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(TablesOnceFound, ConsolidatedSqliteEventLogStorage):
    """The consolidated SQLite event log (configured the same way: ``base_dir``) with one
    pooled engine instead of a new engine per connection, asking after its tables once."""

    @cached_property
    def _engine(self) -> sa.Engine:
        engine = sa.create_engine(self._conn_string,
                                  connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        sa.event.listen(engine, "connect", _commit_without_flush)
        return engine

    @contextmanager
    def _connect(self) -> Iterator[sa.Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        super().dispose()
        if "_engine" in self.__dict__:
            self._engine.dispose()
