"""Authorities and their settings, from ``authorities.yaml``.

Each authority names its case-recording system (the source plugin), where its
exports land, the calendar its working days follow and its rule policies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import holidays
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from iro_etl.rules.calendar import WorkingCalendar
from iro_etl.sources.sql import is_database_url


class ConfigError(ValueError):
    """authorities.yaml is missing, malformed or names something unknown."""


#: An authority code names its Dagster partition and its report folders: no path in it.
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"


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

    # authorities.yaml is read through pydantic: an unknown threshold is an error.
    __pydantic_config__ = ConfigDict(extra="forbid")

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

    __pydantic_config__ = ConfigDict(extra="forbid")

    #: Restart the 20-day / 3-month / 6-month cycle after an unplanned placement change.
    restart_on_unplanned_move: bool = False
    #: See MAX_DROP.
    max_drop: float = MAX_DROP
    thresholds: Thresholds = field(default_factory=Thresholds)

    def __post_init__(self) -> None:
        if not 0 <= self.max_drop <= 1:
            raise ValueError(f"max_drop is a share between 0 and 1, not {self.max_drop}")


@dataclass(frozen=True)
class Source:
    """A further source of an authority's load: another system's export (e.g. the IRO
    service's own spreadsheets through the generic plugin beside the SSD)."""

    system: str
    export_path: Path | str | tuple[Path, ...]
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Authority:
    code: str
    name: str
    system: str
    #: A file or folder of exports, or a SQLAlchemy URL of the system's reporting database;
    #: several files or folders (a tuple) for a plugin that reads them as one export.
    export_path: Path | str | tuple[Path, ...]
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    policies: Policies = field(default_factory=Policies)
    #: Passed to the source plugin: renamed columns, local codes, plugin settings.
    options: dict = field(default_factory=dict)
    #: Further sources, read after the main one and combined with it table by table
    #: (see iro_etl.sources.combine).
    sources: tuple[Source, ...] = ()

    @property
    def locations(self) -> tuple[Path | str, ...]:
        """Every file, folder or URL the authority's load reads (all of its sources')."""
        return tuple(p for loc in (self.export_path, *(s.export_path for s in self.sources))
                     for p in (loc if isinstance(loc, tuple) else (loc,)))

    @classmethod
    def ad_hoc(cls, code: str, system: str, export_path: Path | str | tuple[Path, ...],
               options: dict | None = None) -> Authority:
        """An authority not in any config: England's calendar and the default policies."""
        return cls(code, code, system, export_path, options=dict(options or {}))


class _Calendar(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: str = "GB"
    subdiv: str | None = "ENG"

    @model_validator(mode="after")
    def _known(self) -> _Calendar:
        try:
            holidays.country_holidays(self.country, subdiv=self.subdiv)
        except NotImplementedError as exc:
            raise ValueError(f"no holiday calendar for {self.country}/{self.subdiv}: {exc}") \
                from None
        return self


class _Located(BaseModel):
    """A system and where its export is: an authority's own, or one of its further sources."""

    model_config = ConfigDict(extra="forbid")

    system: str = Field(min_length=1)
    export_path: str | list[str]
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("export_path")
    @classmethod
    def _not_blank(cls, value: str | list[str]) -> str | list[str]:
        if not value or (isinstance(value, list) and not all(v.strip() for v in value)):
            raise ValueError("blank: give a file, folder or database URL (or a list of them)")
        return value


class _Entry(_Located):
    """One authority as authorities.yaml gives it: every key known, every value typed."""

    code: str = Field(pattern=CODE_PATTERN, max_length=64)
    name: str | None = None
    calendar: _Calendar = Field(default_factory=_Calendar)
    policies: Policies = Field(default_factory=Policies)
    sources: list[_Located] = Field(default_factory=list)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    authorities: list[_Entry]


def _where(loc: tuple) -> str:
    """A pydantic error location as a path into the file: authorities[2].policies.max_drop."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def check_code(code: str) -> str:
    """``code`` if it is a valid authority code (it names folders and partitions)."""
    if not re.fullmatch(CODE_PATTERN, code) or len(code) > 64:
        raise ConfigError(f"authority code {code!r} must be letters, digits, '-' or '_' "
                          "(at most 64, starting with a letter or digit)")
    return code


def _source(entry: _Located, base: Path, where: str, systems: set[str]) -> Source:
    """The system (installed) and its export location(s), relative paths from ``base``."""
    if entry.system not in systems:
        raise ConfigError(f"{where}.system: no installed plugin {entry.system!r} (installed: "
                          f"{', '.join(sorted(systems)) or 'none'})")
    locations = [entry.export_path] if isinstance(entry.export_path, str) else entry.export_path
    paths = [location if is_database_url(location) else base / Path(location).expanduser()
             for location in locations]
    if len(paths) > 1 and not all(isinstance(p, Path) for p in paths):
        raise ConfigError(f"{where}.export_path: several locations must all be files or "
                          "folders, not database URLs")
    return Source(entry.system, paths[0] if len(paths) == 1 else tuple(paths),
                  dict(entry.options))


def _authority(entry: _Entry, base: Path, where: str, systems: set[str]) -> Authority:
    main = _source(entry, base, where, systems)
    more = tuple(_source(s, base, f"{where}.sources[{i}]", systems)
                 for i, s in enumerate(entry.sources))
    return Authority(entry.code, entry.name or entry.code, main.system, main.export_path,
                     WorkingCalendar(entry.calendar.country, entry.calendar.subdiv),
                     entry.policies, main.options, more)


def _installed_systems() -> set[str]:
    from iro_etl.sources.registry import available  # the registry is above config

    return set(available())


def load_authorities(path: Path, systems: set[str] | None = None) -> dict[str, Authority]:
    """The authorities configured in ``path``, by code (relative paths are from its folder).

    Everything is checked before any work: unknown keys, wrong types, a missing or blank
    export path, codes that could not name a folder, systems with no installed plugin
    (``systems``: the installed plugins) and calendars the holidays package does not know.
    Each error names the key's path in the file. An export folder that is not there is
    not a config error: that night's load says so and is held back.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("authorities"), list):
        raise ConfigError(f"{path}: expected a list under 'authorities'")
    try:
        entries = _File.model_validate(data).authorities
    except ValidationError as exc:
        problems = [f"{_where(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError(f"{path}: {'; '.join(problems)}") from None
    systems = _installed_systems() if systems is None else systems
    out: dict[str, Authority] = {}
    for i, entry in enumerate(entries):
        authority = _authority(entry, path.parent, f"{path}: authorities[{i}]", systems)
        if authority.code in out:
            raise ConfigError(f"{path}: authority {authority.code} is configured twice")
        out[authority.code] = authority
    return out


def _changed_thresholds(policies: Policies) -> dict:
    """The thresholds that differ from the defaults, as authorities.yaml would give them."""
    current = policies.thresholds
    return {f.name: getattr(current, f.name) for f in fields(current)
            if getattr(current, f.name) != getattr(DEFAULT_THRESHOLDS, f.name)}


def _location_text(location: Path | str | tuple[Path, ...]) -> str | list[str]:
    return [str(p) for p in location] if isinstance(location, tuple) else str(location)


def write_authorities(path: Path, authorities: list[Authority]) -> None:
    """Write a config file (used by the demo); paths are written as given."""
    entries = [{
        "code": a.code, "name": a.name, "system": a.system,
        "export_path": _location_text(a.export_path),
        "calendar": {"country": a.calendar.country, "subdiv": a.calendar.subdiv},
        "policies": {"restart_on_unplanned_move": a.policies.restart_on_unplanned_move,
                     **({"max_drop": a.policies.max_drop} if a.policies.max_drop != MAX_DROP
                        else {}),
                     "thresholds": _changed_thresholds(a.policies)},
        **({"options": a.options} if a.options else {}),
        **({"sources": [{"system": s.system, "export_path": _location_text(s.export_path),
                         **({"options": s.options} if s.options else {})}
                        for s in a.sources]} if a.sources else {}),
    } for a in authorities]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"authorities": entries}, sort_keys=False), encoding="utf-8")
