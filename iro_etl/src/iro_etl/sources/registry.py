"""Finding source plugins: installed ones through entry points, test ones through :func:`register`."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import entry_points
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


def _load_all() -> tuple[dict[str, type[SourcePlugin]], dict[str, str]]:
    """Installed and registered plugins, and why any installed one could not be loaded."""
    found: dict[str, type[SourcePlugin]] = {}
    broken: dict[str, str] = {}
    for ep in entry_points(group=GROUP):
        try:
            plugin = ep.load()
        except Exception as exc:  # one broken third-party plugin must not stop the others
            broken[ep.name] = f"{ep.value} failed to import ({type(exc).__name__}: {exc})"
            continue
        if isinstance(plugin, type) and issubclass(plugin, SourcePlugin):
            found[ep.name] = plugin
        else:
            broken[ep.name] = f"{ep.value} is not a SourcePlugin subclass"
    found.update(_registered)
    return found, broken


def available() -> dict[str, type[SourcePlugin]]:
    """Every working plugin class by name: installed entry points, then registered ones."""
    return _load_all()[0]


def get_plugin(system: str, options: Mapping[str, Any] | None = None) -> SourcePlugin:
    """An instance of the plugin for ``system``; the error lists the installed ones."""
    plugins, broken = _load_all()
    if system in plugins:
        return plugins[system](options)
    if system in broken:
        raise PluginError(f"The {system!r} plugin is installed but unusable: {broken[system]}.")
    names = ", ".join(sorted(plugins)) or "none"
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
