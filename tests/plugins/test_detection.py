"""With every plugin installed, each system's export is recognised by its own plugin alone."""

import pytest
from conftest import AS_OF
from iro_etl.sources.registry import PluginError, available, detect
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export

SYSTEMS = ["ssda903", "carefirst", "liquidlogic", "mosaic", "eclipse", "generic"]


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    truth = generate(60, as_of=AS_OF, seed=21)
    root = tmp_path_factory.mktemp("systems")
    for name in SYSTEMS:
        write_export(name, truth, root / name)
    return root


def test_every_system_is_installed():
    assert set(SYSTEMS) <= set(available())


@pytest.mark.parametrize("system", SYSTEMS)
def test_detect_picks_the_right_plugin(exports, system):
    assert detect(exports / system).name == system


def test_nothing_claims_an_unrelated_folder(tmp_path):
    (tmp_path / "minutes.csv").write_text("Meeting,Date\nTeam,01/02/2013\n")
    with pytest.raises(PluginError, match="No installed plugin recognises"):
        detect(tmp_path)


@pytest.mark.parametrize("system", SYSTEMS)
def test_validate_works_on_every_system(exports, system):
    from click.testing import CliRunner
    from iro_cli.cli import main

    for args in (["--system", system], []):
        result = CliRunner().invoke(main, ["validate", *args, "--input", str(exports / system)],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "rows_in" in result.output
