"""Publishing marts through SQLAlchemy: embedded SQLite by default, PostgreSQL by URL.

One publish is one transaction: for each mart it replaces the authority's rows
(delete, then insert), so readers see the previous load or this one, never
half, and publishing the same load twice leaves the same tables. Several
authorities' loads publish together (:func:`publish_loads`): each table is
made or checked once, and its rows of every authority replaced at once. Tables are
made from the mart schemas; a table whose columns no longer match the contract
is rebuilt inside the same transaction, keeping the other authorities' rows
where they fit the new columns (else they return with those authorities' next load).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import sqlalchemy as sa
from iro_schemas.marts import MART_KEYS, MART_MODELS, RESTRICTED_VIEWS, STATE_MODELS

from iro_etl.config import MAX_DROP
from iro_etl.quality.failures import failures_frame
from iro_etl.quality.guard import dropped_tables, held_reason, holding
from iro_etl.quality.history import update_history

_TYPES = {"str": sa.Text, "int64": sa.BigInteger, "Int64": sa.BigInteger,
          "float64": sa.Float, "boolean": sa.Boolean, "bool": sa.Boolean}


def sql_type(column: pa.Column) -> sa.types.TypeEngine:
    dtype = str(column.dtype)
    if dtype.startswith("datetime64[ns, "):
        return sa.DateTime(timezone=True)
    if dtype.startswith("datetime"):
        return sa.Date()
    return _TYPES.get(dtype, sa.Text)()


def sql_table(name: str, metadata: sa.MetaData, table_name: str | None = None) -> sa.Table:
    """The SQL table of a mart (or of people's own state), with column descriptions as comments."""
    schema = MART_MODELS.get(name) or STATE_MODELS[name]
    columns = [sa.Column(col, sql_type(spec), nullable=spec.nullable, comment=spec.description)
               for col, spec in schema.columns.items()]
    keys = MART_KEYS.get(name)
    # The mart's grain as a unique index (authority first), for BI tools to rely on.
    unique = ([sa.Index(f"ux_{table_name or name}_grain", "authority", *keys, unique=True)]
              if keys is not None else [])
    return sa.Table(table_name or name, metadata, *columns,
                    sa.Index(f"ix_{table_name or name}_authority", "authority"), *unique,
                    comment=schema.description)


def marts_url(url: str) -> sa.URL:
    """The URL of a marts database as given, but a plain ``postgresql://`` one with psycopg
    (3), the driver iro-etl depends on: SQLAlchemy would take psycopg2, which is not one of
    our dependencies."""
    parsed = sa.make_url(url)
    return parsed.set(drivername="postgresql+psycopg") if parsed.drivername == "postgresql" \
        else parsed


def make_engine(url: str) -> sa.Engine:
    """An engine whose transactions cover DDL too (SQLite needs telling)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(marts_url(url))
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            # Let SQLAlchemy, not the driver, decide where transactions begin.
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA journal_mode=WAL")

        @sa.event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    return engine


def _dates_as_text(values: pd.Series) -> pd.Series:
    """A date column as ISO text (how SQLite keeps dates; COPY parses them); others as given."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d")
    return values


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """Plain Python rows: dates as ISO text (see _dates_as_text), NA as None."""
    columns = []
    for col in frame.columns:
        values = _dates_as_text(frame[col])
        columns.append(values.astype(object).where(values.notna(), None).tolist())
    return list(zip(*columns, strict=True))


#: Rows per block of COPY text, so a national mart of a million rows is never one string.
COPY_ROWS = 100_000
#: What COPY's text format escapes in a value: its separators and its escape character.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(frame: pd.DataFrame) -> Iterator[str]:
    """The frame in PostgreSQL COPY's text format, ``COPY_ROWS`` rows at a time, for
    psycopg2 (which has no row writer): a value's text (True as True, which PostgreSQL reads
    as true; dates as ISO) with its tabs, line ends and backslashes escaped, ``\\N`` for
    NULL; built a column at a time, not row by row."""
    for start in range(0, len(frame), COPY_ROWS):
        part = frame.iloc[start:start + COPY_ROWS]
        line = None
        for col in part.columns:
            values = _dates_as_text(part[col])
            # pandas keeps a missing value missing as str: blank here, \\N below.
            text = values.astype(str).fillna("")
            # Escaping value by value is most of the work, and most columns (ids, codes,
            # dates, numbers) hold nothing to escape: one look at the whole column first.
            whole = "".join(text.tolist())
            if any(c in whole for c in "\\\t\n\r"):
                text = text.str.translate(_COPY_ESCAPES)
            null = values.isna()
            if null.any():
                text = text.where(~null, "\\N")
            line = text if line is None else line + "\t" + text
        if line is not None and len(line):
            yield "\n".join(line.tolist()) + "\n"


