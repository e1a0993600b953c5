"""A plugin from outside the workspace, installed by path, is found through its entry point."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "iro-plugin-example"

PROBE = """
import sys
from pathlib import Path
import pandas as pd
from iro_etl.sources.registry import available, detect
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export

folder = Path(sys.argv[1])
truth = generate(50, as_of="2014-03-31", seed=3)
write_export("example", truth, folder)
assert detect(folder).name == "example"
validated = validate_export(read_export(Authority.ad_hoc("X", "example", folder), pd.Timestamp("2014-03-31")))
print(sorted(available()), len(validated.clean["children"]), len(validated.clean["reviews"]),
      len(truth.reviews["child_id"].unique()))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", "--target", str(target), str(EXAMPLE)],
                   check=True)
    return target


def test_example_plugin_is_discovered_without_touching_the_core(site, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "export")], env=env,
                         capture_output=True, text=True, check=True).stdout.split("]")
    names = out[0].strip("[").replace("'", "").split(", ")
    assert "example" in names and "ssda903" in names
    children, reviews, reviewed = map(int, out[1].split())
    assert children == reviews == reviewed > 0


def test_not_installed_here():
    from iro_etl.sources.registry import available
    assert "example" not in available()
