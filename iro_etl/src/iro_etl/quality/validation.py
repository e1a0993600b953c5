"""Validation: canonical text frames -> typed clean tables, quarantined rows and failure records.

Every check runs (pandera lazily, then the contract's row checks, duplicates
and cross-table keys) before any row is set aside, so one pass reports every
problem of a row. A row with any error-level failure is quarantined whole; the
invariant rows in = clean + quarantined holds for every table.

Several exports whose columns carry the same headers are validated in one pass
(:func:`validate_many`): their tables are stacked with an ``authority`` column
that every key (duplicates, cross-table keys, the child of a review) includes,
and each export gets back exactly what validating it alone gives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
from iro_schemas.canonical import (
    CANONICAL_MODELS,
    DUPLICATE_RULES,
    FOREIGN_KEYS,
    RECORD_KEYS,
    ROW_CHECKS,
)
from iro_schemas.codes import LS_SHORT_BREAKS
from iro_schemas.lineage import LINEAGE_COLUMNS, ROW, SHEET, SOURCE_FILE
from iro_schemas.rules import RULES

from iro_etl.quality.failures import RowFailures, failures_frame
from iro_etl.rules.frames import AUTHORITY
from iro_etl.rules.stack import by_authority, qualified
from iro_etl.sources.dates import parse_dates, parse_flags
from iro_etl.sources.plugin import SourceData

_LINK = [SOURCE_FILE, SHEET, ROW]


@dataclass
class ValidatedTables:
    """Clean typed tables, the failures found and the quarantined rows of one load."""

    clean: dict[str, pd.DataFrame]
    failures: pd.DataFrame
    quarantine: pd.DataFrame
    rows_in: dict[str, int]

    def summary(self) -> pd.DataFrame:
        """Per table: rows in, clean, quarantined, and failures by severity."""
        by_sev = (self.failures.groupby(["table_name", "severity"]).size().unstack(fill_value=0)
                  .reindex(columns=["error", "warning"], fill_value=0))
        quarantined = self.quarantine.groupby("table_name").size()
        rows = []
        for table, rows_in in self.rows_in.items():
            rows.append({
                "table_name": table, "rows_in": rows_in, "rows_clean": len(self.clean[table]),
                "rows_quarantined": int(quarantined.get(table, 0)),
                "errors": int(by_sev["error"].get(table, 0)),
                "warnings": int(by_sev["warning"].get(table, 0)),
            })
        return pd.DataFrame(rows)


def _typed(schema: pa.DataFrameSchema, raw: pd.DataFrame, found: RowFailures) -> pd.DataFrame:
    """Schema dtypes from export text; unreadable values become blanks plus a failure."""
    typed = pd.DataFrame(index=raw.index)
    for name, column in schema.columns.items():
        text = raw[name] if name in raw else pd.Series(pd.NA, index=raw.index, dtype="string")
        dtype = str(column.dtype)
        if dtype.startswith("datetime"):
            typed[name], bad = parse_dates(text)
            found.add(bad, "date_format", name)
            found.unreadable[name] = bad
        elif dtype == "boolean":
            typed[name] = parse_flags(text)
            found.add(typed[name].isna() & text.notna(), "flag_format", name)
        elif dtype.startswith("float"):
            typed[name] = pd.to_numeric(text, errors="coerce").astype("float64")
            found.add(typed[name].isna() & text.notna(), "number_format", name)
        else:
            typed[name] = text.astype("str")
        if (column.metadata or {}).get("expected"):
            found.add(text.isna(), "expected_blank", name)
    return typed


def _pandera_failures(schema: pa.DataFrameSchema, typed: pd.DataFrame, found: RowFailures) -> None:
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        groups = cases.groupby(["column", "check", "check_number"], dropna=False, sort=False)
        # In the contract's order, not in the order pandera met them: that depends on the
        # other rows, and a row's failures must come in one order however it is validated.
        for (column, check, number), group in sorted(groups, key=lambda item: _contract_order(
                schema, *item[0])):
            if check == "not_nullable":
                rule = "required"
            elif pd.notna(number):
                rule = schema.columns[column].checks[int(number)].name
            else:
                rule = "schema"
            rule = rule if rule in RULES else "schema"
            index = pd.Index(group["index"].astype(int).unique())
            if rule == "required" and column in found.unreadable:
                index = index[~found.unreadable[column].loc[index].to_numpy()]
            if index.empty:
                continue
            found.add_at(index, rule, column, found.raw.loc[index, column]
                         if column in found.raw else pd.Series(None, index=index))


def _contract_order(schema: pa.DataFrameSchema, column, check, number) -> tuple:
    """Where a pandera failure group comes: by column, then nulls, then the column's type,
    then its checks in order (a table-wide check after every column)."""
    columns = list(schema.columns)
    position = columns.index(column) if column in columns else len(columns)
    kind = 0 if check == "not_nullable" else 1 if pd.isna(number) else 2 + int(number)
    return position, kind, str(check)


def _keyed(typed: pd.DataFrame, found: RowFailures, columns: list[str]) -> pd.DataFrame:
    """``columns`` of the typed rows, with each row's authority first."""
    return pd.concat([found.raw[AUTHORITY], typed[columns]], axis=1)


