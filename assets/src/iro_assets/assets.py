"""The nightly load as assets: export -> validated tables -> rules -> published marts -> reports.

A run loads one authority (a partition) or several (a range of partitions): every asset
works on all of the run's authorities at once (see :mod:`iro_assets.batch`), validating,
applying the rules and publishing them together, and one authority's failure holds back
its own marts only. An asset shared by the run records a materialisation for each of its
authorities; a mart records one for each authority that published it, and every check
is evaluated per authority.
"""


from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pandas as pd
import sqlalchemy as sa
from iro_etl.config import Authority, ConfigError
from iro_etl.marts.build import Marts, RuleResults
from iro_etl.marts.publish import Load, Outcome, publish_loads, sql_type
from iro_etl.pipeline import (
    Export,
    all_marts,
    export_rules,
    read_export,
    stacked_marts,
    stacked_rules,
    validate_export,
    validate_exports,
)
from iro_etl.quality.validation import ValidatedTables
from iro_etl.reports.latest import write_latest_annual_report, write_latest_failures_workbook
from iro_etl.sources.sql import is_database_url
from iro_schemas.canonical import CANONICAL_MODELS
from iro_schemas.marts import MART_MODELS, RESTRICTED_MARTS, STATE_MODELS
from pydantic import Field

from iro_assets.batch import (
    AuthoritiesFailed,
    Batch,
    Failed,
    LoadResult,
    each,
    failure_metadata,
    finish,
    log_failures,
    together,
)
from iro_assets.expectations import EXPECTATION_CHECKS, expectation_checks
from iro_assets.partitions import BACKFILL, authority_partitions
from iro_assets.resources import IroSettings, MartsDatabase, reports_dir
from iro_assets.runs_log import write_run_line

GROUP = "iro"
#: Who answers for the assets (Dagster shows it on each; an authority deploying this sets
#: its own team through the code location's copy of these).
OWNERS = ["team:iro-data"]
DOMAIN = {"domain": "children-looked-after"}
#: The marts are loaded nightly (02:00): older than a day and two hours, a night was missed.
NIGHTLY = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=26),
                                         warn_window=timedelta(hours=25))
#: How a held load's run failure starts, for the command line to tell it from a crash.
HELD = "load held back, previous marts kept"


class ExportConfig(dg.Config):
    """Ad hoc loads name the system and input here; nightly runs take them from authorities.yaml."""

    system: str | None = None
    #: One export location, or several files or folders that the system reads as one export.
    inputs: list[str] = Field(default_factory=list)


def _configured(settings: IroSettings, ad_hoc: bool) -> dict[str, Authority]:
    """The authorities file, read once per run.

    An ad hoc load needs none (it then takes the default calendar and policies). A config
    file that exists but is broken fails the run: loading with defaults instead would
    publish marts computed by the wrong rules.
    """
    if ad_hoc and not settings.config_path().exists():
        return {}
    try:
        return settings.authorities()
    except ConfigError as exc:
        raise dg.Failure(str(exc)) from None


def _authority(authorities: dict[str, Authority], settings: IroSettings, code: str,
               config: ExportConfig) -> Authority:
    """The authority as configured; an ad hoc load's system and input replace its own."""
    if config.system and config.inputs:
        paths = [p if is_database_url(p) else Path(p) for p in config.inputs]
        path = paths[0] if len(paths) == 1 else tuple(paths)
        if code in authorities:
            return replace(authorities[code], system=config.system, export_path=path,
                           options={})
        return Authority.ad_hoc(code, config.system, path)
    if code not in authorities:
        raise dg.Failure(f"Authority {code} is not in {settings.config_path()} and no "
                         "system and input were given for it.")
    return authorities[code]




def _exports(context: dg.AssetExecutionContext, config: ExportConfig, settings: IroSettings
             ) -> Batch[Export]:
    codes = list(context.partition_keys)
    ad_hoc = bool(config.system and config.inputs)
    if ad_hoc and len(codes) > 1:
        raise dg.Failure("a system and input given for the run are one authority's export: "
                         "load it as a run of its own partition")
    authorities = _configured(settings, ad_hoc)
    as_of = settings.as_of_date()
    done, lost = each("export", dict.fromkeys(codes), lambda code, _: read_export(
        _authority(authorities, settings, code, config), as_of))
    return finish(context, Batch(done, lost), "export")


