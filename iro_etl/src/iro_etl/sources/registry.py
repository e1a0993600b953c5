"""Finding source plugins: installed ones through entry points (each imported when first asked
for, once per process), test ones through :func:`register`."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from iro_etl.sources.plugin import SourcePlugin

GROUP = "iro_etl.sources"
_registered: dict[str, type[SourcePlugin]] = {}


class PluginError(LookupError):
    """No plugin, or more than one, fits what was asked."""


def register(plugin: type[SourcePlugin]) -> type[SourcePlugin]:
    """Make a plugin class available without installing it (tests, notebooks)."""
    _registered[plugin.name] = plugin
    return plugin


def unregister(name: str) -> None:
    _registered.pop(name, None)


@cache
def _entry_points() -> dict[str, EntryPoint]:
    """Installed plugins by name, read from the package metadata once per process."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


@cache
def _load(name: str) -> type[SourcePlugin] | str:
    """The installed plugin class called ``name``, or why it cannot be used.

    Only the plugin asked for is imported, so a load does not pay for every system's
    code, and one broken third-party plugin does not stop the others.
    """
    ep = _entry_points()[name]
    try:
        plugin = ep.load()
    except Exception as exc:
        return f"{ep.value} failed to import ({type(exc).__name__}: {exc})"
    if isinstance(plugin, type) and issubclass(plugin, SourcePlugin):
        return plugin
    return f"{ep.value} is not a SourcePlugin subclass"


def refresh() -> None:
    """Forget what was found: after installing a plugin in a running process (tests)."""
    _entry_points.cache_clear()
    _load.cache_clear()


def available() -> dict[str, type[SourcePlugin]]:
    """Every working plugin class by name: installed entry points, then registered ones."""
    found = {name: _load(name) for name in _entry_points()}
    return {**{name: cls for name, cls in found.items() if not isinstance(cls, str)},
            **_registered}


def get_plugin(system: str, options: Mapping[str, Any] | None = None) -> SourcePlugin:
    """An instance of the plugin for ``system``; the error lists the installed ones."""
    if system in _registered:
        return _registered[system](options)
    found = _load(system) if system in _entry_points() else None
    if isinstance(found, type):
        return found(options)
    if isinstance(found, str):
        raise PluginError(f"The {system!r} plugin is installed but unusable: {found}.")
    names = ", ".join(sorted(available())) or "none"
    raise PluginError(f"No source plugin for system {system!r}. Installed plugins: {names}.")


def _recognises(plugin: SourcePlugin, path: Path | str) -> bool:
    try:
        return plugin.recognise(path)
    except Exception:  # a plugin that trips over a foreign export simply does not claim it
        return False


def detect(path: Path | str) -> SourcePlugin:
    """The one plugin that recognises ``path``; the error says when none or several do."""
    matches = [plugin for plugin in (cls() for cls in available().values())
               if _recognises(plugin, path)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise PluginError(f"No installed plugin recognises {path}.")
    names = ", ".join(sorted(p.name for p in matches))
    raise PluginError(f"Several plugins recognise {path} ({names}); name the system explicitly.")
