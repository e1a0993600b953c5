"""A run for an authority whenever a new export lands in its drop folder."""


import hashlib
import json
from pathlib import Path

import dagster as dg
from iro_etl.config import ConfigError

from iro_assets.jobs import nightly_load
from iro_assets.partitions import authority_partitions
from iro_assets.resources import IroSettings


def fingerprint(path: Path | str) -> str | None:
    """Names, sizes and modification times of the files in an export; None if nothing is there.

    A database export (a URL) has no files to watch: the nightly schedule loads it.
    """
    if isinstance(path, str) or not path.exists():
        return None
    files = sorted(p for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file())
    if not files:
        return None
    digest = hashlib.sha256()
    for f in files:
        stat = f.stat()
        digest.update(f"{f.relative_to(path.parent)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


@dg.sensor(job=nightly_load, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="Starts a load when an authority's export folder changes.")
def export_drop(context: dg.SensorEvaluationContext, settings: IroSettings):
    seen = json.loads(context.cursor) if context.cursor else {}
    try:
        authorities = settings.authorities()
    except ConfigError as exc:
        return dg.SkipReason(f"No authorities to watch: {exc}")
    known = set(context.instance.get_dynamic_partitions(authority_partitions.name))
    requests = []
    for code, authority in sorted(authorities.items()):
        mark = fingerprint(authority.export_path)
        if mark is None or seen.get(code) == mark:
            continue
        seen[code] = mark
        requests.append(dg.RunRequest(run_key=f"{code}:{mark}", partition_key=code))
    new = sorted(set(authorities) - known)
    return dg.SensorResult(
        run_requests=requests, cursor=json.dumps(seen, sort_keys=True),
        dynamic_partitions_requests=[authority_partitions.build_add_request(new)] if new else [],
    )