@dg.asset(partitions_def=authority_partitions, backfill_policy=BACKFILL, group_name=GROUP,
          kinds={"python", "pandas"}, owners=OWNERS, tags={**DOMAIN, "layer": "source"},
          description="The authority's export read by its system's source plugin onto the "
          "canonical tables, with lineage.")
def export(context: dg.AssetExecutionContext, config: ExportConfig,
           settings: IroSettings) -> Batch:
    batch = _exports(context, config, settings)
    for code, result in batch.done.items():
        rows = {table: len(frame) for table, frame in result.source.tables.items()}
        context.add_asset_metadata({
            "system": result.system, "load_id": result.load_id,
            "files": len(result.source.files), "read_failures": len(result.source.failures),
            # Tables of the export that no mart reads (a 903 return's uasc, oc2, ...).
            "files_not_used": dg.MetadataValue.json(result.source.not_used),
            # Rows of earlier years' returns that a later return restates, per table and return.
            "rows_superseded": dg.MetadataValue.json(result.source.superseded),
            **{f"rows_{table}": n for table, n in rows.items()},
        }, partition_key=code)
    _failed_metadata(context, batch)
    return batch


def _failed_metadata(context: dg.AssetExecutionContext, batch: Batch) -> None:
    # A run's asset is recorded for all its partitions: say which of them it holds nothing for.
    for code, f in batch.failed.items():
        context.add_asset_metadata({"failed": f"at {f.step}: {f.message}"}, partition_key=code)


def _check_metadata(validated: ValidatedTables, table: str) -> dict:
    failures = validated.failures[validated.failures["table_name"] == table]
    by_rule = failures.groupby(["rule", "severity"]).size().reset_index(name="count")
    # The sample locates problems but carries no values: Dagster's UI is not the restricted store.
    sample = failures.head(10)[["source_file", "row", "column_name", "rule"]]
    return {
        "rows_in": validated.rows_in[table],
        "rows_clean": len(validated.clean[table]),
        "rows_quarantined": int((validated.quarantine["table_name"] == table).sum()),
        "errors": int((failures["severity"] == "error").sum()),
        "warnings": int((failures["severity"] == "warning").sum()),
        "failures_by_rule": dg.MetadataValue.md(by_rule.to_markdown(index=False)
                                                if len(by_rule) else "none"),
        "sample": dg.MetadataValue.md(sample.to_markdown(index=False) if len(sample) else "none"),
    }


def _check_outputs(specs: list[dg.AssetCheckSpec]):
    """The checks' own outputs, once per run: their results went out per authority."""
    for spec in specs:
        yield dg.Output(None, output_name=spec.get_python_identifier())


def _conserved(summary: pd.DataFrame) -> bool:
    """Rows in = clean rows + quarantined rows in every table of a validation summary."""
    return bool((summary["rows_in"] == summary["rows_clean"]
                 + summary["rows_quarantined"]).all())


VALIDATION_CHECKS = [
    *(dg.AssetCheckSpec(f"{table}_valid", asset="validated_tables",
                        partitions_def=authority_partitions,
                        description=f"Failures found in the {table} table.")
      for table in CANONICAL_MODELS),
    dg.AssetCheckSpec("rows_conserved", asset="validated_tables",
                      partitions_def=authority_partitions,
                      description="Rows in = clean rows + quarantined rows, for every table; "
                      "a load that breaks it goes no further."),
]


