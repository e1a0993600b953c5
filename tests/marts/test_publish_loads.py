"""Several authorities' loads published together leave the tables their loads published one
after the other leave, held loads included, on SQLite and PostgreSQL.

Two nights: on the first, one authority's export lacks its episodes (held back, nothing
published before it), and it publishes whole on the second; on the second, another's
reviews collapse against its first night (held back by the guard, which reads its own
last load inside the shared transaction).
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager

import pandas as pd
import pytest
from conftest import AS_OF, load_marts, postgres_schema
from iro_etl.config import Authority
from iro_etl.marts.publish import Load, make_engine, publish_load, publish_loads, read_mart
from iro_etl.pipeline import read_export
from iro_schemas.marts import MART_MODELS
from iro_testdata.synthetic import generate
from iro_testdata.writers import write_export

CODES = ("LA1", "LA2", "LA3")


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, object]:
    """Each authority's export folder on both nights."""
    folders = {}
    for i, code in enumerate(CODES):
        night1 = tmp_path_factory.mktemp(f"{code}-1")
        write_export("ssda903", generate(90 + 30 * i, as_of=AS_OF, seed=i, defect_rate=0.02),
                     night1)
        night2 = tmp_path_factory.mktemp(f"{code}-2")
        shutil.copytree(night1, night2, dirs_exist_ok=True)
        folders[code] = (night1, night2)
    episodes = next(p for p in folders["LA2"][0].glob("*.csv") if "DECOM" in p.read_text()[:200])
    episodes.write_text(episodes.read_text().split("\n")[0] + "\n")
    reviews = next(p for p in folders["LA3"][1].glob("*.csv")
                   if "REVIEW_CODE" in p.read_text()[:200])
    lines = reviews.read_text().split("\n")
    reviews.write_text("\n".join(lines[: len(lines) // 5]) + "\n")
    return folders


def _loads(exports, night: int) -> list[Load]:
    out = []
    for code in CODES:
        export = read_export(Authority.ad_hoc(code, "ssda903", exports[code][night]), AS_OF)
        out.append(Load(code, load_marts(export), export.load_id, AS_OF, export.required))
    return out


@contextmanager
def _two_databases(kind: str, tmp_path):
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'apart.db'}", f"sqlite:///{tmp_path / 'together.db'}"
        return
    with postgres_schema() as (_, _, apart), postgres_schema() as (_, _, together):
        yield apart, together


def _tables(engine) -> dict[str, pd.DataFrame]:
    out = {}
    for name in [*MART_MODELS, "load_log"]:
        frame = read_mart(engine, name).drop(columns=["logged_at", "first_seen_at"],
                                             errors="ignore")
        out[name] = frame.sort_values(list(frame.columns), ignore_index=True)
    return out


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_loads_published_together_as_one_after_the_other(kind, exports, tmp_path):
    with _two_databases(kind, tmp_path) as (apart_url, together_url):
        apart, together = make_engine(apart_url), make_engine(together_url)
        statuses = []
        for night in (0, 1):
            loads = _loads(exports, night)
            one_by_one = [publish_load(apart, load.authority, load.marts, load.load_id,
                                       load.as_of, guarded=load.guarded) for load in loads]
            at_once = publish_loads(together, loads)
            assert [o.status for o in at_once] == [o.status for o in one_by_one]
            assert [o.reason for o in at_once] == [o.reason for o in one_by_one]
            statuses.append([o.status for o in at_once])
            left, right = _tables(apart), _tables(together)
            for name in left:
                pd.testing.assert_frame_equal(right[name], left[name], obj=f"night {night} {name}")
        apart.dispose()
        together.dispose()
    assert statuses == [["published", "held", "published"], ["published", "published", "held"]]


def test_one_authority_twice_in_a_batch_is_refused(exports, tmp_path):
    load = _loads(exports, 0)[0]
    engine = make_engine(f"sqlite:///{tmp_path / 'marts.db'}")
    with pytest.raises(ValueError, match="one after the other"):
        publish_loads(engine, [load, load])