def _qualified(typed: pd.DataFrame, raw: pd.DataFrame, several: bool) -> pd.DataFrame:
    """The typed rows, each child's id qualified by its authority when several are stacked:
    the contract's row checks compare a child's rows with each other."""
    if not several or "child_id" not in typed:
        return typed
    return typed.assign(child_id=qualified(raw[AUTHORITY], typed["child_id"]))


def _duplicates(table: str, typed: pd.DataFrame, found: RowFailures) -> None:
    keys = list(RECORD_KEYS[table])
    # Rows already in error do not count as the first copy: the valid row is kept.
    usable = typed[keys].notna().all(axis=1) & ~typed.index.isin(found.error_rows())
    dup = usable & _keyed(typed, found, keys)[usable].duplicated(keep="first").reindex(
        typed.index, fill_value=False)
    # Reported against the key's last column: the date that repeats (or the id itself).
    found.add(dup, DUPLICATE_RULES[table], keys[-1])


def _read_failures(table: str, sources: dict[str, SourceData], raw: pd.DataFrame,
                   found: RowFailures) -> None:
    """Rows the reader flagged (ragged rows) keep their failure and are quarantined."""
    flagged = [(code, f.source_file, f.sheet, f.row, f.value) for code, source in sources.items()
               for f in source.failures if f.table_name == table and f.rule == "bad_row_shape"]
    if not flagged:
        return
    link = [AUTHORITY, *_LINK]
    marks = pd.DataFrame(flagged, columns=[*link, "_cells"])
    link = raw[link].reset_index().merge(marks, on=link, how="inner", validate="one_to_one")
    if len(link):
        found.add_at(pd.Index(link["index"]), "bad_row_shape", None,
                     pd.Series(link["_cells"].to_numpy(), index=link["index"]))


def _ids(authority: pd.Series, ids: pd.Series, several: bool) -> pd.Series:
    """Ids unique within an authority (a child's, an IRO's) as one key across the stacked
    authorities: qualified by the authority when several are stacked (one column hashes
    faster than two)."""
    return qualified(authority, ids) if several else ids


def _foreign_keys(table: str, typed: pd.DataFrame, clean: dict[str, pd.DataFrame],
                  found: RowFailures, several: bool) -> None:
    """Rows must match a clean row of each parent table; others are quarantined as orphans."""
    for key in FOREIGN_KEYS.get(table, ()):
        cols = list(key.columns)
        parent = clean[key.parent]
        checked = typed[cols].notna().all(axis=1)
        if key.when is not None:
            column, values = key.when
            checked &= typed[column].isin(values)
        if len(cols) == 1:
            # One id (a child, an IRO): looked up in a hash of the parent's, no join.
            ids = _ids(found.raw[AUTHORITY], typed[cols[0]], several)
            known = ids.isin(_ids(parent[AUTHORITY], parent[cols[0]], several))
            found.add(checked & ~known, key.rule, cols[-1])
            continue
        matched = _keyed(typed, found, cols).reset_index().merge(
            parent[[AUTHORITY, *cols]].drop_duplicates(), on=[AUTHORITY, *cols],
            how="inner")["index"]
        found.add(checked & ~typed.index.isin(matched), key.rule, cols[-1])