def _insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Bulk insert through the driver where we know it: COPY on PostgreSQL (psycopg, or
    psycopg2 when a URL names it), executemany on SQLite."""
    if conn.dialect.name == "postgresql" and conn.dialect.driver in ("psycopg", "psycopg2"):
        _insert_copy(conn, table, frame)
    elif conn.dialect.name == "sqlite":
        _insert_sqlite(conn, table, frame)
    else:
        _insert_core(conn, table, frame)


def _names(frame: pd.DataFrame) -> str:
    return ", ".join(f'"{c}"' for c in frame.columns)


def _insert_copy(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    raw = conn.connection.driver_connection
    statement = f'COPY "{table.name}" ({_names(frame)}) FROM STDIN'
    with raw.cursor() as cursor:
        if conn.dialect.driver == "psycopg2":
            # psycopg2 copies from a file: the blocks are read one after the other.
            cursor.copy_expert(statement, _Blocks(copy_text(frame)))
            return
        with cursor.copy(statement) as copy:
            for row in _rows(frame):
                copy.write_row(row)


class _Blocks:
    """Text blocks read as a file, for psycopg2's copy_expert."""

    def __init__(self, blocks: Iterator[str]) -> None:
        self._blocks = blocks

    def read(self, _size: int = -1) -> str:
        return next(self._blocks, "")


def _insert_sqlite(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    marks = ", ".join("?" * len(frame.columns))
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({_names(frame)}) VALUES ({marks})',
                         _rows(frame))


