"""Authorities and their settings, from ``authorities.yaml``.

Each authority names its case-recording system (the source plugin), where its
exports land, the calendar its working days follow and its rule policies.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.rules.flags import FlagThresholds
from iro_etl.rules.indicators import Thresholds as IndicatorThresholds
from iro_etl.sources.sql import is_database_url


class ConfigError(ValueError):
    """authorities.yaml is missing, malformed or names something unknown."""


@dataclass(frozen=True)
class Policies:
    """Per-authority rule options and thresholds (defaults from the regulations and domain.md)."""

    #: Restart the 20-day / 3-month / 6-month cycle after an unplanned placement change.
    restart_on_unplanned_move: bool = False
    flags: FlagThresholds = field(default_factory=FlagThresholds)
    indicators: IndicatorThresholds = field(default_factory=IndicatorThresholds)


def _thresholds(values: dict, where: str) -> tuple[FlagThresholds, IndicatorThresholds]:
    """One ``thresholds`` block feeds both the daily flags and the yearly indicators."""
    flag_names = {f.name for f in fields(FlagThresholds)}
    indicator_names = {f.name for f in fields(IndicatorThresholds)}
    unknown = set(values) - flag_names - indicator_names
    if unknown:
        raise ConfigError(f"{where}: unknown thresholds {sorted(unknown)}; known: "
                          f"{sorted(flag_names | indicator_names)}")
    try:
        return (FlagThresholds(**{k: v for k, v in values.items() if k in flag_names}),
                IndicatorThresholds(**{k: v for k, v in values.items() if k in indicator_names}))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class Authority:
    code: str
    name: str
    system: str
    #: A file or folder of exports, or a SQLAlchemy URL of the system's reporting database.
    export_path: Path | str
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    policies: Policies = field(default_factory=Policies)
    #: Passed to the source plugin: renamed columns, local codes, plugin settings.
    options: dict = field(default_factory=dict)


def _authority(entry: dict, base: Path, where: str) -> Authority:
    missing = [k for k in ("code", "system", "export_path") if not entry.get(k)]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}")
    cal = entry.get("calendar") or {}
    raw = dict(entry.get("policies") or {})
    flags, indicators = _thresholds(dict(raw.pop("thresholds", None) or {}), where)
    try:
        policies = Policies(**raw, flags=flags, indicators=indicators)
    except TypeError as exc:
        raise ConfigError(f"{where}: unknown policy ({exc})") from None
    location = str(entry["export_path"])
    path = location if is_database_url(location) else Path(location).expanduser()
    return Authority(
        code=str(entry["code"]),
        name=str(entry.get("name") or entry["code"]),
        system=str(entry["system"]),
        export_path=path if isinstance(path, str) or path.is_absolute() else base / path,
        calendar=WorkingCalendar(cal.get("country", "GB"), cal.get("subdiv", "ENG")),
        policies=policies,
        options=dict(entry.get("options") or {}),
    )


def load_authorities(path: Path) -> dict[str, Authority]:
    """The authorities configured in ``path``, by code (relative paths are from its folder)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    entries = data.get("authorities") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected a list under 'authorities'")
    out: dict[str, Authority] = {}
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: authority #{i} is not a mapping")
        authority = _authority(entry, path.parent, f"{path}: authority #{i}")
        if authority.code in out:
            raise ConfigError(f"{path}: authority {authority.code} is configured twice")
        out[authority.code] = authority
    return out


def _changed_thresholds(policies: Policies) -> dict:
    """The thresholds that differ from the defaults, as authorities.yaml would give them."""
    out = {}
    for current, default in ((policies.flags, FlagThresholds()),
                             (policies.indicators, IndicatorThresholds())):
        out |= {f.name: getattr(current, f.name) for f in fields(current)
                if getattr(current, f.name) != getattr(default, f.name)}
    return out


def write_authorities(path: Path, authorities: list[Authority]) -> None:
    """Write a config file (used by the demo); paths are written as given."""
    entries = [{
        "code": a.code, "name": a.name, "system": a.system, "export_path": str(a.export_path),
        "calendar": {"country": a.calendar.country, "subdiv": a.calendar.subdiv},
        "policies": {"restart_on_unplanned_move": a.policies.restart_on_unplanned_move,
                     "thresholds": _changed_thresholds(a.policies)},
        **({"options": a.options} if a.options else {}),
    } for a in authorities]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"authorities": entries}, sort_keys=False), encoding="utf-8")
