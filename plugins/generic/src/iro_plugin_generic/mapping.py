"""The mapping file: how an export with no plugin of its own maps onto the canonical tables.

A mapping is YAML (read with ``yaml.safe_load``) of this shape::

    description: free text for people (optional)
    tables:
      children:                        # a canonical table
        file: "IRO Extract*.xlsx"      # glob inside the export folder (case-insensitive)
        sheet: Young People            # workbooks only; else the best-matching sheet
        header_row: 4                  # optional Excel row of the header; else found automatically
        columns:                       # canonical column: source header (or a list of them)
          child_id: Person Ref
          sex: [Gender, Sex]
        codes:                         # optional: canonical column: {local value: canonical code}
          sex: {Male: "1", Female: "2"}
        constants:                     # optional: canonical column: the value of every row
          ethnic: NOBT
      review_records:                  # a table may come from several files: give a list
        - {file: held.csv, columns: {...}, constants: {status: held}}
        - {file: other.csv, columns: {...}}
      episodes:
        file: episodes.csv
        columns: {child_id: Person, decom: Start, ...}
        join:                          # columns from other files, matched by key
          - file: placements.csv
            on: {Placement: Placement Ref}       # this file's header: the other file's
            columns: {place: Placement Type}
          - file: legal_statuses.csv
            on: {Person: Person}
            in_force: {date: Start, from: LS Start, to: LS End}   # the row in force then
            columns: {ls: Legal Status}
    database: mssql+pyodbc://reader@warehouse/ssd?driver=...   # for entries given as sql;
                                       # ${NAME} is taken from the environment
      # reviews: {sql: "SELECT ... FROM ... JOIN ...", columns: {child_id: PERSON_ID, ...}}

Checking collects every problem before giving up, each named by its key path
(``tables.children.columns.gender``; entries of a list are numbered from 1, as in
``tables.review_records[2].file``). Checks across keys (a required column with no
source, codes for an unmapped column) wait until an entry's keys are sound, so a
misspelt key gives one message rather than a cascade.
A table whose entry has a problem is left out; the other tables still load.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from iro_etl.sources.readers import decode, normalise_header
from iro_schemas.canonical import CANONICAL_MODELS

#: The mapping file looked for in the export folder when no ``mapping`` option is given.
MAPPING_FILE = "iro_mapping.yaml"

TOP_KEYS = ("description", "database", "tables")
SOURCE_KEYS = ("file", "sql", "sheet", "header_row", "columns", "codes", "constants", "join")
JOIN_KEYS = ("file", "sql", "sheet", "on", "columns", "in_force")
IN_FORCE_KEYS = ("date", "from", "to")

#: Canonical columns every row must have (blank not allowed), per table.
REQUIRED = {table: tuple(col for col, spec in schema.columns.items() if not spec.nullable)
            for table, schema in CANONICAL_MODELS.items()}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a mapping, at the key a person must correct."""

    key: str
    message: str
    #: The canonical table the problem stops loading, None when it concerns the whole file.
    table: str | None = None

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class MappingError(ValueError):
    """A mapping that cannot be used as written; the message lists every problem by key."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source, self.problems = source, problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source} has {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class Join:
    """Columns taken from another file (or query) for each row, matched by key.

    ``on`` pairs this entry's headers with the other file's; with ``in_force`` the other
    file holds spans (from, to) and the row in force on this row's date is taken.
    """

    key: str
    file: str | None
    sql: str | None
    sheet: str | None
    on: tuple[tuple[str, str], ...]
    columns: dict[str, tuple[str, ...]]
    #: (this entry's date header, the other file's start header, its end header or None).
    in_force: tuple[str, str, str | None] | None = None


@dataclass(frozen=True)
class TableSource:
    """One file pattern (and sheet) feeding one canonical table."""

    table: str
    #: Where this entry sits in the mapping, for messages (``tables.children``).
    key: str
    #: A file name or pattern in the export folder; None for an entry given as ``sql``.
    file: str | None
    sheet: str | None = None
    header_row: int | None = None
    #: Canonical column -> accepted source headers (the first is the one shown to people).
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Canonical column -> {local value, trimmed and case-folded: canonical value or None (blank)}.
    codes: dict[str, dict[str, str | None]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    #: A SELECT run against the mapping's ``database`` instead of reading a file.
    sql: str | None = None
    joins: tuple[Join, ...] = ()


@dataclass(frozen=True)
class ExportMapping:
    """The usable entries of a mapping file."""

    sources: tuple[TableSource, ...] = ()
    description: str | None = None
    #: File patterns of entries left out for their problems: their files are not strays.
    claimed: tuple[str, ...] = ()
    #: The database URL entries given as ``sql`` run against (``${NAME}`` from the environment).
    database: str | None = None

    def tables(self) -> list[str]:
        """Canonical tables the mapping fills, in contract order."""
        mapped = {s.table for s in self.sources}
        return [t for t in CANONICAL_MODELS if t in mapped]

    def column_names(self) -> dict[str, dict[str, str]]:
        """Per table, canonical column -> the source header people see (first entry wins)."""
        names: dict[str, dict[str, str]] = {}
        for source in self.sources:
            table = names.setdefault(source.table, {})
            for col, headers in source.columns.items():
                table.setdefault(col, headers[0])
            for join in source.joins:
                # A joined column is corrected in the joined file: name it with the column.
                where = join.file or join.key
                for col, headers in join.columns.items():
                    table.setdefault(col, f"{headers[0]} ({where})")
        return names


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _text(value: Any, key: str, problems: list[Problem], table: str | None,
          what: str = "a value") -> str | None:
    """A YAML scalar as text, or None with a problem for values that are not plain text."""
    if isinstance(value, bool):
        # YAML 1.1 reads unquoted Yes/No/On/Off/True/False as true/false: the spelling is lost.
        problems.append(Problem(key, f"{what} was read as true/false by YAML; put it in quotes "
                                     "(for example 'Yes')", table))
        return None
    if isinstance(value, (str, int, float)) and str(value).strip():
        return str(value).strip()
    problems.append(Problem(key, f"expected {what} as text, got {_shown(value)}", table))
    return None


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a block of keys"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _canonical_value(value: Any, key: str, problems: list[Problem], table: str) -> str | None:
    """A canonical value: text, or true/false written as the Y/N the core reads."""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return _text(value, key, problems, table)


def _block(value: Any, key: str, problems: list[Problem], table: str | None) -> dict | None:
    if isinstance(value, dict):
        return value
    problems.append(Problem(key, f"expected a block of keys, got {_shown(value)}", table))
    return None


def _unknown_keys(block: dict, allowed: tuple[str, ...], key: str, problems: list[Problem],
                  table: str | None) -> None:
    for name in block:
        if name not in allowed:
            where = f"{key}.{name}" if key else str(name)
            problems.append(Problem(where, "unknown key" + _suggest(name, allowed)
                                    + f"; expected one of {', '.join(allowed)}", table))


def _column_key(col: Any, table: str, key: str, problems: list[Problem]) -> bool:
    """Whether ``col`` is a column of the canonical ``table`` (a problem if not)."""
    columns = list(CANONICAL_MODELS[table].columns)
    if col in columns:
        return True
    problems.append(Problem(f"{key}.{col}", f"{col!r} is not a column of the canonical table "
                                            f"{table}" + _suggest(col, columns)
                            + f"; its columns are {', '.join(columns)}", table))
    return False


def _headers(value: Any, key: str, problems: list[Problem], table: str) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not values:
        problems.append(Problem(key, "expected a source header, got an empty list", table))
    out = [_text(v, key, problems, table, "a source header") for v in values]
    for header in out:
        # Headers are compared on their letters and digits alone: "---" would match blank cells.
        if header is not None and not normalise_header(header):
            problems.append(Problem(key, f"header {header!r} has no letters or digits to match on",
                                    table))
    return tuple(v for v in out if v is not None)


def _file(value: Any, key: str, problems: list[Problem], table: str) -> str | None:
    pattern = _text(value, key, problems, table, "a file name or pattern")
    if pattern is None:
        return None
    path = PurePosixPath(pattern.replace("\\", "/"))
    # Patterns are matched inside the export folder, never above it.
    if path.is_absolute() or ".." in path.parts or ":" in pattern:
        problems.append(Problem(key, f"{pattern!r} must be a file name or pattern inside the export "
                                     "folder (no drive, leading / or ..)", table))
        return None
    return path.as_posix()


def _source(entry: Any, table: str, key: str, extra: dict[str, tuple[str, ...]],
            problems: list[Problem]) -> tuple[TableSource | None, str | None]:
    """One entry of ``tables``, checked (None when it has any problem), and its file pattern."""
    before = len(problems)
    block = _block(entry, key, problems, table)
    if block is None:
        return None, None
    _unknown_keys(block, SOURCE_KEYS, key, problems, table)
    file, sql = _file_or_sql(block, key, problems, table, "holds this table")
    sheet = None
    if block.get("sheet") is not None:
        sheet = _text(block["sheet"], f"{key}.sheet", problems, table, "a sheet name")
    header_row = block.get("header_row")
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int)
                                   or header_row < 1):
        problems.append(Problem(f"{key}.header_row", "expected the header's row number as Excel "
                                                     f"shows it (1 or more), got {_shown(header_row)}",
                                table))

    columns: dict[str, tuple[str, ...]] = {}
    for col, value in (_block(block.get("columns") or {}, f"{key}.columns", problems, table)
                       or {}).items():
        if _column_key(col, table, f"{key}.columns", problems):
            columns[col] = _headers(value, f"{key}.columns.{col}", problems, table)
    for col, headers in extra.items():
        columns[col] = (*columns.get(col, ()), *headers)
    seen: dict[str, str] = {}
    for col, headers in columns.items():
        for header in headers:
            other = seen.setdefault(normalise_header(header), col)
            if other != col:
                problems.append(Problem(f"{key}.columns.{col}", f"header {header!r} is also given for "
                                                                f"{other}; a source column feeds one "
                                                                "canonical column", table))

    codes: dict[str, dict[str, str | None]] = {}
    for col, value in (_block(block.get("codes") or {}, f"{key}.codes", problems, table)
                       or {}).items():
        if not _column_key(col, table, f"{key}.codes", problems):
            continue
        if col not in columns and len(problems) == before:
            problems.append(Problem(f"{key}.codes.{col}", f"{col} has no source column under "
                                                          "columns, so there is nothing to translate",
                                    table))
        translations = _block(value, f"{key}.codes.{col}", problems, table) or {}
        codes[col] = {}
        for local, canonical in translations.items():
            local_text = _text(local, f"{key}.codes.{col}", problems, table, f"local value {local!r}")
            target = (None if canonical is None else
                      _canonical_value(canonical, f"{key}.codes.{col}.{local}", problems, table))
            if local_text is None:
                continue
            folded = local_text.casefold()
            if folded in codes[col] and codes[col][folded] != target:
                problems.append(Problem(f"{key}.codes.{col}.{local}", "the same local value (ignoring "
                                                                      "case) is translated twice",
                                        table))
            codes[col][folded] = target

    constants: dict[str, str] = {}
    for col, value in (_block(block.get("constants") or {}, f"{key}.constants", problems, table)
                       or {}).items():
        if not _column_key(col, table, f"{key}.constants", problems):
            continue
        if col in columns:
            problems.append(Problem(f"{key}.constants.{col}", f"{col} also has a source column under "
                                                              "columns; give one or the other", table))
        text = _canonical_value(value, f"{key}.constants.{col}", problems, table)
        if text is not None:
            constants[col] = text

    joins = tuple(j for i, item in enumerate(block.get("join") or [], start=1)
                  if (j := _join(item, f"{key}.join[{i}]", table, columns, problems)))
    if "join" in block and not isinstance(block["join"], list):
        problems.append(Problem(f"{key}.join", f"expected a list of joins, got "
                                               f"{_shown(block['join'])}", table))
    joined = {c for j in joins for c in j.columns}
    missing = [c for c in REQUIRED[table]
               if c not in columns and c not in constants and c not in joined]
    # Only for an otherwise sound entry: a misspelt key would make every column look missing.
    if missing and len(problems) == before:
        problems.append(Problem(f"{key}.columns", f"no source column for {', '.join(missing)}, which "
                                                  "every row needs (map it under columns, or give "
                                                  "a value under constants)", table))
    if len(problems) > before or (file is None and sql is None):
        return None, file
    return TableSource(table, key, file, sheet, header_row, columns, codes, constants, sql,
                       joins), file


def _file_or_sql(block: dict, key: str, problems: list[Problem], table: str, what: str
                 ) -> tuple[str | None, str | None]:
    """The entry's file pattern or SQL query: exactly one of them."""
    if "file" in block and "sql" in block:
        problems.append(Problem(key, "give file or sql, not both", table))
        return None, None
    if "sql" in block:
        return None, _text(block["sql"], f"{key}.sql", problems, table, "a SELECT query")
    if "file" not in block:
        problems.append(Problem(f"{key}.file", "missing: say which file (a name or pattern such "
                                               f"as 'episodes*.csv') {what}, or give sql", table))
        return None, None
    return _file(block["file"], f"{key}.file", problems, table), None