def _insert_core(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Any other dialect: SQLAlchemy's own executemany, with dates as date objects."""
    dates = [c for c in frame.columns if isinstance(table.c[c].type, sa.Date)]
    records = [dict(zip(frame.columns, row, strict=True)) for row in _rows(frame)]
    for record in records:
        for c in dates:
            record[c] = record[c] and date.fromisoformat(record[c])
    conn.execute(table.insert(), records)


def _lock_key(name: str) -> int:
    """A PostgreSQL advisory lock key (a signed 64-bit number) for ``name``."""
    return int.from_bytes(hashlib.sha256(f"iro-etl:{name}".encode()).digest()[:8], "big",
                          signed=True)


def _lock(conn: sa.Connection, name: str) -> None:
    """Hold ``name``'s lock until the transaction ends.

    Two loads of one authority publish one after the other, so the second replaces the
    first's rows instead of adding its own beside them. SQLite needs nothing more: every
    publish begins IMMEDIATE, which holds the database's write lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(name)})


#: Creating or rebuilding a table is done by one publish at a time, whatever its authority.
_DDL_LOCK = ""


def _ensure_table(conn: sa.Connection, name: str) -> sa.Table:
    metadata = sa.MetaData()
    table = sql_table(name, metadata)
    inspector = sa.inspect(conn)
    if not inspector.has_table(name):
        _lock(conn, _DDL_LOCK)
        if not sa.inspect(conn).has_table(name):
            table.create(conn)
            return table
        inspector = sa.inspect(conn)
    existing = [c["name"] for c in inspector.get_columns(name)]
    if existing != list(table.columns.keys()):
        _lock(conn, _DDL_LOCK)
        # Another publish may have rebuilt it while this one waited.
        existing = [c["name"] for c in sa.inspect(conn).get_columns(name)]
    if existing != list(table.columns.keys()):
        # Views follow a renamed table (and would pin the old one): made again after.
        _drop_views(conn)
        old = f"{name}__old"
        indexes = [index["name"] for index in inspector.get_indexes(name)]
        conn.execute(sa.text(f'ALTER TABLE "{name}" RENAME TO "{old}"'))
        for index in indexes:
            # Index names travel with a renamed table and would clash with the new ones.
            conn.execute(sa.text(f'DROP INDEX IF EXISTS "{index}"'))
        table.create(conn)
        common = [c.name for c in table.columns if c.name in existing]
        required = {c.name for c in table.columns if not c.nullable}
        # Rows that cannot fill a new required column are left for their authority's next load.
        if required <= set(common):
            cols = ", ".join(f'"{c}"' for c in common)
            copy = sa.text(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM "{old}"')
            try:
                with conn.begin_nested():
                    conn.execute(copy)
            except sa.exc.IntegrityError:
                # Old rows that break the grain keep their place without its index (see
                # _ensure_grain_index), rather than fail the publish.
                for index in table.indexes:
                    if index.unique:
                        index.drop(conn)
                conn.execute(copy)
        conn.execute(sa.text(f'DROP TABLE "{old}"'))
        return table
    _ensure_grain_index(conn, table)
    return table


def _ensure_grain_index(conn: sa.Connection, table: sa.Table) -> None:
    """The grain's unique index on a table made before it existed; rows that break the
    grain (published before it was checked) leave the table without it until they go."""
    present = {index["name"] for index in sa.inspect(conn).get_indexes(table.name)}
    for index in table.indexes:
        if index.unique and index.name not in present:
            _lock(conn, _DDL_LOCK)
            try:
                with conn.begin_nested():
                    index.create(conn)
            except sa.exc.IntegrityError:
                pass


def _drop_views(conn: sa.Connection) -> None:
    for view in RESTRICTED_VIEWS:
        conn.execute(sa.text(f'DROP VIEW IF EXISTS "{view}"'))


def _ensure_views(conn: sa.Connection) -> None:
    """The restricted views (each shared mart with the child's own id), made where missing
    and only once their tables exist."""
    present = set(sa.inspect(conn).get_view_names())
    tables = set(sa.inspect(conn).get_table_names())
    missing = [v for v, mart in RESTRICTED_VIEWS.items()
               if v not in present and {mart, "child_lookup"} <= tables]
    if not missing:
        return
    _lock(conn, _DDL_LOCK)
    present = set(sa.inspect(conn).get_view_names())
    for view in missing:
        if view in present:
            continue
        mart = RESTRICTED_VIEWS[view]
        conn.execute(sa.text(
            f'CREATE VIEW "{view}" AS SELECT m.*, l.own_id FROM "{mart}" m '
            'LEFT JOIN child_lookup l ON l.authority = m.authority AND l.child_id = m.child_id'))


def _replace(conn: sa.Connection, written: list[tuple[str, Mapping[str, pd.DataFrame]]]
             ) -> None:
    """Each authority's rows of each mart it gives replaced: ``written`` is (authority, marts)."""
    names = dict.fromkeys(name for _, marts in written for name in marts)
    unknown = set(names) - set(MART_MODELS)
    if unknown:
        raise KeyError(f"not marts of the contract: {', '.join(sorted(unknown))}")
    for name in names:
        given = [(authority, marts[name]) for authority, marts in written if name in marts]
        for authority, frame in given:
            if (frame["authority"] != authority).any():
                raise ValueError(f"{name}: rows for another authority than {authority}")
        table = _ensure_table(conn, name)
        conn.execute(table.delete().where(table.c.authority.in_([a for a, _ in given])))
        rows = [frame for _, frame in given if len(frame)]
        if rows:
            _insert(conn, table, pd.concat(rows, ignore_index=True) if len(rows) > 1 else rows[0])
    _ensure_views(conn)


def _lock_all(conn: sa.Connection, authorities: list[str]) -> None:
    if len(set(authorities)) < len(authorities):
        raise ValueError("one authority's loads publish one after the other, not together")
    # Always in one order, so two publishes of overlapping authorities cannot deadlock.
    for authority in sorted(authorities):
        _lock(conn, authority)


def publish(engine: sa.Engine, authority: str, marts: Mapping[str, pd.DataFrame]) -> None:
    """Replace ``authority``'s rows in every mart given, in one transaction (no guard)."""
    with engine.begin() as conn:
        _lock(conn, authority)
        _replace(conn, [(authority, marts)])


@dataclass
class Outcome:
    """What a publish did: every mart, or (held) the load's failures and summary only."""

    status: str
    #: Why the load was held back, in one line (None when published).
    reason: str | None
    #: The tables written, by name (with the failure history when published).
    written: dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Load:
    """One authority's load to publish: its marts, and how the guard judges it."""

    authority: str
    marts: Mapping[str, pd.DataFrame]
    load_id: str
    as_of: pd.Timestamp
    #: The tables whose collapse against the last published load holds the load back.
    guarded: tuple[str, ...] = ()
    max_drop: float = MAX_DROP
    accept_drop: bool = False


def publish_load(engine: sa.Engine, authority: str, marts: Mapping[str, pd.DataFrame],
                 load_id: str, as_of: pd.Timestamp, *, guarded: tuple[str, ...] = (),
                 max_drop: float = MAX_DROP, accept_drop: bool = False) -> Outcome:
    """Publish a load's marts and its updated failure history together, behind the guard.

    In one transaction: the authority's last published counts are read from the load log,
    each ``guarded`` table is compared with them (unless ``accept_drop``), and a load with
    a holding failure (a required table missing, a file read in part, a collapse) writes
    only its ``validation_failures`` and ``load_summary`` (status held), so every other
    mart keeps the last good load. The previous history is read inside the same
    transaction, so two loads of one authority cannot interleave their updates; without
    this load's failures (a mart held back) the history is left as it was.
    """
    load = Load(authority, marts, load_id, as_of, guarded, max_drop, accept_drop)
    return publish_loads(engine, [load])[0]


def publish_loads(engine: sa.Engine, loads: Sequence[Load]) -> list[Outcome]:
    """Several authorities' loads, each published as :func:`publish_load` publishes it (one
    held back leaves the others to publish), all in one transaction."""
    with engine.begin() as conn:
        _lock_all(conn, [load.authority for load in loads])
        # Everything is read before anything is written: no load sees another's rows.
        outcomes = [_judged(conn, load) for load in loads]
        _replace(conn, [(load.authority, outcome.written)
                        for load, outcome in zip(loads, outcomes, strict=True)])
        for load, outcome in zip(loads, outcomes, strict=True):
            summary = outcome.written.get("load_summary")
            if summary is not None:
                _log(conn, load.authority, load.load_id, load.as_of, outcome.status, summary)
    return outcomes


def _judged(conn: sa.Connection, load: Load) -> Outcome:
    """What ``load`` writes: every mart and the updated failure history, or (held) its
    failures and summary only."""
    authority, marts = load.authority, load.marts
    failures = marts.get("validation_failures")
    summary = marts.get("load_summary")
    if failures is not None and summary is not None:
        if not load.accept_drop:
            # A table missing or read in part is already a failure of its own.
            missing = set(holding(failures)["table_name"])
            drops = dropped_tables(_last_published(conn, authority), summary,
                                   tuple(t for t in load.guarded if t not in missing),
                                   load.max_drop)
            failures = _with_failures(failures, drops, authority, load.load_id)
        if not holding(failures).empty:
            reason = held_reason(failures)
            summary = summary.assign(status="held", held_reason=reason)
            return Outcome("held", reason, {"validation_failures": failures,
                                            "load_summary": summary})
    written = dict(marts)
    if failures is not None:
        previous = _read(conn, "failure_history", authority)
        acceptances = _read(conn, "failure_acceptances", authority)
        history = update_history(authority, previous, failures, load.load_id, load.as_of,
                                 acceptances)
        written["failure_history"] = MART_MODELS["failure_history"].validate(
            history.reindex(columns=list(MART_MODELS["failure_history"].columns)))
    return Outcome("published", None, written)


def _with_failures(failures: pd.DataFrame, more: list, authority: str, load_id: str
                   ) -> pd.DataFrame:
    """The load's failure mart with failures found at publishing added, in its contract."""
    if not more:
        return failures
    extra = failures_frame(more).assign(authority=authority, load_id=load_id)
    schema = MART_MODELS["validation_failures"]
    combined = pd.concat([failures, extra.reindex(columns=failures.columns)], ignore_index=True)
    return schema.validate(combined.reindex(columns=list(schema.columns)))


def _last_published(conn: sa.Connection, authority: str) -> pd.DataFrame:
    """Per table, the counts of the authority's last published load (empty before the first)."""
    log = _read(conn, "load_log", authority)
    if log.empty:
        return log
    published = log[log["status"] == "published"]
    if published.empty:
        return published
    # The rows of the latest publish: a re-run of the same export logs the same load id
    # again, so the load id alone would bring every earlier publish of it along.
    return published[published["logged_at"] == published["logged_at"].max()]


def _log(conn: sa.Connection, authority: str, load_id: str, as_of: pd.Timestamp, status: str,
         summary: pd.DataFrame) -> None:
    table = _ensure_state_table(conn, "load_log")
    now = datetime.now(UTC)
    conn.execute(table.insert(), [
        {"authority": authority, "load_id": load_id, "as_of": as_of.date(), "status": status,
         "table_name": row.table_name, "rows_in": int(row.rows_in),
         "rows_clean": int(row.rows_clean), "logged_at": now}
        for row in summary.itertuples(index=False)])


def accept(engine: sa.Engine, authority: str, failure_key: str, by: str, reason: str) -> None:
    """Record that a failure is a known, explained exception (kept across loads)."""
    history = read_mart(engine, "failure_history", authority)
    if failure_key not in set(history["failure_key"]):
        raise KeyError(f"{authority} has no failure {failure_key!r} (see iro-etl failures)")
    with engine.begin() as conn:
        table = _ensure_state_table(conn, "failure_acceptances")
        conn.execute(table.delete().where((table.c.authority == authority)
                                          & (table.c.failure_key == failure_key)))
        conn.execute(table.insert(), [{"authority": authority, "failure_key": failure_key,
                                       "accepted_by": by, "accepted_reason": reason,
                                       "accepted_at": datetime.now(UTC)}])
        flags = sql_table("failure_history", sa.MetaData())
        conn.execute(flags.update().where((flags.c.authority == authority)
                                          & (flags.c.failure_key == failure_key))
                     .values(accepted=True, accepted_by=by, accepted_reason=reason))


def _ensure_state_table(conn: sa.Connection, name: str) -> sa.Table:
    table = sql_table(name, sa.MetaData())
    table.create(conn, checkfirst=True)
    return table


def _read(conn: sa.Connection, name: str, authority: str) -> pd.DataFrame:
    if not sa.inspect(conn).has_table(name):
        return pd.DataFrame()
    return pd.read_sql_query(sa.text(f'SELECT * FROM "{name}" WHERE authority = :a'), conn,
                             params={"a": authority})


def read_mart(engine: sa.Engine, name: str, authority: str | Sequence[str] | None = None
              ) -> pd.DataFrame:
    """A published mart (optionally one authority's rows, or several's), typed as the
    contract says.

    SQLite returns dates as text and booleans as 0/1; both come back as on PostgreSQL.
    """
    schema = MART_MODELS.get(name) or STATE_MODELS[name]
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(name):
            # Nothing published yet: the mart is empty, not an error for its readers.
            return pd.DataFrame({c: pd.Series(dtype=object) for c in schema.columns})
    query = sa.text(f'SELECT * FROM "{name}"')
    params: dict[str, object] = {}
    if authority is not None:
        query = sa.text(f"{query.text} WHERE authority IN :authorities").bindparams(
            sa.bindparam("authorities", expanding=True))
        params["authorities"] = [authority] if isinstance(authority, str) else list(authority)
    with engine.connect() as conn:
        frame = pd.read_sql_query(query, conn, params=params)
    for col, spec in schema.columns.items():
        if col not in frame:
            continue
        dtype = str(spec.dtype)
        # ISO8601: rows written by other tools may carry a time part, ours do not.
        if dtype.startswith("datetime64[ns, "):
            frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
        elif dtype.startswith("datetime"):
            frame[col] = pd.to_datetime(frame[col], format="ISO8601").astype("datetime64[us]")
        elif dtype in ("bool", "boolean"):
            frame[col] = frame[col].astype("boolean")
    return frame


def mart_rows(engine: sa.Engine, name: str, authorities: Sequence[str]) -> dict[str, int]:
    """How many rows each of ``authorities`` has in a published mart (none: not there)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(name):
            return {}
        query = sa.text(f'SELECT authority, COUNT(*) FROM "{name}" WHERE authority IN :codes '
                        "GROUP BY authority").bindparams(sa.bindparam("codes", expanding=True))
        return {code: int(n) for code, n in conn.execute(query, {"codes": list(authorities)})}


def latest_load(engine: sa.Engine, authority: str) -> tuple[str, pd.Timestamp]:
    """The load id and as-of date of the authority's published load."""
    summary = read_mart(engine, "load_summary", authority)
    if summary.empty:
        raise LookupError(f"nothing has been published for {authority} yet")
    return str(summary["load_id"].iloc[0]), pd.Timestamp(summary["as_of"].iloc[0])
