"""Synthetic exports in each system's own shape, found through the ``iro_testdata.writers`` group.

A writer is a function ``write(truth, dest, options) -> list[Path]`` registered under the
system's plugin name. Writers sit outside the plugin contract so that production installs
carry no test-data code: the six systems of this repository have theirs here, and a
third-party plugin ships its own (see ``examples/iro-plugin-example``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from iro_testdata.synthetic import GroundTruth

GROUP = "iro_testdata.writers"

Writer = Callable[[GroundTruth, Path, Mapping[str, Any] | None], list[Path]]


@cache
def writers() -> dict[str, Writer]:
    """Every installed writer, by system name."""
    return {ep.name: ep.load() for ep in entry_points(group=GROUP)}


def write_export(system: str, truth: GroundTruth, dest: Path,
                 options: Mapping[str, Any] | None = None) -> list[Path]:
    """Write ``truth`` as ``system`` exports it, into ``dest``."""
    found = writers()
    if system not in found:
        raise LookupError(f"No synthetic writer for system {system!r}; installed: "
                          f"{', '.join(sorted(found)) or 'none'}.")
    return found[system](truth, Path(dest), options)
