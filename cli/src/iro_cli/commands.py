"""What the ``iro-etl`` commands do, one function each (the options are in :mod:`iro_cli.cli`).

Kept apart from the command line's definition so that ``iro-etl --help`` does not import
pandas, Dagster and the core: this module is imported when a command runs.
"""

import os
import sys
from pathlib import Path

import click
import pandas as pd
import sqlalchemy as sa
from iro_assets.partitions import BATCH
from iro_assets.resources import default_db_url, reports_dir
from iro_etl.config import Authority, ConfigError, load_authorities
from iro_etl.marts.publish import accept, make_engine, read_mart
from iro_etl.pipeline import read_export, validate_export
from iro_etl.reports.annual_report import write_annual_report
from iro_etl.reports.failures_workbook import csv_safe
from iro_etl.reports.latest import write_latest_failures_workbook
from iro_etl.sources.plugin import SourcePlugin
from iro_etl.sources.registry import PluginError, available, detect, get_plugin
from iro_etl.sources.sql import is_database_url, shown_url

from iro_cli.progress import Progress
from iro_cli.runner import (
    dagster_instance,
    environment,
    log_path,
    run_authorities,
    run_authority,
    summary,
)

USAGE = 2


def _as_of(value: str | None) -> pd.Timestamp:
    if not value:
        return pd.Timestamp.today().normalize()
    try:
        return pd.Timestamp(value).normalize()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def _fail(message: str, code: int = USAGE) -> None:
    click.echo(f"iro-etl: {message}", err=True)
    sys.exit(code)


def _location(text: str) -> Path | str:
    """An export location from the command line: a database URL, or a path that must exist."""
    if is_database_url(text):
        return text
    path = Path(text)
    if not path.exists():
        _fail(f"{path}: no such file or folder")
    return path


def _locations(texts: tuple[str, ...]) -> Path | str | tuple[Path, ...]:
    """One export location, or several files and folders read as one export."""
    locations = [_location(text) for text in texts]
    if len(locations) == 1:
        return locations[0]
    if not all(isinstance(location, Path) for location in locations):
        _fail("several --input must all be files or folders, not database URLs")
    return tuple(location.resolve() for location in locations)


def _plugin(system: str | None, location: Path | str | tuple[Path, ...]) -> SourcePlugin:
    """The named plugin, or the one installed plugin that recognises the export; one that
    reads one location at a time is refused several, and a named one that does not
    recognise the export at all is refused (with the plugin that does, if one does)."""
    try:
        plugin = get_plugin(system) if system else detect(location)
    except PluginError as exc:
        _fail(str(exc))
    if isinstance(location, tuple) and not plugin.several_inputs:
        _fail(f"the {plugin.name} plugin reads one export location: give --input once")
    if system and _exists(location) and not plugin.recognise(location):
        try:
            other = detect(location).name
            hint = f"; it looks like {other}: give --system {other}"
        except PluginError:
            hint = "; no installed plugin recognises it (iro-etl plugins lists them)"
        _fail(f"the {plugin.name} plugin does not recognise {_shown(location)} as its "
              f"export{hint}")
    return plugin


def _exists(location: Path | str | tuple[Path, ...]) -> bool:
    """Whether there is something at the location to recognise: an empty folder is left to
    the load, which holds it back as missing its tables."""
    paths = location if isinstance(location, tuple) else (location,)
    return all(not (isinstance(p, Path) and p.is_dir()) or any(p.iterdir()) for p in paths)


def _shown(location: Path | str | tuple[Path, ...]) -> str:
    if isinstance(location, tuple):
        return ", ".join(map(str, location))
    return shown_url(location) if isinstance(location, str) else str(location)


def _reachable(db_url: str | None) -> sa.Engine:
    """The marts database, checked reachable before any work (a server that is down is one
    line, not a failed run after the export was read)."""
    engine = make_engine(db_url or default_db_url())
    if engine.url.get_backend_name() == "sqlite":
        return engine  # a file: made by the first publish
    try:
        with engine.connect():
            pass
    except sa.exc.SQLAlchemyError as exc:
        _fail(f"cannot reach the marts database {engine.url.render_as_string(hide_password=True)}"
              f": {str(exc.orig if getattr(exc, 'orig', None) else exc).splitlines()[0]}")
    return engine


