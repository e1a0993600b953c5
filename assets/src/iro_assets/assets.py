"""The load of one authority as assets: export -> validated tables -> rules -> published marts."""


from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import dagster as dg
from iro_etl.config import Authority, ConfigError
from iro_etl.marts.build import RuleResults
from iro_etl.marts.publish import publish_load, sql_type
from iro_etl.pipeline import Export, all_marts, export_rules, read_export, validate_export
from iro_etl.quality.validation import ValidatedTables
from iro_etl.reports.latest import write_latest_annual_report, write_latest_failures_workbook
from iro_etl.sources.sql import is_database_url
from iro_schemas.canonical import CANONICAL_MODELS
from iro_schemas.marts import MART_MODELS, RESTRICTED_MARTS
from pydantic import Field

from iro_assets.expectations import EXPECTATION_CHECKS, expectation_checks
from iro_assets.partitions import authority_partitions
from iro_assets.resources import IroSettings, MartsDatabase, reports_dir

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


def _authority(settings: IroSettings, code: str, config: ExportConfig | None = None) -> Authority:
    """The authority as configured; an ad hoc load's system and input replace its own.

    An ad hoc load of an authority that is not configured (or with no authorities file at
    all) takes the default calendar and policies. A config file that exists but is broken
    fails the run: loading with defaults instead would publish marts computed by the
    wrong rules.
    """
    ad_hoc = bool(config and config.system and config.inputs)
    needs_config = settings.config_path().exists() or not ad_hoc
    try:
        authorities = settings.authorities() if needs_config else {}
    except ConfigError as exc:
        raise dg.Failure(str(exc)) from None
    if ad_hoc:
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


@dg.asset(partitions_def=authority_partitions, group_name=GROUP, kinds={"python", "pandas"},
          owners=OWNERS, tags={**DOMAIN, "layer": "source"},
          description="The authority's export read by its system's source plugin onto the "
          "canonical tables, with lineage.")
def export(context: dg.AssetExecutionContext, config: ExportConfig,
           settings: IroSettings) -> Export:
    authority = _authority(settings, context.partition_key, config)
    result = read_export(authority, settings.as_of_date())
    rows = {table: len(frame) for table, frame in result.source.tables.items()}
    context.add_output_metadata({
        "system": result.system, "load_id": result.load_id, "files": len(result.source.files),
        "read_failures": len(result.source.failures),
        # Tables of the export that no mart reads (a 903 return's uasc, oc2, ...): read, not used.
        "files_not_used": dg.MetadataValue.json(result.source.not_used),
        # Rows of earlier years' returns that a later return restates, per table and return.
        "rows_superseded": dg.MetadataValue.json(result.source.superseded),
        **{f"rows_{table}": n for table, n in rows.items()},
    })
    return result


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


@dg.asset(
    partitions_def=authority_partitions, group_name=GROUP, kinds={"pandera", "pandas"},
    owners=OWNERS, tags={**DOMAIN, "layer": "staging"},
    description="Canonical tables validated against the pandera contract: clean rows, "
    "quarantined rows and one failure record per problem.",
    check_specs=[
        *(dg.AssetCheckSpec(f"{table}_valid", asset="validated_tables",
                            description=f"Failures found in the {table} table.")
          for table in CANONICAL_MODELS),
        dg.AssetCheckSpec("rows_conserved", asset="validated_tables", blocking=True,
                          description="Rows in = clean rows + quarantined rows, for every table."),
    ],
)
def validated_tables(context: dg.AssetExecutionContext, export: Export):
    validated = validate_export(export)
    summary = validated.summary()
    yield dg.Output(validated, metadata={
        "summary": dg.MetadataValue.md(summary.to_markdown(index=False)),
        "failures": len(validated.failures),
    })
    for table in CANONICAL_MODELS:
        meta = _check_metadata(validated, table)
        yield dg.AssetCheckResult(
            check_name=f"{table}_valid", passed=meta["errors"] == 0, metadata=meta,
            severity=dg.AssetCheckSeverity.WARN,
        )
    conserved = (summary["rows_in"] == summary["rows_clean"] + summary["rows_quarantined"]).all()
    yield dg.AssetCheckResult(check_name="rows_conserved", passed=bool(conserved),
                              metadata={"summary": dg.MetadataValue.md(summary.to_markdown())})


@dg.asset(partitions_def=authority_partitions, group_name=GROUP, kinds={"pandas"},
          owners=OWNERS, tags={**DOMAIN, "layer": "rules"},
          description="Periods of care, review timeliness, the overdue worklist and the yearly "
          "statistics computed from the clean tables.")
