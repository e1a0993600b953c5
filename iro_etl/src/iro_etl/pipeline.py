"""The stages of one authority's load, as plain functions: read, validate, apply rules, build marts.

Dagster assets call these one per asset; the benchmarks call them directly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from iro_etl.config import Policies
from iro_etl.marts.build import RuleResults, apply_rules, conform, contract_problems, mart_frames
from iro_etl.quality.failures import failures_frame
from iro_etl.quality.validation import ValidatedTables, validate
from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.sources.cells import column_letters
from iro_etl.sources.plugin import SourceData, SourcePlugin
from iro_etl.sources.registry import get_plugin


@dataclass
class Export:
    """What a plugin read, with the identity of the load it starts."""

    authority: str
    system: str
    as_of: pd.Timestamp
    load_id: str
    source: SourceData
    column_names: dict[str, dict[str, str]]


def load_id(authority: str, system: str, source: SourceData, as_of: pd.Timestamp) -> str:
    """Same data, same id: a hash of what was read (files or database alike) and the as-of date.

    Re-running a night's load on unchanged exports reproduces its rows exactly.
    """
    digest = hashlib.sha256(f"{authority}|{system}|{as_of.date()}".encode())
    for table in sorted(source.tables):
        frame = source.tables[table]
        digest.update(f"{table}:{len(frame)}:".encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def translate_codes(source: SourceData, codes: dict[str, dict[str, dict[str, str]]]) -> None:
    """Replace an authority's local codes with canonical ones ({table: {column: {local: code}}})."""
    for table, columns in codes.items():
        frame = source.tables.get(table)
        if frame is None:
            continue
        for column, mapping in columns.items():
            if column in frame:
                frame[column] = frame[column].replace({str(k): str(v) for k, v in mapping.items()})


def read_export(authority: str, system: str | SourcePlugin, path: Path | str,
                as_of: pd.Timestamp, options: dict | None = None) -> Export:
    plugin = get_plugin(system, options) if isinstance(system, str) else system
    source = plugin.read(path)
    translate_codes(source, plugin.options.get("codes") or {})
    return Export(authority, plugin.name, as_of, load_id(authority, plugin.name, source, as_of),
                  source, plugin.column_names())


def validate_export(export: Export) -> ValidatedTables:
    return validate(export.source, export.column_names)


def quality_marts(export: Export, validated: ValidatedTables, rules: RuleResults
                  ) -> dict[str, pd.DataFrame]:
    """validation_failures, quarantine and load_summary for this load."""
    failures = pd.concat([validated.failures, failures_frame(rules.stray_reviews)],
                         ignore_index=True)
    validated = ValidatedTables(validated.clean, failures, validated.quarantine,
                                validated.rows_in)
    failures["column_letter"] = column_letters(failures, export.source.files)
    stamp = {"authority": export.authority, "load_id": export.load_id}
    summary = validated.summary().assign(system=export.system, as_of=export.as_of, **stamp)
    return {
        "validation_failures": failures.assign(**stamp),
        "quarantine": validated.quarantine.assign(**stamp),
        "load_summary": summary,
    }


@dataclass
class Marts:
    """One load's marts: those that meet their contract, and those held back (and why)."""

    frames: dict[str, pd.DataFrame]
    #: A mart that breaks its contract is not published for this authority: readers keep
    #: the previous load's rows, and the reason goes to Dagster's checks.
    rejected: dict[str, str]


def all_marts(export: Export, validated: ValidatedTables, rules: RuleResults, key: bytes
              ) -> Marts:
    """Every mart of one load (the rules' marts and the quality ones), checked one by one."""
    shaped = {**mart_frames(rules, export.authority, key),
              **quality_marts(export, validated, rules)}
    frames, rejected = {}, {}
    for name, frame in shaped.items():
        try:
            frames[name] = conform(name, frame)
        except pa.errors.SchemaErrors as exc:
            rejected[name] = contract_problems(exc)
    return Marts(frames, rejected)


def build_marts(export: Export, validated: ValidatedTables, calendar: WorkingCalendar,
                key: bytes, policies: Policies | None = None
                ) -> tuple[RuleResults, dict[str, pd.DataFrame]]:
    """Apply the rules and build every mart of one load."""
    rules = apply_rules(validated.clean, export.as_of, calendar, policies, export.column_names)
    marts = all_marts(export, validated, rules, key)
    if marts.rejected:
        raise ValueError(f"marts break their contract: {marts.rejected}")
    return rules, marts.frames
