"""Reading exports straight from a system's reporting database through SQLAlchemy.

Each table is read as text, like a CSV extract, ordered by the columns given so
lineage is stable: ``_source_file`` is ``db:<table>`` and ``_row`` the row's
position in that order (counting from 2, as if the first row were a header), so a
person can find it again with the same ORDER BY. Only the columns the plugin maps are
fetched (see :func:`_held_elsewhere` for the rest), and of a table holding every form's
answers only the rows of the forms the plugin reads (:class:`Kept`), numbered as if every
row had been read.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import sqlalchemy as sa
from iro_schemas.lineage import ROW
from sqlalchemy.engine.interfaces import ReflectedColumn
from sqlalchemy.engine.reflection import ObjectKind

from iro_etl.quality.failures import Failure
from iro_etl.sources.distinct import per_distinct
from iro_etl.sources.grid import TextGrid
from iro_etl.sources.readers import TableSpec, frame_from_grid, normalise_header


def is_database_url(text: str) -> bool:
    """Whether an export location is a SQLAlchemy URL rather than a path."""
    try:
        sa.engine.make_url(text)
    except sa.exc.ArgumentError:
        return False
    return "://" in text


#: Rows fetched from the server at a time: a warehouse table of millions of rows is
#: streamed through the driver in batches instead of being buffered whole first.
FETCH_ROWS = 50_000


#: user:password@ in a URL, however malformed the rest of it is.
_PASSWORD = re.compile(r"(?<=:)[^:@/]*(?=@)")


def shown_url(url: str) -> str:
    """A database URL as a message or failure record may show it: never with its password,
    even when the URL is too malformed for SQLAlchemy to read."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):
        return _PASSWORD.sub("***", url)


def scrubbed(message: str, url: str) -> str:
    """A driver's or SQLAlchemy's message with the URL it may quote shown without password."""
    return _PASSWORD.sub("***", message.replace(url, shown_url(url)))


def db_source(name: str, schema: str | None = None) -> str:
    """How lineage and failures name a database table: ``db:<schema>.<table>``."""
    return f"db:{schema}.{name}" if schema else f"db:{name}"


#: Value kinds (pandas' ``infer_dtype``) whose text is ``str(value)``.
_PLAIN = frozenset({"string", "empty", "integer", "boolean", "decimal"})
#: An ISO date at the start of a text cell (SQLite keeps DATE and DATETIME columns as text).
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}(?:[ T]|$)"


def _column_text(values: Sequence[object], kind_of: sa.types.TypeEngine | None = None
                 ) -> np.ndarray:
    """One column of a batch as text cells, ``""`` for NULL; a column of one kind of value
    (text, whole numbers) is converted in one pass, any other value by value.

    ``kind_of``: the column's declared type, for values the driver gives as stored rather
    than as the type says: an ISO date-time kept as text in a date column is its date (as a
    date object's is), 0/1 in a boolean column is False/True, and a number in a decimal
    column has the column's decimal places.
    """
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    null = np.equal(cells, None)
    kind = pd.api.types.infer_dtype(cells, skipna=True)
    dated = isinstance(kind_of, sa.Date | sa.DateTime)
    if kind == "string" and dated:
        # A warehouse's date-times repeat (midnight, mostly): each distinct one is cut once.
        cells[~null] = per_distinct(pd.Series(cells[~null], dtype=object), _iso_day).to_numpy(
            dtype=object)
    elif kind == "integer" and isinstance(kind_of, sa.Boolean):
        cells[~null] = cells[~null].astype(bool)
        kind = "boolean"
    elif (kind in ("floating", "mixed-integer-float", "integer") and isinstance(kind_of, sa.Numeric)
          and not isinstance(kind_of, sa.Float) and kind_of.scale is not None):
        cells[~null] = [f"{v:.{kind_of.scale}f}" for v in cells[~null]]
        kind = "string"
    if kind == "string":
        cells[null] = ""
        return cells
    present = cells[~null]
    cells[null] = ""
    cells[~null] = list(map(str if kind in _PLAIN else _text, present))
    return cells


def _iso_day(text: pd.Series) -> pd.Series:
    """Text beginning with an ISO date as that date, other text as it is."""
    return text.where(~text.str.match(_ISO_DATE).to_numpy(dtype=bool), text.str.slice(0, 10))