def _marts_engine(db_url: str | None, authority: str) -> sa.Engine:
    """The marts database, checked reachable, and ``authority`` checked loaded into it."""
    engine = _reachable(db_url)
    where = engine.url.render_as_string(hide_password=True)
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database and database != ":memory:" \
            and not Path(database).exists():
        # Connecting would create an empty file and then report that nothing was loaded.
        _fail(f"no marts database at {database}: load an export first, or give --db")
    try:
        log = read_mart(engine, "load_log")
    except sa.exc.SQLAlchemyError as exc:
        _fail(f"cannot read the load log in {where}: {str(exc).splitlines()[0]}")
    loaded = sorted(log["authority"].unique()) if len(log) else []
    if authority not in loaded:
        _fail(f"authority {authority} has never been loaded into {where} (loaded: "
              f"{', '.join(loaded) or 'none yet'}); check the code or --db")
    return engine


def _progress() -> Progress:
    """Stage-by-stage progress at the verbosity given on the command line (-v, -q)."""
    ctx = click.get_current_context(silent=True)
    return Progress((ctx.find_root().obj or {}).get("verbosity", 0) if ctx else 0)


def _report(outcomes, db_url: str | None) -> None:
    """One line per authority that did not load cleanly, the published ones' figures, and
    exit 1 if any run failed or was held back."""
    for o in outcomes:
        if o.held:
            click.echo(f"{o.authority}: {o.error} (run {o.run_id})", err=True)
        elif not o.success and o.published:
            click.echo(f"{o.authority}: marts published, but {o.failed_step} failed "
                       f"(run {o.run_id}): {o.error}; details in {log_path()}", err=True)
        elif not o.success:
            click.echo(f"{o.authority}: load FAILED (run {o.run_id}): {o.error}; details in "
                       f"{log_path()}", err=True)
    published = [o.authority for o in outcomes if o.published]
    if published:
        click.echo(summary(db_url, published).to_string(index=False))
    if not all(o.success for o in outcomes):
        sys.exit(1)


def demo(folder: Path, as_of: str | None, scale: float, scenario: str | None) -> None:
    """Generate synthetic authorities on four systems, load them, print what was published."""
    try:
        # Test data is a development-only distribution: a production install has no demo.
        from iro_testdata.demo import write_demo, write_scenario
        from iro_testdata.seed_scenarios import SCENARIOS
    except ImportError:
        _fail("the demo needs the development-only iro-testdata distribution "
              "(pip install ./testdata, or uv sync in a clone of the repository)")
    if scenario and scenario not in SCENARIOS:
        _fail(f"no scenario {scenario!r}; known: {', '.join(sorted(SCENARIOS))}")
    folder = folder.resolve()
    if scenario:
        when = SCENARIOS[scenario].as_of
        config = write_scenario(folder, scenario)
    else:
        when = _as_of(as_of)
        config = write_demo(folder, when, scale)
    db_url = f"sqlite:///{folder / 'iro_etl.db'}"
    codes = sorted(load_authorities(config))
    click.echo(f"Wrote synthetic exports for {', '.join(codes)} under {folder / 'exports'}")
    instance = dagster_instance()
    with environment(IRO_ETL_CONFIG=str(config), IRO_ETL_DB_URL=db_url,
                     IRO_ETL_HOME=str(folder), IRO_ETL_AS_OF=str(when.date())):
        progress = _progress()
        outcomes = run_authorities(instance, codes, on_step=progress)
        progress.summary()
        _report(outcomes, db_url)
    if scenario:
        click.echo(f"\n{scenario}: the seed report's figures beside the published marts")
        comparison = SCENARIOS[scenario].compare(make_engine(db_url), SCENARIOS[scenario].code)
        click.echo(comparison.to_string(index=False))
    click.echo(f"\nMarts published to {folder / 'iro_etl.db'} (SQLite), as of {when.date()}.")
    click.echo(f"Failures workbooks: {folder / 'reports'}")
    click.echo(f"Data Docs (offline): {folder / 'data_docs' / 'site' / 'index.html'}")
    click.echo(f"Config: {config}.  Dagster runs: {os.environ['DAGSTER_HOME']}")
    click.echo("Browse them in Dagster's UI:\n  DAGSTER_HOME=$PWD/.dagster_home "
               f"IRO_ETL_CONFIG={config} IRO_ETL_DB_URL={db_url} IRO_ETL_HOME={folder} \\\n"
               "  python3.11 -m uv run dagster dev -w workspace.yaml")


def load(authority: str, system: str | None, input_paths: tuple[str, ...], db_url: str | None,
         as_of: str | None, accept_drop: bool) -> None:
    """Load one export, ad hoc, and publish its marts."""
    location = _locations(input_paths)
    system = _plugin(system, location).name
    when = _as_of(as_of)
    _reachable(db_url)
    instance = dagster_instance()
    with environment(IRO_ETL_DB_URL=db_url, IRO_ETL_AS_OF=str(when.date())):
        progress = _progress()
        outcome = run_authority(instance, authority, system=system, input_path=location,
                                accept_drop=accept_drop, on_step=progress)
        progress.summary()
        _report([outcome], db_url)