@dg.asset(
    partitions_def=authority_partitions, backfill_policy=BACKFILL, group_name=GROUP,
    kinds={"pandera", "pandas"},
    owners=OWNERS, tags={**DOMAIN, "layer": "staging"},
    description="Canonical tables validated against the pandera contract: clean rows, "
    "quarantined rows and one failure record per problem.",
    check_specs=VALIDATION_CHECKS,
)
def validated_tables(context: dg.AssetExecutionContext, export: Batch):
    done, lost = together(
        "validated_tables", export.done,
        lambda items: dict(zip(items, validate_exports(list(items.values())), strict=True)),
        lambda _, one: validate_export(one))
    for code, validated in done.items():
        summary = validated.summary()
        context.add_asset_metadata({
            "summary": dg.MetadataValue.md(summary.to_markdown(index=False)),
            "failures": len(validated.failures)}, partition_key=code)
        for table in CANONICAL_MODELS:
            meta = _check_metadata(validated, table)
            yield _evaluation("validated_tables", f"{table}_valid", code, meta["errors"] == 0,
                              meta, dg.AssetCheckSeverity.WARN)
        conserved = _conserved(summary)
        yield _evaluation("validated_tables", "rows_conserved", code, conserved,
                          {"summary": dg.MetadataValue.md(summary.to_markdown())})
        if not conserved:
            # Rows lost by validation are our bug, never the export's: that load stops here.
            lost[code] = Failed("validated_tables", "rows were lost in validation (see "
                                "rows_conserved)")
    batch = export.then({code: v for code, v in done.items() if code not in lost}, lost)
    _failed_metadata(context, batch)
    yield dg.Output(finish(context, batch, "validated_tables"))
    yield from _check_outputs(VALIDATION_CHECKS)


def _evaluation(asset: str, check: str, code: str, passed: bool, metadata: dict,
                severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR
                ) -> dg.AssetCheckEvaluation:
    """One authority's result of a check (a partition's evaluation)."""
    return dg.AssetCheckEvaluation(asset_key=dg.AssetKey(asset), check_name=check,
                                   passed=passed, metadata=metadata, severity=severity,
                                   partition=code)


@dg.asset(partitions_def=authority_partitions, backfill_policy=BACKFILL, group_name=GROUP, kinds={"pandas"},
          owners=OWNERS, tags={**DOMAIN, "layer": "rules"},
          description="Periods of care, review timeliness, the overdue worklist and the yearly "
          "statistics computed from the clean tables.")
def rule_results(context: dg.AssetExecutionContext, export: Batch,
                 validated_tables: Batch) -> Batch:
    loads = {code: (export.done[code], validated) for code, validated
             in validated_tables.done.items()}
    done, lost = together(
        "rule_results", loads,
        lambda items: dict(zip(items, stacked_rules(list(items.values())), strict=True)),
        lambda _, load: export_rules(*load))
    batch = finish(context, validated_tables.then(done, lost), "rule_results")
    for code, results in batch.done.items():
        context.add_asset_metadata({
            "periods_of_care": len(results.periods), "reviews_assessed": len(results.timeliness),
            "overdue_now": len(results.overdue)}, partition_key=code)
    _failed_metadata(context, batch)
    return batch


MART_SPECS = [
    dg.AssetSpec(name, description=schema.description, group_name="marts",
                 kinds={"sql", "pandera"}, owners=OWNERS, freshness_policy=NIGHTLY,
                 tags={**DOMAIN, "layer": "mart",
                       "access": "restricted" if name in RESTRICTED_MARTS else "shared"},
                 partitions_def=authority_partitions,
                 metadata={
                     # The SQL table and its column types, as a BI tool or dbt will see them.
                     "dagster/table_name": name,
                     "dagster/column_schema": dg.TableSchema(columns=[
                         dg.TableColumn(col, str(sql_type(spec)), description=spec.description,
                                        constraints=dg.TableColumnConstraints(
                                            nullable=spec.nullable))
                         for col, spec in schema.columns.items()])})
    for name, schema in MART_MODELS.items()
]
LOAD_LOG = dg.AssetSpec(
    "load_log", description=STATE_MODELS["load_log"].description, group_name="marts",
    kinds={"sql"}, owners=OWNERS, tags={**DOMAIN, "layer": "mart", "access": "restricted"},
    partitions_def=authority_partitions, metadata={"dagster/table_name": "load_log"})
CONTRACT_CHECKS = [
    dg.AssetCheckSpec(f"{name}_contract", asset=name, partitions_def=authority_partitions,
                      description="The mart met its pandera contract and was published; "
                      "if not, this authority keeps its previous rows.")
    for name in MART_MODELS
]


