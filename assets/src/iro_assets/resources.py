"""Dagster resources: the marts database and the deployment's settings.

Nothing is read from the environment when definitions load: each value is
resolved when a run, schedule or sensor uses it (explicit config first, then
the environment variable, then the default).
"""


import os
from pathlib import Path

import dagster as dg
import pandas as pd
import sqlalchemy as sa
from iro_etl.config import Authority, check_code, load_authorities
from iro_etl.marts.pseudonym import load_key
from iro_etl.marts.publish import make_engine
from iro_etl.privacy import PRIVATE_UMASK

DEFAULT_STATE_DIR = ".iro_etl"


def state_dir() -> Path:
    """Where iro-etl keeps its database, reports and key: $IRO_ETL_HOME or ./.iro_etl."""
    return Path(os.environ.get("IRO_ETL_HOME", DEFAULT_STATE_DIR)).resolve()


def reports_dir(authority: str) -> Path:
    """Where an authority's workbooks are written: reports/<code> in the state folder (the
    code is checked first, so no code can name a folder outside it)."""
    return state_dir() / "reports" / check_code(authority)


def default_db_url() -> str:
    return os.environ.get("IRO_ETL_DB_URL") or f"sqlite:///{state_dir() / 'iro_etl.db'}"


class MartsDatabase(dg.ConfigurableResource):
    """Where marts are published: a SQLAlchemy URL (default: SQLite in the state folder)."""

    url: str | None = None

    def resolved_url(self) -> str:
        return self.url or default_db_url()

    def engine(self) -> sa.Engine:
        return make_engine(self.resolved_url())


class IroSettings(dg.ConfigurableResource):
    """The authorities file, the as-of date of a run, and the pseudonymisation key."""

    authorities_file: str | None = None
    #: Date the rules are computed for (YYYY-MM-DD); default: the day the run starts.
    as_of: str | None = None

    def config_path(self) -> Path:
        return Path(self.authorities_file or os.environ.get("IRO_ETL_CONFIG", "authorities.yaml"))

    def authorities(self) -> dict[str, Authority]:
        return load_authorities(self.config_path())

    def as_of_date(self) -> pd.Timestamp:
        value = self.as_of or os.environ.get("IRO_ETL_AS_OF")
        return pd.Timestamp(value).normalize() if value else pd.Timestamp.today().normalize()

    def pseudonym_key(self) -> bytes:
        return load_key(state_dir())

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Every file a run writes (database, key, workbooks, reports, Data Docs, logs) holds
        # or guards children's data: readable by the service's own user only.
        os.umask(PRIVATE_UMASK)