def run(config_path: Path, db_url: str | None, as_of: str | None, accept_drop: bool,
        batch: int | None) -> None:
    """Load every configured authority, as the nightly schedule does."""
    try:
        codes = sorted(load_authorities(config_path))
    except ConfigError as exc:
        _fail(str(exc))
    when = _as_of(as_of)
    _reachable(db_url)
    instance = dagster_instance()
    with environment(IRO_ETL_CONFIG=str(config_path.resolve()), IRO_ETL_DB_URL=db_url,
                     IRO_ETL_AS_OF=str(when.date())):
        progress = _progress()
        outcomes = run_authorities(instance, codes, accept_drop=accept_drop, on_step=progress,
                                   batch=batch or BATCH)
        progress.summary()
        _report(outcomes, db_url)


def validate(system: str | None, input_paths: tuple[str, ...], fmt: str) -> None:
    """Check an export and print its failures; nothing is published."""
    location = _locations(input_paths)
    plugin = _plugin(system, location)
    export = read_export(Authority.ad_hoc("-", plugin.name, location),
                         pd.Timestamp.today().normalize(), plugin)
    validated = validate_export(export)
    failures = validated.failures.drop(columns=["record_key"])
    if fmt == "csv":
        csv_safe(failures).to_csv(sys.stdout, index=False)
    else:
        click.echo(validated.summary().to_string(index=False))
        if export.source.not_used:
            click.echo("Read, not used: " + ", ".join(
                f"{name} ({table})" for name, table in sorted(export.source.not_used.items())))
        if len(failures):
            shown = failures[["table_name", "source_file", "row", "column_name", "value",
                              "severity", "message"]]
            click.echo("")
            click.echo(shown.to_string(index=False, max_rows=200))
    sys.exit(1 if (failures["severity"] == "error").any() else 0)


def failures(authority: str, db_url: str | None, status: str, since: str | None, fmt: str,
             output: Path | None) -> None:
    """List an authority's failures as tracked load to load, or write its workbook."""
    engine = _marts_engine(db_url, authority)
    if fmt == "xlsx":
        try:
            path = write_latest_failures_workbook(engine, authority,
                                                  output or reports_dir(authority))
        except (LookupError, sa.exc.SQLAlchemyError) as exc:
            _fail(f"{authority}: {exc}".splitlines()[0])
        click.echo(str(path))
        return
    history = read_mart(engine, "failure_history", authority)
    if status == "current":
        history = history[history["status"] != "resolved"]
    elif status != "all":
        history = history[history["status"] == status]
    if since:
        history = history[pd.to_datetime(history["first_seen_on"]) >= _as_of(since)]
    shown = history[["failure_key", "status", "accepted", "table_name", "record_key",
                     "column_name", "rule", "severity", "first_seen_on", "message"]]
    shown = shown.sort_values(["table_name", "rule", "record_key"])
    if fmt == "csv":
        csv_safe(shown).to_csv(sys.stdout, index=False)
    else:
        click.echo(shown.to_string(index=False, max_colwidth=60) if len(shown) else "none")


def report(authority: str, year: int, db_url: str | None, output: Path | None,
           min_cohort: int) -> None:
    """Write the IRO annual report workbook of an authority for one year."""
    path = output or reports_dir(authority) / f"annual_report_{year}.xlsx"
    try:
        written = write_annual_report(_marts_engine(db_url, authority), authority, year, path,
                                      min_cohort)
    except (LookupError, sa.exc.SQLAlchemyError) as exc:
        _fail(f"{authority}: {exc}".splitlines()[0])
    click.echo(str(written))


def accept_failure(authority: str, failure_key: str, who: str, reason: str,
                   db_url: str | None) -> None:
    """Accept a failure as a known exception: it stops counting against the authority."""
    try:
        accept(_marts_engine(db_url, authority), authority, failure_key, who, reason)
    except (KeyError, sa.exc.SQLAlchemyError) as exc:
        _fail(str(exc).strip("'\"").splitlines()[0])
    click.echo(f"{authority}: failure {failure_key} accepted by {who}.")


def detect_system(input_path: str) -> None:
    """Name the installed plugin that recognises an export."""
    click.echo(_plugin(None, _location(input_path)).name)


def plugins() -> None:
    """List the installed source plugins."""
    for name, plugin in sorted(available().items()):
        click.echo(f"{name:12} {plugin.description}")
