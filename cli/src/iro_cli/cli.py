"""The ``iro-etl`` command line: its commands, options and argument checks.

Loads run the Dagster job in this process (the same job the schedule runs). Exit codes:
0 done; 1 a load failed or was held back, or validation found errors; 2 the command could
not start (bad arguments, unknown system, unreadable config), nothing done. What each
command does is in :mod:`iro_cli.commands`, imported only when a command runs, so
``iro-etl --help`` answers without loading pandas or Dagster.
"""

import os
from pathlib import Path

import click
from iro_etl.privacy import PRIVATE_UMASK


def _code(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    from iro_etl.config import ConfigError, check_code

    try:
        return check_code(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


def _url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A marts database URL SQLAlchemy can use (and a driver for it), checked before any work."""
    if value is None:
        return None
    import sqlalchemy as sa
    from iro_etl.marts.publish import marts_url

    try:
        sa.create_engine(marts_url(value)).dispose()
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError, ValueError) as exc:
        raise click.BadParameter(f"{value!r} is not a usable database URL ({exc})") from None
    return value


def _year(_ctx: click.Context, _param: click.Parameter, value: int) -> int:
    if not 1990 <= value <= 2100:
        raise click.BadParameter(f"{value} is not a year ending 31 March: give four digits, "
                                 "e.g. 2014 for 2013/14")
    return value


def _commands():
    from iro_cli import commands

    return commands


DB = click.option("--db", "db_url", callback=_url, help="SQLAlchemy URL of the marts database.")
AS_OF = click.option("--as-of", help="Date to compute for (YYYY-MM-DD); default today.")
INPUT = click.option("--input", "input_paths", required=True, multiple=True,
                     help="Export file or folder, or a database URL for systems read from one. "
                     "Give it again for more folders of one export (e.g. earlier years' SSDA903 "
                     "returns).")
SYSTEM = click.option("--system",
                      help="Source plugin, e.g. ssda903; default: the one that recognises it.")
ACCEPT_DROP = click.option(
    "--accept-drop", is_flag=True,
    help="Publish even though a table shrank by more than the authority's max_drop since the "
    "last published load (a real drop a person has checked).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="iro-cli", message="iro-etl %(version)s")
@click.option("-v", "--verbose", count=True,
              help="Show each stage as it finishes, and a timing table, even when not on a "
              "terminal (cron).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the published figures.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """iro-etl: load IRO service exports, check them, and publish the statutory marts.

    On a terminal, loads show each stage as it finishes with its count and time.
    """
    # What the commands write holds children's data: 0600 files in 0700 folders.
    os.umask(PRIVATE_UMASK)
    ctx.obj = {"verbosity": -1 if quiet else verbose}


@main.command()
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=Path("demo_output"),
              show_default=True, help="Folder for the exports, config and database.")
@AS_OF
@click.option("--scale", type=float, default=1.0, show_default=True,
              help="Multiply the demo authorities' sizes.")
@click.option("--scenario", help="Load a seed scenario instead and compare it with the published "
              "report: central-bedfordshire-2011-12 or shropshire-2013-14.")
def demo(**options) -> None:
    """Generate synthetic authorities on four systems, load them, print what was published."""
    _commands().demo(**options)


@main.command()
@click.option("--authority", required=True, callback=_code, help="Authority code (the partition).")
@SYSTEM
@INPUT
@DB
@AS_OF
@ACCEPT_DROP
def load(**options) -> None:
    """Load one export, ad hoc, and publish its marts."""
    _commands().load(**options)


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              default=Path("authorities.yaml"), show_default=True)
@click.option("--batch", type=click.IntRange(min=1), default=None,
              help="Authorities loaded together in one run (default 25; each takes some "
              "50 MB of memory per 500 children looked after).")
@DB
@AS_OF
@ACCEPT_DROP
def run(**options) -> None:
    """Load every configured authority, as the nightly schedule does: up to --batch of
    them in each run, read, validated, checked and published together."""
    _commands().run(**options)


@main.command()
@SYSTEM
@INPUT
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table",
              show_default=True)
def validate(**options) -> None:
    """Check an export and print its failures; nothing is published."""
    _commands().validate(**options)


@main.command()
@click.option("--authority", required=True, callback=_code)
@DB
@click.option("--status", type=click.Choice(["current", "new", "open", "resolved", "all"]),
              default="current", show_default=True,
              help="current = new and still open (accepted ones included, flagged).")
@click.option("--since", help="Only failures first seen on or after this date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "xlsx"]), default="table",
              show_default=True)
@click.option("--output", type=click.Path(path_type=Path),
              help="Workbook path for --format xlsx (default: the reports folder).")
def failures(**options) -> None:
    """List an authority's failures as tracked load to load, or write its workbook."""
    _commands().failures(**options)


@main.command()
@click.option("--authority", required=True, callback=_code)
@click.option("--year", type=int, required=True, callback=_year,
              help="Year ending 31 March (2012 = 2011/12).")
@DB
@click.option("--output", type=click.Path(path_type=Path),
              help="Workbook path (default: the reports folder).")
@click.option("--min-cohort", type=click.IntRange(min=0), default=20, show_default=True,
              help="Trends start at the first year with this many children in the "
              "reviewed-within-timescales cohort.")
def report(**options) -> None:
    """Write the IRO annual report workbook of an authority for one year."""
    _commands().report(**options)


@main.command("accept")
@click.option("--authority", required=True, callback=_code)
@click.option("--key", "failure_key", required=True, help="failure_key from iro-etl failures.")
@click.option("--by", "who", required=True, help="Who accepts it.")
@click.option("--reason", required=True, help="Why it is a known, explained exception.")
@DB
def accept_failure(**options) -> None:
    """Accept a failure as a known exception: it stops counting against the authority."""
    _commands().accept_failure(**options)


@main.command("detect")
@click.option("--input", "input_path", required=True, help="Export file, folder or database URL.")
def detect_system(**options) -> None:
    """Name the installed plugin that recognises an export."""
    _commands().detect_system(**options)


@main.command()
def plugins() -> None:
    """List the installed source plugins."""
    _commands().plugins()