def _table_source(table: str, sources: dict[str, SourceData]) -> pd.DataFrame:
    """The plugins' frames for ``table``, stacked, each row with its authority; a table a
    system does not export has no rows, and a column one export lacks is blank."""
    frames = {code: source.tables[table] for code, source in sources.items()
              if table in source.tables}
    if not frames:
        columns = [*CANONICAL_MODELS[table].columns, *LINEAGE_COLUMNS]
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns}).assign(
            **{AUTHORITY: pd.Series(dtype="str")})
    dtypes = {}
    for frame in frames.values():
        dtypes.update({c: t for c, t in frame.dtypes.items() if c not in dtypes})
    parts = []
    for code, frame in frames.items():
        blank = {c: pd.Series(pd.NA, index=frame.index, dtype=t)
                 for c, t in dtypes.items() if c not in frame}
        parts.append(frame.assign(**blank, **{AUTHORITY: code}))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(
        drop=True)


def validate(source: SourceData, column_names: dict[str, dict[str, str]] | None = None
             ) -> ValidatedTables:
    """Validate one export's canonical tables; ``column_names`` names columns as the export does.

    Tables are taken parents first, so each one's keys are checked against its parents'
    clean rows.
    """
    return validate_many({"": source}, column_names)[""]


def validate_many(sources: dict[str, SourceData],
                  column_names: dict[str, dict[str, str]] | None = None
                  ) -> dict[str, ValidatedTables]:
    """Validate several exports (by authority) whose columns have the same headers at once:
    each one's result is what :func:`validate` gives it alone."""
    column_names = column_names or {}
    clean, failure_parts, quarantine_parts, rows_in = {}, [], [], {}
    for table, schema in CANONICAL_MODELS.items():
        raw = _table_source(table, sources)
        found = RowFailures(table, raw, column_names.get(table, {}))
        typed = _typed(schema, raw, found)
        _pandera_failures(schema, typed, found)
        for (rule, column), mask in ROW_CHECKS.get(table, lambda _: {})(
                _qualified(typed, raw, len(sources) > 1)).items():
            found.add(mask, rule, column)
            if RULES[rule].blanks_field:
                # The field costs itself, not the row: the rules still use the rest of it.
                typed[column] = typed[column].mask(mask.fillna(False).astype(bool))
        _duplicates(table, typed, found)
        _read_failures(table, sources, raw, found)
        _foreign_keys(table, typed, clean, found, len(sources) > 1)
        if table == "reviews":
            _review_rules(typed, clean, found, raw[AUTHORITY], len(sources) > 1)
        frame = found.frame()
        frame[AUTHORITY] = raw[AUTHORITY].to_numpy()[frame["_index"].to_numpy(dtype=np.int64)]
        errors = _error_index(frame)
        kept = ~raw.index.isin(errors)
        clean[table] = pd.concat([typed.drop(index=errors),
                                  raw.loc[kept, [*LINEAGE_COLUMNS, AUTHORITY]]],
                                 axis=1).reset_index(drop=True)
        quarantine_parts.append(_quarantine(table, raw.loc[errors], frame))
        failure_parts.append(frame.drop(columns="_index"))
        rows_in[table] = raw[AUTHORITY].value_counts()
    codes = list(sources)
    clean = {table: _split(frame, codes) for table, frame in clean.items()}
    failure_parts = [_split(part, codes) for part in failure_parts]
    quarantine_parts = [_split(part, codes) for part in quarantine_parts]
    out = {}
    for code, source in sources.items():
        file_level = failures_frame([f for f in source.failures if f.rule != "bad_row_shape"])
        failures = failures_frame(pd.concat([file_level, *(part[code] for part in failure_parts)],
                                            ignore_index=True))
        failures = failures.sort_values(["table_name", "source_file", "row"], kind="stable",
                                        ignore_index=True)
        quarantine = pd.concat([part[code] for part in quarantine_parts], ignore_index=True)
        out[code] = ValidatedTables({table: frames[code] for table, frames in clean.items()},
                                    failures, quarantine,
                                    {table: int(n.get(code, 0)) for table, n in rows_in.items()})
    return out


