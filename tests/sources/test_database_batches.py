"""A database table read in batches reads as it would whole: same rows, same lineage, a
blank row reported at its place in the table, not in its batch."""

import pandas as pd
import pytest
import sqlalchemy as sa
from iro_etl.sources import sql
from iro_etl.sources.readers import TableSpec
from iro_etl.sources.sql import read_table_frame

SPEC = TableSpec("reviews", {"child_id": ("child",), "review_date": ("held",)}, ("child_id",))


@pytest.fixture
def engine(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    # No key, so a row can be all NULL (the 17th: table row 18); SQLite returns the rows in
    # the order they were written.
    rows = [{"child": f"C{i}", "held": f"2013-05-{1 + i % 28:02d}"} for i in range(23)]
    rows[16] = {"child": None, "held": None}
    frame = pd.DataFrame(rows)
    frame.to_sql("review", engine, index=False)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("batch", [5, 16, 17, 1000])
def test_batches_read_as_the_whole_table(engine, monkeypatch, batch):
    monkeypatch.setattr(sql, "FETCH_ROWS", 1000)
    whole, whole_failures = read_table_frame(engine, "review", (), SPEC)
    monkeypatch.setattr(sql, "FETCH_ROWS", batch)
    got, failures = read_table_frame(engine, "review", (), SPEC)
    pd.testing.assert_frame_equal(got, whole)
    assert [(f.rule, f.row) for f in failures] == [("blank_row", 18)]
    assert failures == whole_failures
    assert got["_row"].tolist() == [r for r in range(2, 25) if r != 18]
    assert got.loc[got["_row"] == 24, "child_id"].item() == "C22"


def test_an_empty_table_is_an_empty_frame_and_a_missing_column_is_said_once(engine,
                                                                             monkeypatch):
    monkeypatch.setattr(sql, "FETCH_ROWS", 4)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE empty_review (child TEXT, held TEXT)"))
    frame, failures = read_table_frame(engine, "empty_review", (), SPEC)
    assert frame.empty and not failures
    other = TableSpec("reviews", {"child_id": ("person",)}, ("child_id",))
    frame, failures = read_table_frame(engine, "review", (), other)
    assert [(f.rule, f.column_name) for f in failures] == [("missing_column", "person")]
