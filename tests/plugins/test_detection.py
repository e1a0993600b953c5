"""With every plugin installed, each system's export is recognised by its own plugin alone."""

import importlib

import pytest
from conftest import AS_OF, PG_URL, postgres_schema, sqlite_warehouse
from iro_etl.sources.registry import PluginError, available, detect
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export

SYSTEMS = ["ssda903", "carefirst", "liquidlogic", "mosaic", "eclipse", "generic"]
#: Systems read from their warehouse database as well as from extracts.
WAREHOUSES = ["ssd", "liquidlogic", "mosaic", "eclipse"]


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


@pytest.mark.parametrize("system", WAREHOUSES)
def test_iro_etl_detect_names_each_warehouse_database(tmp_path, system):
    """`iro-etl detect --input <URL>` on SQLite, and each plugin alone on a PostgreSQL schema
    (detect takes no options, so a schema is found only by the plugin configured for it)."""
    from click.testing import CliRunner
    from iro_cli.cli import main
    from iro_etl.sources.registry import get_plugin

    truth = generate(40, as_of=AS_OF, seed=22)
    write_database = importlib.import_module(f"iro_testdata.writers.{system}").write_database
    url = sqlite_warehouse(tmp_path / "warehouse.db", write_database, truth)
    result = CliRunner().invoke(main, ["detect", "--input", url], catch_exceptions=False)
    assert (result.exit_code, result.output.strip()) == (0, system)
    with postgres_schema() as (admin, schema, _):
        write_database(truth, admin, schema=schema)
        claims = [name for name in available() if name in WAREHOUSES
                  and get_plugin(name, {"schema": schema}).recognise(PG_URL)]
        assert claims == [system]
