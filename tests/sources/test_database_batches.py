"""A database table read in batches reads as it would whole: same rows, same lineage, a
blank row reported at its place in the table, not in its batch."""

from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa
from iro_etl.sources import sql
from iro_etl.sources.readers import TableSpec
from iro_etl.sources.sql import read_table_frame
from sqlalchemy.dialects import mssql

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


TYPED = TableSpec("reviews", {"child_id": ("child",), "held": ("held",), "seen": ("seen",),
                              "flag": ("flag",), "fte": ("fte",), "score": ("score",),
                              "extra": ("extra",)}, ("child_id",))


def test_typed_columns_read_as_their_values_text(db_url, monkeypatch):
    """The driver's values, not SQLAlchemy's conversions, become the cells: each type's text
    is what its value's would be, whatever the database keeps (SQLite keeps dates as text and
    booleans as 0/1), and a table bigger than a batch streams (PostgreSQL's named cursor)."""
    monkeypatch.setattr(sql, "FETCH_ROWS", 2)
    engine = sa.create_engine(db_url)
    table = sa.Table("typed", sa.MetaData(), sa.Column("child", sa.String(8)),
                     sa.Column("held", sa.Date), sa.Column("seen", sa.DateTime),
                     sa.Column("flag", sa.Boolean), sa.Column("fte", sa.Numeric(5, 2)),
                     sa.Column("score", sa.Float), sa.Column("extra", sa.JSON))
    # A JSON None is JSON's null, as SQLAlchemy writes it.
    rows = [("C1", date(2013, 5, 1), datetime(2013, 5, 2, 14, 30), True, Decimal("0.8"), 2.5,
             {"a": 1}),
            ("C2", None, None, False, Decimal("1"), 3.0, None),
            ("C3", date(2014, 3, 31), datetime(2014, 3, 31), None, None, None, [1, 2])]
    with engine.begin() as conn:
        table.create(conn)
        conn.execute(table.insert(), [dict(zip(table.c.keys(), r, strict=True)) for r in rows])
    try:
        frame, failures = read_table_frame(engine, "typed", ("child",), TYPED)
    finally:
        engine.dispose()
    assert not failures
    got = frame[list(TYPED.columns)].fillna("").to_numpy().tolist()
    assert got == [["C1", "2013-05-01", "2013-05-02", "True", "0.80", "2.5", '{"a": 1}'],
                   ["C2", "", "", "False", "1.00", "3", "null"],
                   ["C3", "2014-03-31", "2014-03-31", "", "", "", "[1, 2]"]]
    assert frame["_row"].tolist() == [2, 3, 4]


def test_a_date_column_holding_other_text_reads_it_as_written(engine):
    # SQLite keeps whatever text was put in a DATE column; SQLAlchemy's conversion of it
    # would stop the whole table, where the cell is a date the reader knows.
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE dated (child TEXT, held DATE)"))
        conn.execute(sa.text("INSERT INTO dated VALUES ('C1', '31/03/2014'), "
                             "('C2', '2014-03-31 00:00:00.000000'), ('C3', 'soon')"))
    frame, failures = read_table_frame(engine, "dated", ("child",), SPEC)
    assert not failures
    assert frame["review_date"].tolist() == ["31/03/2014", "2014-03-31", "soon"]


