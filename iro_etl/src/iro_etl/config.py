"""Authorities and their settings, from ``authorities.yaml``.

Each authority names its case-recording system (the source plugin), where its
exports land, the calendar its working days follow and its rule policies.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.sources.sql import is_database_url


class ConfigError(ValueError):
    """authorities.yaml is missing, malformed or names something unknown."""


#: A required table this much smaller (share of its clean rows) than at the authority's last
#: published load holds the load back (the publish guard), unless the run accepts the drop.
MAX_DROP = 0.2
#: Reviewed within timescales (NI 66) and participation (C63): looked after at least this
#: long at 31 March.
COHORT_MIN_DAYS = 28
#: Who "attended most recent review" counts: children looked after at the end of 31 March
#: (the default, like every other 31 March measure), or at any time in the year's last
#: month, as a monthly return for March does (leavers in March too).
LATEST_REVIEW_BASES = ("31 March", "March")


@dataclass(frozen=True)
class Thresholds:
    """An authority's thresholds for the daily flags and the yearly indicators.

    The one place their defaults live: the statutory guidance, the IRO Handbook and
    domain.md. The rule functions take the same names as keyword arguments.
    """

    #: The IRO manager is to be told within 2 working days that a child became looked after.
    notify_working_days: int = 2
    #: The social worker's report is due at least 3 working days before the review.
    sw_report_working_days: int = 3
    #: Recommendations within 5 working days of the review, the full record within 20.
    recommendations_working_days: int = 5
    record_working_days: int = 20
    #: The worklist looks this many calendar days ahead.
    due_soon_days: int = 14
    #: Participation is expected from age 4 (PN0: the child was under 4 at the review).
    participation_min_age: int = 4
    #: IRO Handbook (2010): 50-70 looked-after children per full-time IRO.
    caseload_low: float = 50
    caseload_high: float = 70
    #: Changes of IRO in one period of care above which the period is flagged.
    max_iro_changes: int = 1
    #: Participation cohort: looked after "more than four weeks" at 31 March (as NI 66).
    cohort_min_days: int = COHORT_MIN_DAYS
    #: "Placed at a distance": more than 20 miles from home.
    distance_miles: float = 20.0
    #: Placement stability: children under 16 ...
    stability_max_age: int = 16
    #: ... looked after continuously for 2.5 years (30 months) ...
    stability_months_looked_after: int = 30
    #: ... in the same placement for 2 years (24 months).
    stability_months_same_placement: int = 24
    #: Episodes starting a new placement (RNE): every placement change, P and B (new carer)
    #: and T and U (same carer). An authority counting a same-carer change as the same
    #: placement sets ("P", "B") instead.
    new_placement_rne: tuple[str, ...] = ("P", "T", "B", "U")
    #: A blank iro_share: the whole post is taken to be on the IRO role.
    default_iro_share: float = 1.0
    #: The children "attended most recent review" is taken over (see LATEST_REVIEW_BASES).
    latest_review_base: str = LATEST_REVIEW_BASES[0]

    def __post_init__(self) -> None:
        if self.latest_review_base not in LATEST_REVIEW_BASES:
            raise ValueError(f"latest_review_base must be one of {LATEST_REVIEW_BASES}, "
                             f"not {self.latest_review_base!r}")


#: The defaults, for rule functions called without an authority's settings.
DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Policies:
    """Per-authority rule options and thresholds (defaults from the regulations and domain.md)."""

    #: Restart the 20-day / 3-month / 6-month cycle after an unplanned placement change.
    restart_on_unplanned_move: bool = False
    #: See MAX_DROP.
    max_drop: float = MAX_DROP
    thresholds: Thresholds = field(default_factory=Thresholds)


def _thresholds(values: dict, where: str) -> Thresholds:
    known = {f.name for f in fields(Thresholds)}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(f"{where}: unknown thresholds {sorted(unknown)}; known: {sorted(known)}")
    try:
        return Thresholds(**values)
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

    @classmethod
    def ad_hoc(cls, code: str, system: str, export_path: Path | str,
               options: dict | None = None) -> Authority:
        """An authority not in any config: England's calendar and the default policies."""
        return cls(code, code, system, export_path, options=dict(options or {}))


def _authority(entry: dict, base: Path, where: str) -> Authority:
    missing = [k for k in ("code", "system", "export_path") if not entry.get(k)]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}")
    cal = entry.get("calendar") or {}
    raw = dict(entry.get("policies") or {})
    thresholds = _thresholds(dict(raw.pop("thresholds", None) or {}), where)
    try:
        policies = Policies(**raw, thresholds=thresholds)
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
    current = policies.thresholds
    return {f.name: getattr(current, f.name) for f in fields(current)
            if getattr(current, f.name) != getattr(DEFAULT_THRESHOLDS, f.name)}


def write_authorities(path: Path, authorities: list[Authority]) -> None:
    """Write a config file (used by the demo); paths are written as given."""
    entries = [{
        "code": a.code, "name": a.name, "system": a.system, "export_path": str(a.export_path),
        "calendar": {"country": a.calendar.country, "subdiv": a.calendar.subdiv},
        "policies": {"restart_on_unplanned_move": a.policies.restart_on_unplanned_move,
                     **({"max_drop": a.policies.max_drop} if a.policies.max_drop != MAX_DROP
                        else {}),
                     "thresholds": _changed_thresholds(a.policies)},
        **({"options": a.options} if a.options else {}),
    } for a in authorities]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"authorities": entries}, sort_keys=False), encoding="utf-8")
