"""Two loads at once: of one authority, exactly one load's rows survive; of two
authorities, both publish. On SQLite and on PostgreSQL."""

import shutil

import pytest
from conftest import AS_OF, load_marts, run_at_once
from iro_etl.config import Authority
from iro_etl.marts.publish import make_engine, publish_load, read_mart
from iro_etl.pipeline import read_export


@pytest.fixture(scope="module")
def two_loads(tmp_path_factory, clean_export, messy_export):
    """Two different loads' marts and ids for authority LA."""
    out = []
    for folder in (clean_export, messy_export):
        export = read_export(Authority.ad_hoc("LA", "ssda903", folder), AS_OF)
        out.append((load_marts(export), export.load_id))
    return out


def test_two_loads_of_one_authority_leave_one_loads_rows(db_url, two_loads):
    engine = make_engine(db_url)
    for _ in range(2):  # first publish (tables created at once) and a later one
        run_at_once(*(lambda m=marts, i=load_id: publish_load(engine, "LA", m, i, AS_OF)
                   for marts, load_id in two_loads))
        timeliness = read_mart(engine, "review_timeliness", "LA")
        summary = read_mart(engine, "load_summary", "LA")
        assert summary["load_id"].nunique() == 1
        winner = next(m for m, i in two_loads if i == summary["load_id"].iloc[0])
        assert len(timeliness) == len(winner["review_timeliness"])
        assert len(read_mart(engine, "validation_failures", "LA")) == len(
            winner["validation_failures"])


def test_two_authorities_at_once_both_publish(db_url, clean_export, tmp_path):
    engine = make_engine(db_url)
    loads = []
    for code in ("NORTH", "SOUTH"):
        folder = tmp_path / code
        shutil.copytree(clean_export, folder)
        export = read_export(Authority.ad_hoc(code, "ssda903", folder), AS_OF)
        loads.append((code, load_marts(export), export.load_id))
    run_at_once(*(lambda c=c, m=m, i=i: publish_load(engine, c, m, i, AS_OF) for c, m, i in loads))
    for code, marts, _ in loads:
        assert len(read_mart(engine, "review_timeliness", code)) == len(marts["review_timeliness"])