def test_only_mapped_columns_are_fetched_and_the_others_still_say_whether_a_row_is_blank(
        db_url, monkeypatch):
    """A warehouse table's other columns (a child's names here) are never fetched, but a
    row that holds something only in them is a row, not a blank one; whitespace is blank."""
    fetched = []
    grid = sql._grid
    monkeypatch.setattr(sql, "_grid", lambda batch, *rest: fetched.extend(batch) or
                        grid(batch, *rest))
    engine = sa.create_engine(db_url)
    table = sa.Table("people", sa.MetaData(), sa.Column("child", sa.String(8)),
                     sa.Column("forename", sa.Text), sa.Column("held", sa.Date),
                     sa.Column("died", sa.DateTime), sa.Column("score", sa.Integer))
    rows = [("C1", "Ann", date(2013, 5, 1), None, None),
            (None, "Bo", None, None, None),
            (None, "   ", None, None, None),
            (None, None, None, datetime(2014, 1, 2), None),
            (None, None, None, None, 7),
            ("C6", None, None, None, None)]
    with engine.begin() as conn:
        table.create(conn)
        conn.execute(table.insert(), [dict(zip(table.c.keys(), r, strict=True)) for r in rows])
    try:
        # Unordered: a fresh table comes in the order written, on both databases.
        frame, failures = read_table_frame(engine, "people", (), SPEC)
    finally:
        engine.dispose()
    assert [(f.rule, f.row) for f in failures] == [("blank_row", 4)]
    assert frame.columns.tolist() == ["child_id", "review_date", "_source_file", "_sheet",
                                      "_row"]
    assert frame["_row"].tolist() == [2, 3, 5, 6, 7]
    assert frame["child_id"].tolist() == ["C1", pd.NA, pd.NA, pd.NA, "C6"]
    cells = {str(cell) for row in fetched for cell in row}
    assert "Ann" not in cells and "Bo" not in cells and "C1" in cells


def test_the_other_columns_cell_is_sql_server_2016s_too():
    """SQL Server (many authorities' warehouses) before 2017 has no TRIM, and its TEXT type
    takes neither LTRIM nor RTRIM: the blank test must compile to what it runs; and its
    ROW_NUMBER needs an order, which the kept rows' numbering always has."""
    table = sa.Table("people", sa.MetaData(), sa.Column("forename", sa.Text),
                     sa.Column("died", sa.DateTime))
    query = str(sa.select(sql._held_elsewhere(list(table.c))).compile(dialect=mssql.dialect()))
    assert "ltrim(rtrim(CAST(people.forename AS NVARCHAR(max))))" in query
    assert " trim(" not in query.lower() and "AS TEXT" not in query
    # The kept rows of a form answers table, numbered in the whole table's order.
    answers = sa.Table("answers", sa.MetaData(), sa.Column("form", sa.Integer),
                       sa.Column("question", sa.String(40)), sa.Column("answer", sa.Text))
    kept = str(sql._numbered([answers.c.form, answers.c.question, answers.c.answer],
                             [answers.c.form], answers.c.question, ["RAG", "views"])
               .compile(dialect=mssql.dialect(), compile_kwargs={"literal_binds": True}))
    assert "row_number() OVER (ORDER BY answers.form) AS _position" in kept
    assert "IN ('RAG', 'views') ORDER BY anon_1._position" in kept


def test_a_batch_becomes_columns_whatever_its_cells_hold(engine):
    """Rows transposed by numpy give the columns Python's zip gives: a cell that is a
    sequence (a PostgreSQL array, as long as the row or not) stays one cell, and rows that
    are not tuples (SQLAlchemy's) are transposed too."""
    batches = [[("C1", [1, 2]), ("C2", [3, 4])], [("C1", [1]), ("C2", (2, 3))],
               [(1, None), (2.5, date(2014, 3, 31))], []]
    with engine.connect() as conn:
        batches.append(conn.execute(sa.text("SELECT child, held FROM review")).all())
    for batch in batches:
        got = [list(column) for column in sql._columns(batch, 2)]
        assert got == ([list(c) for c in zip(*batch, strict=True)] if batch else [[], []])


ANSWERS = TableSpec("review_records", {"form": ("form",), "question": ("question",),
                                       "answer": ("answer",)}, ("question",))


