"""A run for an authority whenever a new export lands in its drop folder."""


import hashlib
import json
from pathlib import Path

import dagster as dg
import pandas as pd
import sqlalchemy as sa
from iro_etl.config import ConfigError
from iro_etl.marts.publish import read_mart

from iro_assets.jobs import nightly_load
from iro_assets.partitions import authority_partitions, authority_tags
from iro_assets.resources import IroSettings, MartsDatabase


def _files(path: Path | str | tuple[Path | str, ...]) -> list[Path]:
    """The files of an export (of each of its locations); none for a database (a URL), which
    the nightly schedule loads."""
    if isinstance(path, tuple):
        return [f for p in path for f in _files(p)]
    if isinstance(path, str) or not path.exists():
        return []
    return sorted(p for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file())


def fingerprint(path: Path | str | tuple[Path | str, ...]) -> str | None:
    """Names, sizes and modification times of the files in an export; None if nothing is there."""
    files = _files(path)
    if not files:
        return None
    digest = hashlib.sha256()
    for f in files:
        stat = f.stat()
        digest.update(f"{f}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _loaded_since_change(path: Path | str | tuple[Path | str, ...], last_load: pd.Timestamp | None
                         ) -> bool:
    """Whether the authority's last load (published or held) came after its newest file."""
    files = _files(path)
    if last_load is None or not files:
        return False
    newest = max(f.stat().st_mtime for f in files)
    return pd.Timestamp(newest, unit="s", tz="UTC") <= last_load


def _last_loads(database: MartsDatabase) -> dict[str, pd.Timestamp]:
    """When each authority was last loaded, from the load log (none before the first load)."""
    try:
        log = read_mart(database.engine(), "load_log")
    except sa.exc.SQLAlchemyError:
        return {}
    if log.empty:
        return {}
    return log.groupby("authority")["logged_at"].max().to_dict()


@dg.sensor(job=nightly_load, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="Starts a load when an authority's export folder changes.")
def export_drop(context: dg.SensorEvaluationContext, settings: IroSettings,
                database: MartsDatabase):
    """The cursor holds each export's fingerprint as last seen; an export first seen by this
    sensor (a new sensor, a new authority) is loaded only if it changed after the
    authority's last load, so starting Dagster after a load does not load it again."""
    seen = json.loads(context.cursor) if context.cursor else {}
    try:
        authorities = settings.authorities()
    except ConfigError as exc:
        return dg.SkipReason(f"No authorities to watch: {exc}")
    known = set(context.instance.get_dynamic_partitions(authority_partitions.name))
    last_loads = _last_loads(database) if set(authorities) - set(seen) else {}
    requests = []
    for code, authority in sorted(authorities.items()):
        # Every source's files: a new spreadsheet from the IRO team is a new export too.
        location = authority.locations
        mark = fingerprint(location)
        if mark is None or seen.get(code) == mark:
            continue
        first_sight = code not in seen
        seen[code] = mark
        if first_sight and _loaded_since_change(location, last_loads.get(code)):
            continue
        requests.append(dg.RunRequest(run_key=f"{code}:{mark}", partition_key=code,
                                      tags=authority_tags(code, "export landed")))
    new = sorted(set(authorities) - known)
    return dg.SensorResult(
        run_requests=requests, cursor=json.dumps(seen, sort_keys=True),
        dynamic_partitions_requests=[authority_partitions.build_add_request(new)] if new else [],
    )
