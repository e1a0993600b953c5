"""Which SSDA903 table a CSV file holds, judged by its whole header.

Every table of the return starts with CHILD, and several carry SEX and DOB too, so a few
shared columns prove nothing. Each table is scored against the file's header row: the
table's columns found in it, less the header's columns the table does not have. The best
score wins; a table of the return that no mart reads is recognised as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from iro_etl.sources.readers import HEADER_SEARCH_ROWS, TableSpec, normalise_header

from iro_plugin_ssda903.tables import OTHER_TABLES, UNUSED_COLUMNS


@dataclass(frozen=True)
class Match:
    """The table a header belongs to: a spec the marts read, or another table's name."""

    table: str
    spec: TableSpec | None
    #: Every required column of the spec is in the header (recognising is strict).
    complete: bool


def _known(spec: TableSpec) -> dict[str, str]:
    """Normalised header name -> the column it stands for, unused columns included."""
    return {**spec.lookup(),
            **{normalise_header(c): c for c in UNUSED_COLUMNS.get(spec.table, ())}}


def classify(rows: list[list[str]], specs: tuple[TableSpec, ...]) -> Match | None:
    """The 903 table whose full header best fits one of the first rows, or None.

    A table the marts read must show its key (its first required column) and more than
    half of its required columns; another table must show CHILD and a column no other
    table has.
    """
    candidates = []
    for spec in specs:
        known = _known(spec)
        required = set(spec.required)
        for cells in rows[:HEADER_SEARCH_ROWS]:
            names = {normalise_header(c) for c in cells if c.strip()}
            found = {known[n] for n in names if n in known}
            share = len(found & required) / len(required)
            if spec.required[0] in found and share > 0.5:
                score = len(found) - len(names - set(known))
                candidates.append((score, share == 1, spec.table, spec))
    shared = _shared_columns()
    for table, columns in OTHER_TABLES.items():
        known = {normalise_header(c) for c in columns}
        own = known - shared
        for cells in rows[:HEADER_SEARCH_ROWS]:
            names = {normalise_header(c) for c in cells if c.strip()}
            if "child" in names and names & own:
                score = len(names & known) - len(names - known)
                candidates.append((score, True, table, None))
    if not candidates:
        return None
    score, complete, table, spec = max(candidates, key=lambda c: (c[0], c[1], c[3] is not None))
    return Match(table, spec, complete)


def _shared_columns() -> set[str]:
    """Columns that more than one table of the return has (CHILD, SEX, DOB)."""
    seen: dict[str, int] = {}
    for columns in OTHER_TABLES.values():
        for c in {normalise_header(c) for c in columns}:
            seen[c] = seen.get(c, 0) + 1
    return {c for c, n in seen.items() if n > 1} | {"sex", "dob"}