GUARD_CHECK = dg.AssetCheckSpec(
    "publish_guard", asset="load_summary", partitions_def=authority_partitions,
    description="The load was whole (every required table read, every file read to its end) "
    "and no table collapsed against the last published load; if not, only its failures and "
    "summary were published and every other mart keeps the previous load.")
PUBLISH_CHECKS = [*CONTRACT_CHECKS, *EXPECTATION_CHECKS, GUARD_CHECK]


class PublishConfig(dg.Config):
    """``accept_drop``: publish although a table collapsed against the last published load
    (a real drop, such as a transfer of cases, that a person has checked)."""

    accept_drop: bool = False


def _built(loads: dict[str, tuple[Export, ValidatedTables, RuleResults]], key: bytes
           ) -> tuple[dict[str, Marts], dict[str, Failed]]:
    return together(
        "published_marts", loads,
        lambda items: dict(zip(items, stacked_marts(list(items.values()), key), strict=True)),
        lambda _, load: all_marts(*load, key))


def _published(database: MartsDatabase, loads: dict[str, Load]
               ) -> tuple[dict[str, Outcome], dict[str, Failed]]:
    """The loads published in one transaction; if that fails, each in its own, so one
    authority's rows that the database refuses hold back no one else's."""
    engine = database.engine()
    return together(
        "published_marts", loads,
        lambda items: dict(zip(items, publish_loads(engine, list(items.values())), strict=True)),
        lambda _, load: publish_loads(engine, [load])[0])


def _counts(summary) -> str:
    return (f"{int(summary['rows_in'].sum())} rows in, "
            f"{int(summary['rows_quarantined'].sum())} quarantined, "
            f"{int(summary['errors'].sum())} errors, {int(summary['warnings'].sum())} warnings")


@dg.multi_asset(
    outs={**{spec.key.path[-1]: dg.AssetOut.from_spec(spec, is_required=False)
             for spec in MART_SPECS},
          "load_log": dg.AssetOut.from_spec(LOAD_LOG, dagster_type=dict)},
    check_specs=PUBLISH_CHECKS, partitions_def=authority_partitions, backfill_policy=BACKFILL,
    description="Every mart of the run's authorities, published in one transaction behind "
    "each load's guard, then the Great Expectations suites run on the frames built (Data "
    "Docs written once); the load log says how each authority's load ended.")
def published_marts(context: dg.AssetExecutionContext, config: PublishConfig,
                    export: Batch, validated_tables: Batch,
                    rule_results: Batch, settings: IroSettings,
                    database: MartsDatabase):
    loads = {code: (export.done[code], validated_tables.done[code], results)
             for code, results in rule_results.done.items()}
    marts, lost = _built(loads, settings.pseudonym_key())
    to_publish = {
        code: Load(code, built.frames, export.done[code].load_id, export.done[code].as_of,
                   export.done[code].required, export.done[code].authority.policies.max_drop,
                   config.accept_drop)
        for code, built in marts.items()}
    outcomes, refused = _published(database, to_publish)
    batch = finish(context, rule_results.then(outcomes, {**lost, **refused}), "published_marts")
    for code, outcome in batch.done.items():
        yield from _mart_events(code, marts[code], outcome, export.done[code])
    # The frames in hand, not the database: those written, and those held back.
    checked, unchecked = together(
        "expectations", {code: ({**marts[code].built(), **outcome.written}, set(outcome.written))
                         for code, outcome in batch.done.items()},
        lambda items: expectation_checks({c: f for c, (f, _) in items.items()},
                                         {c: p for c, (_, p) in items.items()}),
        lambda code, item: expectation_checks({code: item[0]}, {code: item[1]})[code])
    results: dict[str, LoadResult] = {}
    for code, outcome in batch.done.items():
        yield from checked.get(code, [])
        summary = outcome.written.get("load_summary")
        counts = _counts(summary) if summary is not None else ""
        held = Failed("published_marts", f"{HELD}: {outcome.reason}") if outcome.reason else None
        # The marts are published even if their suites could not run: say what failed.
        results[code] = LoadResult(not held, held or unchecked.get(code), counts, bool(held))
        if results[code].failure is None:
            write_run_line(context.log, f"{code} published load "
                           f"{export.done[code].load_id}: {counts}")
        else:
            log_failures(context, {code: results[code].failure})
    for code, f in batch.failed.items():
        results[code] = LoadResult(failure=f)
    for code, result in results.items():
        context.add_asset_metadata({
            "status": result.status,
            "reason": result.failure.message if result.failure else "none"},
            asset_key="load_log", partition_key=code)
    yield from _check_outputs(PUBLISH_CHECKS)
    yield dg.Output(results, output_name="load_log")


