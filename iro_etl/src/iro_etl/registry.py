"""Finding source plugins: installed ones through entry points, test ones through :func:`register`."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

from iro_etl.plugin import SourcePlugin

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


def available() -> dict[str, type[SourcePlugin]]:
    """Every plugin class by name: installed entry points, then registered ones."""
    found: dict[str, type[SourcePlugin]] = {}
    for ep in entry_points(group=GROUP):
        plugin = ep.load()
        if not (isinstance(plugin, type) and issubclass(plugin, SourcePlugin)):
            raise PluginError(
                f"entry point {ep.name!r} in {GROUP!r} points at {ep.value}, "
                "which is not a SourcePlugin subclass"
            )
        found[ep.name] = plugin
    found.update(_registered)
    return found


def get_plugin(system: str) -> SourcePlugin:
    """An instance of the plugin for ``system``; the error lists the installed ones."""
    plugins = available()
    try:
        return plugins[system]()
    except KeyError:
        names = ", ".join(sorted(plugins)) or "none"
        raise PluginError(
            f"No source plugin for system {system!r}. Installed plugins: {names}."
        ) from None


def detect(path: Path) -> SourcePlugin:
    """The one plugin that recognises ``path``; the error says when none or several do."""
    matches = [cls() for cls in available().values()]
    matches = [plugin for plugin in matches if plugin.recognise(path)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise PluginError(f"No installed plugin recognises {path}.")
    names = ", ".join(sorted(p.name for p in matches))
    raise PluginError(f"Several plugins recognise {path} ({names}); name the system explicitly.")