def rule_results(context: dg.AssetExecutionContext, export: Export,
                 validated_tables: ValidatedTables) -> RuleResults:
    results = export_rules(export, validated_tables)
    context.add_output_metadata({
        "periods_of_care": len(results.periods), "reviews_assessed": len(results.timeliness),
        "overdue_now": len(results.overdue),
    })
    return results


MART_SPECS = [
    dg.AssetSpec(name, description=schema.description, group_name="marts",
                 kinds={"sql", "pandera"}, owners=OWNERS, freshness_policy=NIGHTLY,
                 tags={**DOMAIN, "layer": "mart",
                       "access": "restricted" if name in RESTRICTED_MARTS else "shared"},
                 partitions_def=authority_partitions,
                 deps=["export", "validated_tables", "rule_results"],
                 # A mart that breaks its contract is held back: this load skips it.
                 skippable=True,
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
CONTRACT_CHECKS = [
    dg.AssetCheckSpec(f"{name}_contract", asset=name,
                      description="The mart met its pandera contract and was published; "
                      "if not, this authority keeps its previous rows.")
    for name in MART_MODELS
]


GUARD_CHECK = dg.AssetCheckSpec(
    "publish_guard", asset="load_summary", blocking=True,
    description="The load was whole (every required table read, every file read to its end) "
    "and no table collapsed against the last published load; if not, only its failures and "
    "summary were published and every other mart keeps the previous load.")


class PublishConfig(dg.Config):
    """``accept_drop``: publish although a table collapsed against the last published load
    (a real drop, such as a transfer of cases, that a person has checked)."""

    accept_drop: bool = False


@dg.multi_asset(specs=MART_SPECS, check_specs=[*CONTRACT_CHECKS, *EXPECTATION_CHECKS, GUARD_CHECK],
                partitions_def=authority_partitions,
                description="Every mart of the authority, published in one transaction, then "
                "its Great Expectations suites run on the frames built (Data Docs written once).")
def published_marts(context: dg.AssetExecutionContext, config: PublishConfig, export: Export,
                    validated_tables: ValidatedTables, rule_results: RuleResults,
                    settings: IroSettings, database: MartsDatabase):
    code = context.partition_key
    marts = all_marts(export, validated_tables, rule_results, settings.pseudonym_key())
    outcome = publish_load(database.engine(), code, marts.frames, export.load_id, export.as_of,
                           guarded=export.required,
                           max_drop=export.authority.policies.max_drop,
                           accept_drop=config.accept_drop)
    for name, frame in outcome.written.items():
        yield dg.MaterializeResult(asset_key=name, metadata={
            "dagster/row_count": len(frame), "load_id": export.load_id,
            "as_of": str(export.as_of.date()), "status": outcome.status,
        })
    for name in MART_MODELS:
        problem = marts.rejected.get(name) or (
            None if name in outcome.written
            else "not published: the load was held back (see publish_guard)"
            if outcome.status == "held" else "held back with validation_failures")
        yield dg.AssetCheckResult(asset_key=name, check_name=f"{name}_contract",
                                  passed=problem is None, severity=dg.AssetCheckSeverity.ERROR,
                                  metadata={"problems": problem or "none"})
    yield dg.AssetCheckResult(asset_key="load_summary", check_name="publish_guard",
                              passed=outcome.status == "published",
                              severity=dg.AssetCheckSeverity.ERROR,
                              metadata={"status": outcome.status,
                                        "reason": outcome.reason or "none"})
    # The frames in hand, not the database: those written, and those the contract held back.
    yield from expectation_checks(code, {**marts.built(), **outcome.written},
                                  set(outcome.written))
    if outcome.reason:
        raise dg.Failure(description=f"{HELD}: {outcome.reason}")


@dg.asset(partitions_def=authority_partitions, group_name="reports", kinds={"excel"},
          owners=OWNERS, tags={**DOMAIN, "layer": "report"},
          deps=["validation_failures", "failure_history"],
          description="The quality officers' failures workbook for the authority's latest load.")
def failures_workbook(context: dg.AssetExecutionContext, database: MartsDatabase) -> None:
    code = context.partition_key
    path = write_latest_failures_workbook(database.engine(), code, reports_dir(code))
    context.add_output_metadata({"path": dg.MetadataValue.path(str(path))})


@dg.asset(partitions_def=authority_partitions, group_name="reports", kinds={"excel"},
          owners=OWNERS, tags={**DOMAIN, "layer": "report"},
          deps=[name for name in MART_MODELS if name not in ("quarantine", "failure_history")],
          description="The IRO annual report workbook for the last complete year ending 31 March.")
def annual_report(context: dg.AssetExecutionContext, database: MartsDatabase) -> None:
    code = context.partition_key
    path = write_latest_annual_report(database.engine(), code, reports_dir(code))
    context.add_output_metadata({"path": dg.MetadataValue.path(str(path))})
