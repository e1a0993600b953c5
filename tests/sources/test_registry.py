"""Finding plugins: entry points, registration for tests, and loud errors."""

from importlib.metadata import entry_points
from pathlib import Path

import pytest
from iro_etl.sources.plugin import SourceData, SourcePlugin
from iro_etl.sources.registry import GROUP, PluginError, available, detect, get_plugin, register, unregister
from iro_plugin_ssda903.plugin import Ssda903Plugin


class _Toy(SourcePlugin):
    name = "toy"
    description = "recognises any file called toy.txt"

    def recognise(self, path: Path) -> bool:
        return path.name == "toy.txt"

    def read(self, path: Path) -> SourceData:
        return SourceData(self.name, {})


@pytest.fixture
def toy():
    register(_Toy)
    yield _Toy
    unregister("toy")


def test_ssda903_is_installed_through_its_entry_point():
    assert "ssda903" in {ep.name for ep in entry_points(group=GROUP)}
    assert available()["ssda903"] is Ssda903Plugin
    assert isinstance(get_plugin("ssda903"), Ssda903Plugin)


def test_unknown_system_lists_the_installed_plugins(toy):
    with pytest.raises(PluginError) as err:
        get_plugin("azeus")
    assert "'azeus'" in str(err.value)
    assert "Installed plugins: " in str(err.value)
    listed = str(err.value).split("Installed plugins: ")[1].rstrip(".").split(", ")
    assert {"ssda903", "toy"} <= set(listed) and listed == sorted(listed)


def test_registered_plugin_is_found_and_detected(toy, tmp_path, clean_export):
    assert isinstance(get_plugin("toy"), _Toy)
    assert isinstance(detect(tmp_path / "toy.txt"), _Toy)
    assert isinstance(detect(clean_export), Ssda903Plugin)
    (tmp_path / "other.bin").write_bytes(b"\x00")
    with pytest.raises(PluginError, match="No installed plugin recognises"):
        detect(tmp_path / "other.bin")


def test_several_matches_ask_for_a_system(clean_export):
    class _Greedy(_Toy):
        name = "greedy"

        def recognise(self, path: Path) -> bool:
            return True

    register(_Greedy)
    try:
        with pytest.raises(PluginError, match=r"Several plugins recognise .* \(greedy, ssda903\)"):
            detect(clean_export)
    finally:
        unregister("greedy")


def test_a_broken_plugin_does_not_stop_the_others(monkeypatch):
    from importlib.metadata import EntryPoint

    from iro_etl.sources import registry

    real = registry.entry_points(group=GROUP)
    bad = EntryPoint(name="azeus", value="iro_plugin_azeus.plugin:Azeus", group=GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [*real, bad])
    registry.refresh()
    try:
        assert "ssda903" in available() and "azeus" not in available()
        with pytest.raises(PluginError,
                           match=r"'azeus' plugin is installed but unusable.*ModuleNotFound"):
            get_plugin("azeus")
    finally:
        monkeypatch.undo()
        registry.refresh()
    assert "azeus" not in registry._entry_points()


def test_plugins_are_imported_only_when_asked_for(tmp_path):
    # A load names one system: the other plugins' modules are never imported.
    import subprocess
    import sys
    probe = ("import sys; from iro_etl.sources.registry import get_plugin; get_plugin('ssda903'); "
             "print(sorted(m for m in sys.modules if m.startswith('iro_plugin_')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert "iro_plugin_ssda903" in out and "iro_plugin_carefirst" not in out
