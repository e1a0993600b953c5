"""Dagster's event log in PostgreSQL, written through a small pool of connections.

dagster-postgres opens a new connection for every statement it runs outside the webserver
(its engine has no pool, so an idle process holds none): an event costs three to five
connections, 20 to 30 ms on the machine of docs/benchmarks.md, and a nightly run writes
about 125 events per authority. This storage keeps a few connections open per process (a
run's worker, the daemon): about 4.5 ms an event. Each statement still commits on its own,
as before. The webserver replaces the engine with its own pool, as it does for the stock
storage.

Named by ``deploy/dagster.yaml``; needs ``iro-assets[postgres]`` (dagster-postgres).
"""

from collections.abc import Mapping
from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.utils import (
    create_pg_engine,
    get_token_provider_from_config,
    pg_url_from_config,
)

from iro_assets.event_tables import TablesOnceFound

#: Connections kept open: an event nests up to three (the run's, the index's, the asset
#: check's); more are opened when needed and closed after.
POOL_SIZE = 3


class PooledPostgresEventLogStorage(TablesOnceFound, PostgresEventLogStorage):
    """The PostgreSQL event log (configured the same way) with a pool of connections,
    asking after its tables once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._engine.dispose()
        # A long-lived process outlives a server restart: a connection is tested before use.
        self._engine = create_pg_engine(self.postgres_url, self._token_provider,
                                        isolation_level="AUTOCOMMIT", pool_size=POOL_SIZE,
                                        max_overflow=10, pool_recycle=3600,
                                        pool_pre_ping=True)

    def dispose(self) -> None:
        super().dispose()
        # The stock store held no connection between statements; this one holds its pool.
        self._engine.dispose()

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None,
                          config_value: Mapping[str, Any]) -> "PooledPostgresEventLogStorage":
        # The parent builds its own class by name; this builds ours from the same settings.
        return cls(inst_data=inst_data, postgres_url=pg_url_from_config(config_value),
                   should_autocreate_tables=config_value.get("should_autocreate_tables", True),
                   token_provider=get_token_provider_from_config(config_value))
