"""The generic source plugin: any CSV or Excel (.xlsx) export, described by a YAML mapping file.

For an authority whose case-recording system has no plugin of its own. The
mapping file (format in :mod:`iro_plugin_generic.mapping`, commented example in
``docs/examples/generic_mapping.yaml``) says which file, and for workbooks which
sheet, holds each canonical table, which source column feeds which canonical
column, how local values translate to canonical codes and which columns take a
constant value. Dates need no configuration: the core reads dd/mm/yyyy, ISO and
Excel serial dates.

Options (the authority's ``options`` block in authorities.yaml):

- ``mapping``: path of the mapping file; a relative path is resolved against the
  export folder. Default: ``iro_mapping.yaml`` inside the export folder.
- ``columns``: {table: {canonical column: [extra source headers]}}, accepted in
  addition to the mapping's headers by every entry of that table.
- ``codes``: {table: {column: {local value: code}}}, applied by the core after
  reading, on top of the mapping's own ``codes``.

``read`` also takes the mapping file itself as its path (its folder is the export).
A mapping with problems never raises: each problem is an ``unreadable_file``
failure against the mapping file, its ``column_name`` the key to correct, and
only the tables with problems are left out.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pandas as pd
from iro_etl.quality.failures import FILE_LEVEL, Failure
from iro_etl.sources.plugin import SourceData, SourcePlugin
from iro_etl.sources.sql import is_database_url, read_query_rows

from iro_plugin_generic.joins import apply_joins
from iro_plugin_generic.mapping import (
    MAPPING_FILE,
    ExportMapping,
    Problem,
    TableSource,
    extra_headers,
    read_mapping,
)
from iro_plugin_generic.sources import (
    Workbooks,
    canonical_frame,
    empty_table,
    export_files,
    matches,
    read_file,
    relative_name,
    sql_frame,
)

_YAML_SUFFIXES = {".yaml", ".yml"}


class GenericPlugin(SourcePlugin):
    """Any CSV or Excel export, laid out as the authority's mapping file says."""

    name = "generic"
    description = "Any CSV or Excel (.xlsx) export described by a YAML mapping file"

    _mapping: ExportMapping | None = None

    def locate(self, path: Path) -> tuple[Path, Path | None, Problem | None]:
        """The export folder, the mapping file to use, and a problem with the ``mapping`` option."""
        if path.suffix.lower() in _YAML_SUFFIXES and path.is_file():
            return path.parent, path, None
        option = self.options.get("mapping")
        if option is None:
            return path, path / MAPPING_FILE, None
        if not isinstance(option, (str, os.PathLike)) or not str(option).strip():
            return path, None, Problem("options.mapping", f"expected the mapping file's path, got "
                                                          f"{option!r}")
        mapping = Path(option).expanduser()
        return path, mapping if mapping.is_absolute() else path / mapping, None

    def recognise(self, path: Path | str) -> bool:
        if isinstance(path, str) and is_database_url(path):
            return False
        _, mapping, _ = self.locate(Path(path))
        return mapping is not None and mapping.is_file()

    def read(self, path: Path | str) -> SourceData:
        folder, mapping_path, problem = self.locate(Path(path))
        self._mapping = ExportMapping()
        if not folder.is_dir():
            return self._nothing(Failure(FILE_LEVEL, folder.name, "unreadable_file",
                                         value="no such folder"))
        if problem is not None:
            return self._nothing(_problem_failure(problem, MAPPING_FILE))
        mapping_name = _display_name(mapping_path, folder)
        if not mapping_path.is_file():
            return self._nothing(Failure(
                FILE_LEVEL, mapping_name, "unreadable_file",
                value=f"no mapping file {mapping_name}: put {MAPPING_FILE} in the export folder "
                      "or set the plugin option 'mapping'"))
        extra, problems = extra_headers(self.options.get("columns"))
        mapping, more = read_mapping(mapping_path, extra)
        self._mapping = mapping
        failures = [_problem_failure(p, mapping_name) for p in [*problems, *more]]

        files = [f for f in export_files(folder) if f != mapping_path]
        workbooks = Workbooks()
        frames: dict[str, list[pd.DataFrame]] = {table: [] for table in mapping.tables()}
        used: set[Path] = set()
        fetched: dict[str, tuple[list[pd.DataFrame], list[Failure]]] = {}

        def fetch(entry: TableSource) -> tuple[list[pd.DataFrame], list[Failure]]:
            """An entry's (or a join's) frames with their helper columns, read once."""
            if entry.key in fetched:
                parts, _ = fetched[entry.key]
                return [p.copy() for p in parts], []
            if entry.sql is not None:
                got = _query(entry, mapping.database or "")
            else:
                got = _files(entry, folder, files, workbooks, used, mapping_name)
            fetched[entry.key] = got
            return got

        for source in mapping.sources:
            parts, more = fetch(source)
            failures += more
            for frame in parts:
                frame, more = apply_joins(frame, source, fetch)
                failures += more
                frames[source.table].append(canonical_frame(frame, source))
        # Files no entry asked for (a stray report, another system's export) are reported, not read;
        # those of entries left out for a mapping problem are already accounted for by it.
        claimed = [f for f in files if any(matches(PurePosixPath(relative_name(f, folder)), pattern)
                                           for pattern in mapping.claimed)]
        failures += [Failure(FILE_LEVEL, f.name, "unrecognised_file") for f in files
                     if f.parent == folder and f not in used and f not in claimed
                     and f.name.lower() != MAPPING_FILE]
        tables = {table: (pd.concat(parts, ignore_index=True) if parts else empty_table(table))
                  for table, parts in frames.items()}
        return SourceData(self.name, tables, failures, sorted(used))

    def _nothing(self, failure: Failure) -> SourceData:
        return SourceData(self.name, {}, [failure], [])

    def column_names(self) -> dict[str, dict[str, str]]:
        """The source headers of the mapping last read, else of an absolute ``mapping`` option."""
        if self._mapping is None:
            option = self.options.get("mapping")
            if isinstance(option, str) and Path(option).expanduser().is_absolute():
                extra, _ = extra_headers(self.options.get("columns"))
                return read_mapping(Path(option).expanduser(), extra)[0].column_names()
            return {}
        return self._mapping.column_names()