def _join(item: Any, key: str, table: str, columns: dict[str, tuple[str, ...]],
          problems: list[Problem]) -> Join | None:
    """One entry of ``join``, checked (None when it has a problem)."""
    before = len(problems)
    block = _block(item, key, problems, table)
    if block is None:
        return None
    _unknown_keys(block, JOIN_KEYS, key, problems, table)
    file, sql = _file_or_sql(block, key, problems, table, "to join")
    sheet = (_text(block["sheet"], f"{key}.sheet", problems, table, "a sheet name")
             if block.get("sheet") is not None else None)
    on = []
    pairs = _block(block.get("on"), f"{key}.on", problems, table) if "on" in block else None
    if "on" not in block:
        problems.append(Problem(f"{key}.on", "missing: pair this file's key header with the "
                                             "other file's ({Person ID: Person})", table))
    for mine, theirs in (pairs or {}).items():
        left = _text(mine, f"{key}.on", problems, table, "a header")
        right = _text(theirs, f"{key}.on.{mine}", problems, table, "a header")
        if left and right:
            on.append((left, right))
    if pairs is not None and not pairs:
        problems.append(Problem(f"{key}.on", "expected at least one pair of key headers", table))
    joined: dict[str, tuple[str, ...]] = {}
    for col, value in (_block(block.get("columns") or {}, f"{key}.columns", problems, table)
                       or {}).items():
        if _column_key(col, table, f"{key}.columns", problems):
            if col in columns:
                problems.append(Problem(f"{key}.columns.{col}", f"{col} already comes from the "
                                        "entry's own file; take it from one place", table))
            joined[col] = _headers(value, f"{key}.columns.{col}", problems, table)
    if not joined and len(problems) == before:
        problems.append(Problem(f"{key}.columns", "missing: which columns to take from it",
                                table))
    in_force = None
    if block.get("in_force") is not None:
        spans = _block(block["in_force"], f"{key}.in_force", problems, table) or {}
        _unknown_keys(spans, IN_FORCE_KEYS, f"{key}.in_force", problems, table)
        parts = [(_text(spans[k], f"{key}.in_force.{k}", problems, table, "a header")
                  if spans.get(k) is not None else None) for k in IN_FORCE_KEYS]
        if parts[0] is None or parts[1] is None:
            problems.append(Problem(f"{key}.in_force", "needs date (this file's) and from "
                                                       "(the other file's start)", table))
        else:
            in_force = (parts[0], parts[1], parts[2])
    if len(problems) > before:
        return None
    return Join(key, file, sql, sheet, tuple(on), joined, in_force)


