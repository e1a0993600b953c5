"""Several exports validated in one pass: each gets exactly what validating it alone gives.

The exports are real 903 returns written as the DfE lays them out, with defects, read by
the plugin. Two share a random seed, so the same child ids stand for different children;
one has a ragged row at a file name and row number the others also have.
"""

from __future__ import annotations

import pandas as pd
import pytest
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_etl.quality.validation import validate_many
from iro_schemas.lineage import ROW
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export

AS_OF = pd.Timestamp("2014-03-31")
RAGGED_ROW = 6


def _ragged(folder) -> str:
    """Give the reviews file's row RAGGED_ROW an extra cell; returns the file's name."""
    path = next(p for p in folder.rglob("*.csv") if "REVIEW_CODE" in p.read_text().split("\n")[0])
    lines = path.read_text().split("\n")
    lines[RAGGED_ROW - 1] += ",extra"
    path.write_text("\n".join(lines))
    return path.name


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict:
    out = {}
    for code, n, seed, defects in (("AAA", 220, 1, 0.03), ("BBB", 160, 1, 0.03),
                                   ("CCC", 120, 2, 0.0)):
        folder = tmp_path_factory.mktemp(code)
        write_export("ssda903", generate(n, as_of=AS_OF, seed=seed, defect_rate=defects), folder)
        if code == "AAA":
            _ragged(folder)
        out[code] = read_export(Authority.ad_hoc(code, "ssda903", folder), AS_OF)
    return out


def test_exports_validated_together_are_each_validated_as_alone(exports):
    names = exports["AAA"].column_names
    assert all(export.column_names == names for export in exports.values())
    together = validate_many({code: export.source for code, export in exports.items()}, names)
    for code, export in exports.items():
        alone, mine = validate_export(export), together[code]
        assert mine.rows_in == alone.rows_in, code
        for table in alone.clean:
            pd.testing.assert_frame_equal(mine.clean[table], alone.clean[table],
                                          obj=f"{code} {table}")
        pd.testing.assert_frame_equal(mine.failures, alone.failures, obj=f"{code} failures")
        pd.testing.assert_frame_equal(mine.quarantine, alone.quarantine, obj=f"{code} quarantine")


def test_the_exports_collide_where_it_matters(exports):
    """Guards the test itself: shared ids, shared file rows, and failures of each kind."""
    children = {code: set(export.source.tables["children"]["child_id"])
                for code, export in exports.items()}
    assert children["AAA"] & children["BBB"]
    alone = {code: validate_export(export) for code, export in exports.items()}
    rules = set(alone["AAA"].failures["rule"])
    assert {"bad_row_shape", "unknown_child"} <= rules
    assert any(rule.startswith("duplicate") for rule in rules)
    assert "bad_row_shape" not in set(alone["BBB"].failures["rule"])
    reviews = exports["BBB"].source.tables["reviews"]
    assert RAGGED_ROW in set(reviews[ROW].astype(int))