def _columns(batch: Sequence[Sequence[object]], width: int) -> list[Sequence[object]]:
    """A batch of rows as columns: rows that are tuples (most drivers') transposed by numpy
    in one pass, a cell that is itself a sequence (a PostgreSQL array) staying one cell;
    other rows (SQLAlchemy's, which numpy would search as mappings) by Python."""
    if batch and type(batch[0]) is tuple:
        cells = np.empty((len(batch), width), dtype=object)
        try:
            cells[:] = batch
            return [cells[:, j] for j in range(width)]
        except ValueError:
            pass
    return list(zip(*batch, strict=True)) if batch else [()] * width


def _grid(columns: Sequence[Sequence[object]], rows: int,
          kinds: Sequence[sa.types.TypeEngine | None] = ()) -> TextGrid:
    kinds = list(kinds) or [None] * len(columns)
    return TextGrid([_column_text(c, k) for c, k in zip(columns, kinds, strict=True)],
                    np.full(rows, len(columns), dtype=np.int64))


def _rows(conn: sa.Connection, statement: sa.Select, size: int
          ) -> tuple[list[str], Iterator[Sequence[Sequence[object]]]]:
    """The statement's column names, and its rows as the driver gives them, ``size`` at a
    time and then one empty batch.

    The statement runs on the driver's own cursor: SQLAlchemy's row objects and type
    conversions were a fifth of a warehouse read, and the cells become text anyway (see
    _column_text). PostgreSQL's is a named (server-side) cursor, so a table of millions of
    rows comes as it is fetched; the other drivers' cursors fetch as they go already.
    """
    raw = conn.connection.driver_connection
    cursor = raw.cursor(name="iro_read") if conn.dialect.name == "postgresql" else raw.cursor()
    cursor.execute(str(statement.compile(dialect=conn.dialect,
                                         compile_kwargs={"literal_binds": True})))

    # A named cursor describes its columns once it has fetched (psycopg2's).
    first = cursor.fetchmany(size)
    header = [column[0] for column in cursor.description]

    def batches() -> Iterator[Sequence[Sequence[object]]]:
        batch = first
        try:
            while batch:
                yield batch
                batch = cursor.fetchmany(size)
            yield []
        finally:
            cursor.close()

    return header, batches()


#: The label of :func:`_held_elsewhere`'s column, which no header normalises to.
_OTHERS = "_other_columns"


def _held_elsewhere(columns: Sequence[sa.Column]) -> sa.ColumnElement:
    """``"x"`` where any of ``columns`` holds a non-blank value, else ``""``: worked out by
    the database.

    A warehouse table holds far more than a plugin maps (names, addresses, other forms'
    columns): only the mapped columns are fetched, which spares the read most of its cells
    and keeps what is not needed (names above all) out of the process. Whether a row is
    blank still depends on every column, so the others come as this one cell, which holds
    none of their values.
    """
    # LTRIM(RTRIM()) as SQL Server before 2017 has no TRIM, and on its NVARCHAR(max): its
    # TEXT type takes neither.
    values = [sa.func.nullif(sa.func.ltrim(sa.func.rtrim(sa.cast(c, sa.Unicode))), "")
              for c in columns]
    # SQLite's coalesce() wants two arguments at least.
    first = sa.func.coalesce(*values) if len(values) > 1 else values[0]
    return sa.case((first.is_(None), ""), else_="x").label(_OTHERS)


def table_columns(engine: sa.Engine, names: Sequence[str], schema: str | None = None
                  ) -> dict[str, list[ReflectedColumn]]:
    """Each of ``names`` (tables or views) the database has -> its columns, asked for all at
    once.

    Reflecting a whole table asks the catalogue for its keys, indexes and constraints too,
    a round trip each: 0.13-0.18 s for a Mosaic warehouse's 13 tables on a local
    PostgreSQL, 3 ms for their columns alone in one query (more on a remote server).
    """
    found = sa.inspect(engine).get_multi_columns(schema=schema, filter_names=list(names),
                                                 kind=ObjectKind.ANY)
    return {name: columns for (_, name), columns in found.items()}


