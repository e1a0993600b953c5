"""The source plugin contract: what a plugin for one case-recording system provides.

A plugin knows one system's exports and nothing else. It recognises its files,
reads them with lineage (file, sheet, Excel row) and maps them onto the
canonical tables as text; typing, validation and rules are the core's job.
Plugins register a subclass of :class:`SourcePlugin` under the entry-point
group ``iro_etl.sources``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from iro_etl.quality.failures import Failure


def name_list(value: Any) -> tuple[str, ...]:
    """One name or a list of names, as text (a bare string is one name, not its letters)."""
    return (str(value),) if isinstance(value, str | int) else tuple(str(v) for v in value or ())


@dataclass
class SourceData:
    """What a plugin read from one export: canonical text frames with lineage, and read failures."""

    system: str
    tables: dict[str, pd.DataFrame]
    failures: list[Failure] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    #: Files recognised as tables of the system's export that no mart reads, by file name:
    #: the table they hold. Read, not used, and no failure.
    not_used: dict[str, str] = field(default_factory=dict)
    #: Rows an earlier return held that a later one restates (the latest return wins), per
    #: table and per earlier return: left out of the tables, counted in the load summary.
    superseded: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Canonical tables the system does not hold at all, and what to do about it: said in
    #: the load summary, not as a failure (their rows come from another source or not at all).
    not_held: dict[str, str] = field(default_factory=dict)


class SourcePlugin(ABC):
    """One case-recording system's exports."""

    #: Registry name, as used in authorities.yaml and on the command line.
    name: ClassVar[str]
    #: One line for people choosing a plugin.
    description: ClassVar[str]
    #: Canonical tables without which a load cannot be trusted: when one of them has no rows
    #: (its file missing, empty or not recognised), the load is held back and the previous
    #: marts stay. Every mart counts from children, episodes and reviews.
    required_tables: ClassVar[tuple[str, ...]] = ("children", "episodes", "reviews")
    #: Whether ``read`` takes several locations at once (a tuple: e.g. this year's return and
    #: earlier years' in separate folders), making one export of them.
    several_inputs: ClassVar[bool] = False

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        """``options`` is the authority's ``options`` block from authorities.yaml.

        Two keys mean the same for every plugin: ``columns`` ({table: {canonical column:
        [extra accepted headers]}}, see :meth:`iro_etl.sources.readers.TableSpec.extended`) and
        ``codes`` ({table: {column: {local value: canonical code}}}, applied by the core
        after reading). A plugin may define others and must document them.
        """
        self.options: dict[str, Any] = dict(options or {})

    def extra_headers(self, table: str) -> dict[str, list[str]]:
        """This authority's extra accepted headers for ``table`` (its ``columns`` option)."""
        return dict((self.options.get("columns") or {}).get(table) or {})

    def name_list(self, option: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """An option naming one thing or several (``default`` when unset): one written
        without a list is one name, not its letters."""
        return name_list(self.options.get(option) or default)

    @abstractmethod
    def recognise(self, path: Path | str) -> bool:
        """Whether ``path`` (a file, a folder or a database URL) looks like this system's export."""

    @abstractmethod
    def read(self, path: Path | str) -> SourceData:
        """Read an export (file, folder or database URL) onto the canonical tables, never raising."""

    def column_names(self) -> dict[str, dict[str, str]]:
        """Per table, canonical column -> the name a person sees in this system's export."""
        return {}
