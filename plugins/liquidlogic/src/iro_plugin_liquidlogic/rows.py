"""What reading a warehouse gives back, whether from CSV extracts or the database itself.

Both sources yield the same thing, a grid of text cells per warehouse table with
its header first, so the plugin maps them onto canonical tables one way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from iro_etl.quality.failures import Failure


@dataclass
class Rows:
    """The cells read for each warehouse table, where they came from, and what went wrong."""

    #: Warehouse table -> (grid of text cells, header first; source name for lineage).
    tables: dict[str, tuple[list[list[str]], str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    #: Extract files read (none for a database).
    files: list[Path] = field(default_factory=list)
