"""Which of its tables an event log has, asked of the database once per table found.

Dagster's SQL event logs ask whether a table exists (asset checks', dynamic partitions')
before storing nearly every event: about one question per event, each a catalogue query on
a connection of its own (on SQLite, a new engine too), about a tenth of a nightly run's time
in Dagster. Tables are only ever added (by ``dagster instance migrate`` or on creation), so
a table found once is known to be there for the life of the storage; a table not found is
asked about again, as a migration may add it meanwhile. The same holds for the asset key
table's index columns, which the SQL event log looks for (reading the table's columns from
the catalogue) before storing each asset event.
"""

import sqlalchemy as sa


class TablesOnceFound:
    """Mixin for a Dagster SQL event log storage: ``has_table`` remembers the tables found,
    and the asset event writer whether the asset key table has its index columns once it has."""

    def has_table(self, table_name: str) -> bool:
        found: set[str] = self.__dict__.setdefault("_tables_found", set())
        if table_name not in found:
            if not super().has_table(table_name):  # type: ignore[misc]
                return False
            found.add(table_name)
        return True

    def _has_asset_key_index_cols_on_connection(self, conn: sa.Connection) -> bool:
        if not self.__dict__.get("_index_cols_found"):
            self.__dict__["_index_cols_found"] = (
                super()._has_asset_key_index_cols_on_connection(conn))  # type: ignore[misc]
        return self.__dict__["_index_cols_found"]