@dataclass(frozen=True)
class Kept:
    """The rows of a table worth fetching: those whose ``column`` (the plugin's name for it)
    holds one of ``values``, compared as :func:`normalise_header` compares them.

    A warehouse's form answers hold every form the authority has (assessments, visits,
    case notes), of which a plugin needs a few designs or questions: the others are
    left in the database, both to spare the read and to keep their text out of the process.
    """

    column: str
    values: frozenset[str]
    #: A column (the plugin's name) that keeps its row too wherever it holds a value: a
    #: Mosaic step is a review by its review category, whatever its type.
    also: str | None = None


#: The label of a kept row's place among all the table's rows (see :func:`_kept_rows`).
_POSITION = "_position"
#: Rows are filtered in the database when at least one in this many would be left out.
_SPARED = 4


def _kept_rows(conn: sa.Connection, columns: list[sa.ColumnElement], order: list[sa.Column],
               named: dict[str, sa.Column], kept: Kept) -> sa.Select | None:
    """``columns`` of the rows ``kept`` keeps (``named``: the table's columns by the
    plugin's names), each with its place in the whole table's ``order`` (``_POSITION``,
    from 1), so lineage finds it again as if every row had been read; None when every row is
    to be read: the table lacks a column ``kept`` names, or too few rows would be left out
    to pay for it.

    The stored spellings are counted first (a table's distinct codes are few), so the filter
    is a plain IN, the same in every database, whatever the case and punctuation stored.
    Numbering the rows costs the database a second pass over the whole table (as much again
    as the plain read on SQLite), while a row fetched and left out costs the read about
    three times what numbering it does: the filter is worth it when it spares a quarter of
    the rows (a real warehouse's form answers are mostly other forms').
    """
    where = named.get(kept.column)
    also = named.get(kept.also) if kept.also else None
    if where is None or (kept.also and also is None):
        return None
    counted = sa.func.count(also) if also is not None else sa.literal(0)
    stored = conn.execute(sa.select(where, sa.func.count(), counted).group_by(where)).all()
    wanted = [value for value, _, _ in stored
              if value is not None and normalise_header(value) in kept.values]
    total = sum(rows for _, rows, _ in stored)
    fetched = sum(rows if value in wanted else held for value, rows, held in stored)
    if total > _SPARED * (total - fetched):
        return None
    return _numbered(columns, order, where, wanted, also)


def _numbered(columns: list[sa.ColumnElement], order: list[sa.Column], where: sa.Column,
              wanted: Sequence[object], also: sa.Column | None = None) -> sa.Select:
    """``columns`` and ``_POSITION`` of the rows whose ``where`` is one of ``wanted`` (or
    whose ``also`` is not NULL)."""
    numbered = sa.select(*columns, sa.func.row_number().over(order_by=order).label(_POSITION)
                         ).subquery()
    kept = numbered.c[where.name].in_(wanted)
    if also is not None:
        kept = kept | numbered.c[also.name].is_not(None)
    return (sa.select(*(numbered.c[c.name] for c in columns), numbered.c[_POSITION])
            .where(kept).order_by(numbered.c[_POSITION]))