def _query(entry: TableSource, database: str) -> tuple[list[pd.DataFrame], list[Failure]]:
    """An entry given as sql, run against the mapping's database (``${NAME}`` from the
    environment, so a password need not be written in the mapping)."""
    name = f"db:{entry.key}"
    rows, failures = read_query_rows(os.path.expandvars(database), entry.sql or "",
                                     entry.table, name)
    if not rows:
        return [], failures
    frame, more = sql_frame(rows, entry, name)
    return [frame], failures + more


def _files(entry: TableSource, folder: Path, files: list[Path], workbooks: Workbooks,
           used: set[Path], mapping_name: str) -> tuple[list[pd.DataFrame], list[Failure]]:
    """Every file an entry's pattern matches, read; a failure when none does."""
    matched = [f for f in files if matches(PurePosixPath(relative_name(f, folder)), entry.file)]
    if not matched:
        return [], [Failure(entry.table, mapping_name, "unreadable_file",
                            column_name=f"{entry.key}.file",
                            value=f"no file in the export folder matches {entry.file!r} "
                                  f"({entry.key}.file in {mapping_name})")]
    frames, failures = [], []
    for file in matched:
        used.add(file)
        frame, more = read_file(file, folder, entry, workbooks)
        failures += more
        if frame is not None:
            frames.append(frame)
    return frames, failures


def _display_name(mapping: Path, folder: Path) -> str:
    """The mapping file as failures name it: its path inside the export, else as configured."""
    try:
        return mapping.relative_to(folder).as_posix()
    except ValueError:
        return str(mapping)


def _problem_failure(problem: Problem, mapping_name: str) -> Failure:
    """A mapping problem as a failure record against the mapping file, keyed by what to correct."""
    whole_file = problem.key == "(file)"
    return Failure(problem.table or FILE_LEVEL, mapping_name, "unreadable_file",
                   column_name=None if whole_file else problem.key,
                   value=problem.message if whole_file else str(problem))
