"""Several sources of one authority's load made into one export.

An authority may read its case-recording system through one plugin and the IRO service's
own records (notifications, review records, disputes, ...) through another. Each canonical
table is the union of every source's rows, in the order the sources are configured:

* a row whose record key (contract.RECORD_KEYS) an earlier source already holds is left
  out and counted (``superseded``), so the marts never count a child twice;
* where that row's values differ from the earlier source's (both given), each differing
  column is a ``source_conflict`` warning at the later row (file, row, column, value), and
  the earlier source's row is the one used;
* every row keeps its own lineage (file and row of the source it came from).

Keys and values are compared as the contract types them (dates parsed, so ``2013-05-01``
in one source is ``01/05/2013`` in another), vectorised per table.
"""

from __future__ import annotations

import pandas as pd
from iro_schemas.canonical import CANONICAL_MODELS, RECORD_KEYS
from iro_schemas.lineage import ROW, SHEET, SOURCE_FILE

from iro_etl.quality.failures import Failure
from iro_etl.sources.dates import parse_dates, parse_flags
from iro_etl.sources.plugin import SourceData


def _comparable(table: str, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns as the contract types them, rendered as text for comparing."""
    model = CANONICAL_MODELS[table].columns
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        values = frame[column] if column in frame else pd.Series(pd.NA, index=frame.index,
                                                                 dtype="string")
        dtype = str(model[column].dtype)
        if dtype.startswith("datetime"):
            days, bad = parse_dates(values)
            out[column] = days.dt.strftime("%Y-%m-%d").where(~bad, values)
        elif dtype.startswith("float"):
            numbers = pd.to_numeric(values, errors="coerce")
            out[column] = numbers.map(repr).where(numbers.notna(), values)
        elif dtype == "boolean":
            out[column] = parse_flags(values).astype("string").where(values.notna(), values)
        else:
            out[column] = values.astype("string").str.strip()
    return out.astype("string")


def _overlay(table: str, earlier: pd.DataFrame, later: pd.DataFrame, name: str
             ) -> tuple[pd.DataFrame, int, list[Failure]]:
    """``later``'s rows whose key ``earlier`` lacks; how many it held already; conflicts."""
    keys = list(RECORD_KEYS[table])
    columns = [c for c in CANONICAL_MODELS[table].columns if c in earlier or c in later]
    mine = _comparable(table, earlier, columns)
    theirs = _comparable(table, later, columns)
    first = mine.dropna(subset=keys).drop_duplicates(keys)
    matched = theirs.reset_index().merge(first, on=keys, how="inner", suffixes=("", "_was"))
    held = later.index.isin(matched["index"])
    conflicts = []
    for column in (c for c in columns if c not in keys):
        now, was = matched[column], matched[f"{column}_was"]
        # A blank on either side is a value one source does not hold, not a disagreement.
        differs = (now.notna() & was.notna() & (now != was)).fillna(False).to_numpy(bool)
        for i in matched.loc[differs, "index"]:
            row = later.loc[i]
            conflicts.append(Failure(table, row.get(SOURCE_FILE, name), "source_conflict",
                                     sheet=row.get(SHEET), row=row.get(ROW),
                                     column_name=column, value=row.get(column)))
    return later.loc[~held], int(held.sum()), conflicts


def combine(parts: list[tuple[str, SourceData]]) -> SourceData:
    """One export from the sources' (name, what it read), first source first."""
    if len(parts) == 1:
        return parts[0][1]
    names = [name for name, _ in parts]
    out = SourceData("+".join(names), {})
    for _, data in parts:
        out.failures += data.failures
        out.files += data.files
        out.not_used |= data.not_used
        for table, by_source in data.superseded.items():
            out.superseded.setdefault(table, {}).update(by_source)
    for table in dict.fromkeys(t for _, data in parts for t in data.tables):
        held = [(name, data.tables[table]) for name, data in parts
                if table in data.tables and len(data.tables[table])]
        if not held:
            out.tables[table] = next(data.tables[table] for _, data in parts
                                     if table in data.tables)
            continue
        (first, frame), rest = held[0], held[1:]
        earlier = [first]
        for name, later in rest:
            added, restated, conflicts = _overlay(table, frame, later, name)
            frame = pd.concat([frame, added], ignore_index=True)
            out.failures += conflicts
            if restated:
                out.superseded.setdefault(table, {})[
                    f"{name} (also in {' or '.join(earlier)})"] = restated
            earlier.append(name)
        out.tables[table] = frame
    # A table is "not held" only if no source has it.
    for _, data in parts:
        for table, note in data.not_held.items():
            if not any(len(d.tables.get(table, ())) for _, d in parts):
                out.not_held.setdefault(table, note)
    return out