def _mart_events(code: str, marts: Marts, outcome: Outcome, load: Export):
    """An authority's marts: a materialisation for each one written, and its checks."""
    for name, frame in outcome.written.items():
        yield dg.AssetMaterialization(asset_key=name, partition=code, metadata={
            "dagster/row_count": len(frame), "load_id": load.load_id,
            "as_of": str(load.as_of.date()), "status": outcome.status})
    for name in MART_MODELS:
        problem = marts.rejected.get(name) or (
            None if name in outcome.written
            else "not published: the load was held back (see publish_guard)"
            if outcome.status == "held" else "held back with validation_failures")
        yield _evaluation(name, f"{name}_contract", code, problem is None,
                          {"problems": problem or "none"})
    yield _evaluation("load_summary", "publish_guard", code, outcome.status == "published",
                      {"status": outcome.status, "reason": outcome.reason or "none"})


@dg.asset_check(asset="load_log", name="load_published", partitions_def=authority_partitions,
                description="The authority's load of this run was published; if it was held "
                "back or failed, the run fails once every other authority's load is done.")
def load_published(load_log: dict):
    for code, result in load_log.items():
        yield _evaluation("load_log", "load_published", code, result.published,
                          {"step": result.failure.step if result.failure else "none",
                           "reason": result.failure.message if result.failure else "none"})
    yield dg.Output(None)
    failures = {code: r.failure for code, r in load_log.items() if r.failure is not None}
    if failures:
        first = next(iter(failures.values()))
        raise AuthoritiesFailed(
            description=first.message if len(failures) == 1
            else f"{len(failures)} of {len(load_log)} authorities' loads were not published",
            metadata=failure_metadata(failures))


def _reports(context: dg.AssetExecutionContext, asset: str,
             write: Callable[[sa.Engine, str, Path], Path]) -> Iterator:
    """Each authority's report written from its published marts (one with none has nothing
    to report); one that fails to write is that authority's failure alone."""
    engine = context.resources.database.engine()
    done, lost = each(asset, dict.fromkeys(context.partition_keys),
                      lambda code, _: _written(write, engine, code))
    for code, path in done.items():
        if path is not None:
            yield dg.AssetMaterialization(asset_key=asset, partition=code,
                                          metadata={"path": dg.MetadataValue.path(str(path))})
    if lost:
        log_failures(context, lost)
        raise AuthoritiesFailed(description=next(iter(lost.values())).message,
                                metadata=failure_metadata(lost))


def _written(write: Callable[[sa.Engine, str, Path], Path], engine: sa.Engine, code: str
             ) -> Path | None:
    try:
        return write(engine, code, reports_dir(code))
    except LookupError:
        return None


def _report(name: str, write: Callable[[sa.Engine, str, Path], Path], description: str
            ) -> dg.AssetsDefinition:
    """A report asset: each authority's written from its published marts (see _reports)."""
    @dg.asset(name=name, partitions_def=authority_partitions, backfill_policy=BACKFILL,
              group_name="reports", kinds={"excel"}, owners=OWNERS,
              tags={**DOMAIN, "layer": "report"}, deps=["load_log"], output_required=False,
              required_resource_keys={"database"}, description=description)
    def report(context: dg.AssetExecutionContext):
        yield from _reports(context, name, write)

    return report


failures_workbook = _report(
    "failures_workbook", write_latest_failures_workbook,
    "The quality officers' failures workbook for the authority's latest load (a held "
    "load's too: its failures are what to chase).")
annual_report = _report(
    "annual_report", write_latest_annual_report,
    "The IRO annual report workbook for the last complete year ending 31 March, from the "
    "authority's published marts.")