def read_table_frame(engine: sa.Engine, name: str, order_by: Sequence[str], spec: TableSpec,
                     schema: str | None = None,
                     described: Sequence[ReflectedColumn] | None = None,
                     kept: Kept | None = None) -> tuple[pd.DataFrame | None, list[Failure]]:
    """The table as a text frame with lineage (None and a failure if it cannot be read).

    Rows are fetched ``FETCH_ROWS`` at a time and each batch becomes a frame before the next
    is fetched, so a table of millions of rows is never held as Python cells all at once.
    ``schema``: the database schema holding the table (``ssd_development``, ``dbo``), when
    it is not the connection's default. ``described``: its columns, when already asked for
    (see table_columns); an empty list, a table the database does not have. ``kept``: only
    those rows are fetched (when the table has that column, its ``also`` column if it names
    one, and an order), with the row numbers they have among all.
    """
    source = db_source(name, schema)
    try:
        if described is None:
            described = table_columns(engine, [name], schema).get(name, [])
    except sa.exc.SQLAlchemyError as exc:
        return None, [Failure(spec.table, source, "unreadable_file",
                              value=str(exc).splitlines()[0])]
    if not described:
        return None, [Failure(spec.table, source, "unreadable_file", value=f"no table {name!r}")]
    reflected = sa.Table(name, sa.MetaData(),
                         *(sa.Column(c["name"], c["type"]) for c in described), schema=schema)
    lookup = spec.lookup()
    mapped = [c for c in reflected.c if normalise_header(c.name) in lookup]
    # A JSON column arrives as Python objects, whose text is not JSON: read it as stored text.
    columns = [sa.cast(c, sa.Text).label(c.name) if isinstance(c.type, sa.JSON) else c
               for c in mapped]
    others = [c for c in reflected.c if normalise_header(c.name) not in lookup]
    if others:
        columns.append(_held_elsewhere(others))
    order = [reflected.c[c] for c in order_by if c in reflected.c]
    named: dict[str, sa.Column] = {}
    for c in mapped:  # the first of a column named twice, as the frame keeps it
        named.setdefault(lookup[normalise_header(c.name)], c)
    parts: list[pd.DataFrame] = []
    failures: list[Failure] = []
    try:
        with engine.connect() as conn:
            numbered = (_kept_rows(conn, columns, order, named, kept)
                        if kept is not None and order else None)
            statement = numbered if numbered is not None else (
                sa.select(*columns).order_by(*order))
            header, batches = _rows(conn, statement, FETCH_ROWS)
            kinds = [c.type for c in columns]
            done = 0
            # An empty table is one empty batch: its header is still checked.
            for batch in batches:
                if parts and not batch:
                    break
                cells = _columns(batch, len(header))
                # Each row's number in the whole table, counting the header as row 1.
                numbers = (np.asarray(cells.pop(), dtype=np.int64) + 1 if numbered is not None
                           else np.arange(done + 2, done + 2 + len(batch), dtype=np.int64))
                frame, found = frame_from_grid(_grid(cells, len(batch), kinds), spec, source,
                                               header=header[:len(columns)])
                # The header's failures once; a row's at its place in the whole table.
                failures += [replace(f, row=int(numbers[f.row - 2])) if f.row and f.row > 1
                             else f for f in found if f.rule == "blank_row" or not parts]
                frame[ROW] = numbers[frame[ROW].to_numpy() - 2]
                parts.append(frame)
                done += len(batch)
    # The driver's own errors come straight from its cursor (see _rows).
    except (sa.exc.SQLAlchemyError, engine.dialect.loaded_dbapi.Error) as exc:
        return None, [Failure(spec.table, source, "unreadable_file",
                              value=str(exc).splitlines()[0])]
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0], failures


def read_query_rows(url: str, query: str, table: str, source: str
                    ) -> tuple[list[list[str]], list[Failure]]:
    """A header row and a SELECT's rows as text cells, from the database at ``url``; a
    failure naming ``source`` if the database cannot be reached or the query fails.

    Only a single SELECT (or WITH ... SELECT) is run: the mapping is configuration, not a
    place for statements that change the warehouse.
    """
    words = query.strip().rstrip(";").strip()
    if not re.match(r"(?is)^(select|with)\b", words) or ";" in words:
        return [], [Failure(table, source, "unreadable_file",
                            value="only a single SELECT query is run")]
    try:
        engine = sa.create_engine(url)
    except (sa.exc.SQLAlchemyError, ImportError, ValueError) as exc:
        return [], [Failure(table, source, "unreadable_file",
                            value=scrubbed(f"{url}: {str(exc).splitlines()[0]}", url))]
    try:
        with engine.connect().execution_options(stream_results=True,
                                                yield_per=FETCH_ROWS) as conn:
            # Read-only where the database can say so; and never committed, whatever runs
            # (a WITH may wrap a DELETE ... RETURNING).
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            elif engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA query_only = ON")
            # Colons are the query's own (times, literals), not bind parameters.
            result = conn.execute(sa.text(words.replace(":", "\\:")))
            header = list(result.keys())
            batch = result.all()
            rows = _grid(_columns(batch, len(header)), len(batch)).rows(len(batch))
            conn.rollback()
    except (sa.exc.SQLAlchemyError, ValueError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return [], [Failure(table, source, "unreadable_file", value=scrubbed(reason, url))]
    finally:
        engine.dispose()
    return [header, *rows], []


def _text(value: object) -> str:
    iso = getattr(value, "isoformat", None)
    if iso is not None:
        return value.isoformat()[:10] if hasattr(value, "year") else iso()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