@pytest.mark.parametrize("batch", [2, 1000])
def test_kept_rows_alone_are_fetched_numbered_as_in_the_whole_table(db_url, monkeypatch,
                                                                     batch):
    """A form answers table read for some questions: only their rows are fetched (another
    form's text never is), whatever case and punctuation the codes are stored in, each at
    the row number a whole read gives it; a table without the column or order is read whole,
    and so is one of which too few rows would be left out to be worth numbering them."""
    fetched = []
    grid = sql._grid
    monkeypatch.setattr(sql, "_grid", lambda columns, *rest: fetched.extend(columns) or
                        grid(columns, *rest))
    monkeypatch.setattr(sql, "FETCH_ROWS", batch)
    engine = sa.create_engine(db_url)
    table = sa.Table("answers", sa.MetaData(), sa.Column("form", sa.Integer),
                     sa.Column("question", sa.String(40)), sa.Column("answer", sa.Text),
                     sa.Column("mapping", sa.Integer))
    rows = [(3, "IRO.Child.Views", "yes", 1), (1, "assessment.notes", "Ann is at school", 2),
            (2, "iro.child.views", "no", 3), (1, "rag_rating", "green", 4),
            (2, None, "Bo's note", 5), (4, "RAG RATING", None, 6),
            (2, "ragRating", "red", 7), (5, "other", "Cy", None)]
    with engine.begin() as conn:
        table.create(conn)
        conn.execute(table.insert(), [dict(zip(table.c.keys(), r, strict=True)) for r in rows])
    keep = sql.Kept("question", frozenset({"irochildviews", "ragrating"}))
    try:
        got, got_failures = read_table_frame(engine, "answers", ("form", "mapping"), ANSWERS,
                                             kept=keep)
        cells = {str(cell) for column in fetched for cell in column}
        unordered, _ = read_table_frame(engine, "answers", (), ANSWERS, kept=keep)
        elsewhere, _ = read_table_frame(engine, "answers", ("form", "mapping"),
                                        TableSpec("review_records", {"form": ("form",)}),
                                        kept=keep)
        # One row in eight left out: not worth numbering the rows for.
        most = sql.Kept("question", frozenset({"irochildviews", "ragrating", "other",
                                               "assessmentnotes"}))
        most_kept, _ = read_table_frame(engine, "answers", ("form", "mapping"), ANSWERS,
                                        kept=most)
        whole, _ = read_table_frame(engine, "answers", ("form", "mapping"), ANSWERS)
    finally:
        engine.dispose()
    # Worked out here: the rows in (form, mapping) order, numbered from 2 after the header.
    ordered = sorted(rows, key=lambda r: (r[0], r[3] or 0))
    want = [(str(f), q, a, n) for n, (f, q, a, _) in enumerate(ordered, start=2)
            if q and q.lower().replace(".", "").replace("_", "").replace(" ", "")
            in {"irochildviews", "ragrating"}]
    assert not got_failures
    assert [tuple(r) for r in got[["form", "question", "answer", "_row"]]
            .astype(object).where(got.notna(), None).to_numpy().tolist()] == want
    assert not cells & {"assessment.notes", "Ann is at school", "Bo's note", "Cy", "other"}
    assert len(unordered) == len(elsewhere) == len(rows)
    pd.testing.assert_frame_equal(most_kept, whole)
    assert len(whole) == len(rows)


STEPS = TableSpec("reviews", {"step": ("step",), "step_type": ("type",),
                              "review_category": ("category",)}, ("step",))


def test_a_row_is_kept_too_where_its_other_column_holds_a_value(db_url):
    """Steps of some types, and every step with a review category whatever its type: the
    others (visits) stay in the database; without the category column every row is read."""
    engine = sa.create_engine(db_url)
    table = sa.Table("steps", sa.MetaData(), sa.Column("step", sa.Integer),
                     sa.Column("type", sa.String(8)), sa.Column("category", sa.String(8)))
    rows = [(7, "REVIEW", "A"), (3, "VISIT", None), (5, "Notify", None), (1, "VISIT", None),
            (4, "VISIT", "B"), (2, "VISIT", None), (6, "dispute", None), (8, "VISIT", None)]
    with engine.begin() as conn:
        table.create(conn)
        conn.execute(table.insert(), [dict(zip(table.c.keys(), r, strict=True)) for r in rows])
    keep = sql.Kept("step_type", frozenset({"notify", "dispute"}), also="review_category")
    try:
        got, _ = read_table_frame(engine, "steps", ("step",), STEPS, kept=keep)
        without, _ = read_table_frame(engine, "steps", ("step",), TableSpec(
            "reviews", {"step": ("step",), "step_type": ("type",)}, ("step",)), kept=keep)
    finally:
        engine.dispose()
    # In step order the rows are numbered 2 (step 1) to 9 (step 8).
    assert list(zip(got["step"], got["_row"], strict=True)) == [
        ("4", 5), ("5", 6), ("6", 7), ("7", 8)]
    assert len(without) == len(rows)
