"""The documented contract matches the code."""

from pathlib import Path

from iro_schemas.docs import contract_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_contract_doc_is_current():
    doc = (ROOT / "docs" / "contract.md").read_text()
    assert doc == contract_markdown(), (
        "docs/contract.md is stale: run `uv run python -m iro_schemas.docs > docs/contract.md`")


def test_dbt_sources_are_current_and_name_every_mart_with_its_grain():
    import yaml
    from iro_schemas.catalogue import sources
    from iro_schemas.marts import MART_KEYS, MART_MODELS

    text = (ROOT / "docs" / "dbt" / "sources.yml").read_text()
    assert yaml.safe_load(text) == sources(), (
        "docs/dbt/sources.yml is stale: run `uv run python -m iro_schemas.catalogue > "
        "docs/dbt/sources.yml`")
    tables = {t["name"]: t for t in sources()["sources"][0]["tables"]}
    assert set(tables) == set(MART_MODELS)
    for name, keys in MART_KEYS.items():
        assert tables[name]["meta"]["grain"] == ["authority", *keys]
    assert tables["validation_failures"]["meta"] == {"grain": [], "access": "restricted"}


def test_readme_and_ci_run_the_same_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "python3.11 -m pip install -q uv && python3.11 -m uv run --locked pytest"
    assert command in readme and command in ci