def _split(frame: pd.DataFrame, codes: list[str]) -> dict[str, pd.DataFrame]:
    """Each authority's rows of a stacked frame, without the authority column."""
    return {code: rows.drop(columns=AUTHORITY) for code, rows in by_authority(frame, codes).items()}


def _review_rules(typed: pd.DataFrame, clean: dict[str, pd.DataFrame], found: RowFailures,
                  authority: pd.Series, several: bool) -> None:
    """The reviews' checks against the child: born by then, the participation code fitting
    the child's age, and care that has reviews at all.

    The age checks follow the DfE's (codes 440, 441): on the fourth birthday both PN0 and
    PN1-PN7 are accepted.
    """
    children = clean["children"]
    dob = pd.Series(children["dob"].to_numpy(),
                    index=_ids(children[AUTHORITY], children["child_id"], several).to_numpy())
    keys = _ids(authority, typed["child_id"], several).to_numpy()
    born = pd.Series(dob.reindex(keys).to_numpy(), index=typed.index, dtype=children["dob"].dtype)
    review, code = typed["review_date"], typed["review_code"]
    found.add(review < born, "review_before_birth", "review_date")
    fourth = born + pd.DateOffset(years=4)
    found.add((code == "PN0") & (review > fourth), "pn0_aged_four", "review_code")
    found.add(code.isin(["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"]) & (review < fourth),
              "pn_under_four", "review_code")
    episodes = clean["episodes"]
    only_breaks = episodes["ls"].isin(LS_SHORT_BREAKS).groupby(
        _ids(episodes[AUTHORITY], episodes["child_id"], several).to_numpy(), sort=False).all()
    breaks = pd.Series(pd.Index(keys).isin(only_breaks.index[only_breaks.to_numpy()]),
                       index=typed.index)
    found.add(breaks & review.notna(), "review_short_breaks_only", "review_date")


def _error_index(frame: pd.DataFrame) -> pd.Index:
    """Rows with an error, in the order they were read (the quarantine's order)."""
    return pd.Index(np.unique(frame.loc[frame["severity"] == "error", "_index"].to_numpy(
        dtype=np.int64)), dtype="int64")


def _quarantine(table: str, rows: pd.DataFrame, failures: pd.DataFrame) -> pd.DataFrame:
    """Quarantined rows kept whole: lineage, the rules that failed, and the row as read."""
    errors = failures[failures["severity"] == "error"]
    rules = errors.groupby("_index")["rule"].agg(lambda r: ",".join(sorted(set(r))))
    values = rows.drop(columns=[*LINEAGE_COLUMNS, AUTHORITY])
    records = [json.dumps({k: v for k, v in zip(values.columns, rec, strict=True) if v is not None})
               for rec in values.astype(object).where(values.notna(), None).to_numpy().tolist()]
    return pd.DataFrame({
        AUTHORITY: rows[AUTHORITY].to_numpy(),
        "table_name": table, "source_file": rows[SOURCE_FILE].to_numpy(),
        "sheet": rows[SHEET].to_numpy(), "row": rows[ROW].to_numpy(dtype=np.int64),
        # Typed even with no rows, as every load's quarantine is concatenated with others.
        "rules": rules.reindex(rows.index).to_numpy(dtype=object),
        "record": np.array(records, dtype=object),
    })
