"""The stages of one authority's load, as plain functions: read, validate, apply rules, build marts.

Dagster assets call these one per asset; the benchmarks and tests call them directly.
The export carries its :class:`~iro_etl.config.Authority` (calendar, policies, plugin
options) from the first stage to the last, so no later stage reads configuration again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd

from iro_etl.config import Authority, ConfigError
from iro_etl.marts.build import (
    Marts,
    RuleResults,
    apply_rules,
    check_loads,
    check_marts,
    mart_frames,
    split_results,
    stray_failures,
)
from iro_etl.quality.failures import failures_frame
from iro_etl.quality.guard import missing_tables
from iro_etl.quality.validation import ValidatedTables, validate, validate_many
from iro_etl.rules.stack import stack
from iro_etl.sources.cells import column_letters
from iro_etl.sources.combine import combine
from iro_etl.sources.plugin import SourceData, SourcePlugin
from iro_etl.sources.registry import get_plugin

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Export:
    """What a plugin read, with the identity of the load it starts and whose it is."""

    authority: Authority
    system: str
    as_of: pd.Timestamp
    load_id: str
    source: SourceData
    column_names: dict[str, dict[str, str]]
    #: The tables the system cannot do without (:attr:`SourcePlugin.required_tables`).
    required: tuple[str, ...] = ()


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


def _read(plugin: SourcePlugin, location: Path | str | tuple[Path, ...]) -> SourceData:
    """One source's export, read and its local codes translated."""
    if isinstance(location, tuple) and len(location) == 1:
        location = location[0]
    if isinstance(location, tuple) and not plugin.several_inputs:
        raise ConfigError(f"the {plugin.name} plugin reads one export location, not "
                          f"{len(location)}: give one file, folder or URL")
    source = plugin.read(location)
    translate_codes(source, plugin.options.get("codes") or {})
    return source


def read_export(authority: Authority, as_of: pd.Timestamp,
                plugin: SourcePlugin | None = None) -> Export:
    """Read the authority's export with its system's plugin (or ``plugin``, already chosen),
    and its further sources with theirs, combined table by table."""
    plugin = plugin or get_plugin(authority.system, authority.options)
    more = [get_plugin(s.system, s.options) for s in authority.sources]
    parts = [(plugin.name, _read(plugin, authority.export_path))]
    parts += [(p.name, _read(p, s.export_path)) for p, s in zip(more, authority.sources,
                                                                strict=True)]
    source = combine(parts)
    source.failures += missing_tables(source.tables, plugin.required_tables)
    names: dict[str, dict[str, str]] = {}
    for p in [plugin, *more]:
        # Column by column, the first source naming it: a column only a later source has
        # keeps that source's header.
        for table, columns in p.column_names().items():
            for column, header in columns.items():
                names.setdefault(table, {}).setdefault(column, header)
    return Export(authority, source.system, as_of,
                  load_id(authority.code, source.system, source, as_of), source,
                  names, plugin.required_tables)


def validate_export(export: Export) -> ValidatedTables:
    return validate(export.source, export.column_names)


def _in_groups(items: Sequence[T], group: Callable[[T], Hashable],
               run: Callable[[dict[str, T]], dict[str, R]]) -> list[R]:
    """``run`` once per group of ``items`` (by ``group``), each given its group's items keyed
    by position (an authority's code may come twice: its loads of two days); the results in
    the items' order."""
    groups: dict[Hashable, dict[str, T]] = {}
    for i, item in enumerate(items):
        groups.setdefault(group(item), {})[str(i)] = item
    out: dict[str, R] = {}
    for members in groups.values():
        out.update(run(members))
    return [out[str(i)] for i in range(len(items))]


def validate_exports(exports: Sequence[Export]) -> list[ValidatedTables]:
    """Each export validated as :func:`validate_export` does, in one pass per group of
    exports whose columns carry the same headers (the failures quote them)."""
    def run(members: dict[str, Export]) -> dict[str, ValidatedTables]:
        names = next(iter(members.values())).column_names
        return validate_many({key: export.source for key, export in members.items()}, names)

    return _in_groups(exports, lambda e: json.dumps(e.column_names, sort_keys=True), run)


def export_rules(export: Export, validated: ValidatedTables) -> RuleResults:
    """The rules on the clean tables, with the authority's own calendar and policies."""
    return apply_rules(validated.clean, export.as_of, export.authority.calendar,
                       export.authority.policies)


def stacked_rules(loads: Sequence[tuple[Export, ValidatedTables]]) -> list[RuleResults]:
    """Each load's rule results, as :func:`export_rules` gives them, with the rules run once
    over every group of loads that share a run date, a working calendar and policies (their
    clean tables stacked, see :mod:`iro_etl.rules.stack`)."""
    def run(members: dict[str, tuple[Export, ValidatedTables]]) -> dict[str, RuleResults]:
        export = next(iter(members.values()))[0]
        clean = stack({key: validated.clean for key, (_, validated) in members.items()})
        results = apply_rules(clean, export.as_of, export.authority.calendar,
                              export.authority.policies)
        return split_results(results, list(members))

    return _in_groups(loads, lambda load: (load[0].as_of, load[0].authority.calendar,
                                           load[0].authority.policies), run)


def quality_marts(export: Export, validated: ValidatedTables, rules: RuleResults
                  ) -> dict[str, pd.DataFrame]:
    """validation_failures, quarantine and load_summary for this load."""
    stray = failures_frame(stray_failures(rules.stray_reviews, export.column_names))
    failures = pd.concat([validated.failures, stray], ignore_index=True)
    validated = ValidatedTables(validated.clean, failures, validated.quarantine,
                                validated.rows_in)
    failures["column_letter"] = column_letters(failures, export.source.files)
    stamp = {"authority": export.authority.code, "load_id": export.load_id}
    # Published unless the publish guard holds it back (see iro_etl.marts.publish).
    superseded = {table: sum(by_return.values())
                  for table, by_return in export.source.superseded.items()}
    summary = validated.summary().assign(system=export.system, as_of=export.as_of, **stamp,
                                         status="published", held_reason=None)
    summary["rows_superseded"] = summary["table_name"].map(superseded).fillna(0).astype(int)
    summary["source_note"] = summary["table_name"].map(export.source.not_held)
    authority = export.authority
    calendar = "/".join(p for p in (authority.calendar.country, authority.calendar.subdiv) if p)
    return {
        "authorities": pd.DataFrame([{
            "authority": authority.code, "name": authority.name, "system": export.system,
            "calendar": calendar, "as_of": export.as_of, "load_id": export.load_id}]),
        "validation_failures": failures.assign(**stamp),
        "quarantine": validated.quarantine.assign(**stamp),
        "load_summary": summary,
    }


def _shaped(export: Export, validated: ValidatedTables, rules: RuleResults, key: bytes
            ) -> dict[str, pd.DataFrame]:
    return {**mart_frames(rules, export.authority.code, key),
            **quality_marts(export, validated, rules)}


def all_marts(export: Export, validated: ValidatedTables, rules: RuleResults, key: bytes
              ) -> Marts:
    """Every mart of one load (the rules' marts and the quality ones), each checked against
    its contract; one that breaks it is held back and the others publish."""
    return check_marts(_shaped(export, validated, rules, key))


def stacked_marts(loads: Sequence[tuple[Export, ValidatedTables, RuleResults]], key: bytes
                  ) -> list[Marts]:
    """Each load's marts, as :func:`all_marts` gives them, each mart's contract checked once
    over every load (:func:`iro_etl.marts.build.check_loads`)."""
    return check_loads([_shaped(*load, key) for load in loads])