def extra_headers(option: Any) -> tuple[dict[str, dict[str, tuple[str, ...]]], list[Problem]]:
    """The ``columns`` plugin option ({table: {column: [headers]}}), checked like the mapping."""
    problems: list[Problem] = []
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for table, columns in (_block(option or {}, "options.columns", problems, None) or {}).items():
        if table not in CANONICAL_MODELS:
            problems.append(Problem(f"options.columns.{table}", f"{table!r} is not a canonical table"
                                    + _suggest(table, CANONICAL_MODELS), None))
            continue
        for col, headers in (_block(columns or {}, f"options.columns.{table}", problems, table)
                             or {}).items():
            if _column_key(col, table, f"options.columns.{table}", problems):
                out.setdefault(table, {})[col] = _headers(headers, f"options.columns.{table}.{col}",
                                                          problems, table)
    return out, problems


def parse_mapping(data: Any, extra: dict[str, dict[str, tuple[str, ...]]] | None = None
                  ) -> tuple[ExportMapping, list[Problem]]:
    """The usable entries of a loaded mapping and the problems of the rest."""
    problems: list[Problem] = []
    if data is None:
        return ExportMapping(), [Problem("tables", "the mapping file is empty")]
    top = _block(data, "(top level)", problems, None)
    if top is None:
        return ExportMapping(), problems
    _unknown_keys(top, TOP_KEYS, "", problems, None)
    description = top.get("description")
    tables = top.get("tables")
    if tables is None:
        problems.append(Problem("tables", "missing: list the canonical tables this export fills", None))
        return ExportMapping((), None), problems
    tables = _block(tables, "tables", problems, None) or {}
    sources: list[TableSource] = []
    claimed: list[str] = []
    for table, entry in tables.items():
        if table not in CANONICAL_MODELS:
            file = entry.get("file") if isinstance(entry, dict) else None
            if isinstance(file, str):
                claimed.append(file)
            problems.append(Problem(f"tables.{table}", f"{table!r} is not a canonical table"
                                    + _suggest(table, CANONICAL_MODELS)
                                    + f"; the tables are {', '.join(CANONICAL_MODELS)}", None))
            continue
        entries = entry if isinstance(entry, list) else [entry]
        if not entries:
            problems.append(Problem(f"tables.{table}", "expected a file entry, got an empty list", table))
        for n, item in enumerate(entries, start=1):
            key = f"tables.{table}[{n}]" if isinstance(entry, list) else f"tables.{table}"
            source, file = _source(item, table, key, (extra or {}).get(table, {}), problems)
            if source is not None:
                sources.append(source)
            elif file is not None:
                claimed.append(file)
    text = None if description is None else str(description)
    database = None
    if top.get("database") is not None:
        database = _text(top["database"], "database", problems, None, "a database URL")
    elif any(s.sql or any(j.sql for j in s.joins) for s in sources):
        problems.append(Problem("database", "missing: entries given as sql need the database "
                                            "URL they run against", None))
    return ExportMapping(tuple(sources), text, tuple(claimed), database), problems


def read_mapping(path: Path, extra: dict[str, dict[str, tuple[str, ...]]] | None = None
                 ) -> tuple[ExportMapping, list[Problem]]:
    """A mapping file read and checked; a file that cannot be read is one problem, never a raise."""
    try:
        text, _ = decode(path.read_bytes())
    except OSError as exc:
        return ExportMapping(), [Problem("(file)", str(exc.strerror or exc))]
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return ExportMapping(), [Problem("(file)", f"not valid YAML{where}: {reason}")]
    return parse_mapping(data, extra)


def load_mapping(path: Path | str, extra: dict[str, dict[str, tuple[str, ...]]] | None = None
                 ) -> ExportMapping:
    """A mapping file, raising :class:`MappingError` listing every problem (for checking by hand)."""
    path = Path(path)
    mapping, problems = read_mapping(path, extra)
    if problems:
        raise MappingError(path.name, problems)
    return mapping
