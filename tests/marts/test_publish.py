"""Publishing marts to SQLite and PostgreSQL: complete, atomic, idempotent."""

import pandas as pd
import pytest
from conftest import AS_OF, load_marts, postgres_schema
from iro_etl.config import Authority
from iro_etl.marts import publish as publishing
from iro_etl.marts.publish import make_engine, mart_rows, publish, read_mart
from iro_etl.pipeline import read_export
from iro_schemas.marts import MART_MODELS


@pytest.fixture(scope="module")
def marts(messy_export):
    export = read_export(Authority.ad_hoc("LA1", "ssda903", messy_export), AS_OF)
    marts = load_marts(export, b"test-key")
    return marts


def _other(marts, code):
    return {name: frame.assign(authority=code) for name, frame in marts.items()}


def _snapshot(engine, names=tuple(name for name in MART_MODELS if name != "failure_history")):
    return {name: read_mart(engine, name).sort_values(list(MART_MODELS[name].columns))
            .reset_index(drop=True) for name in names}


def test_publish_writes_every_mart(db_url, marts):
    engine = make_engine(db_url)
    publish(engine, "LA1", marts)
    for name, frame in marts.items():
        assert len(read_mart(engine, name, "LA1")) == len(frame), name
    summary = read_mart(engine, "load_summary")
    assert (summary["rows_in"] == summary["rows_clean"] + summary["rows_quarantined"]).all()
    timeliness = read_mart(engine, "review_timeliness")
    assert timeliness["child_id"].str.fullmatch(r"[0-9a-f]{16}").all()


def test_republishing_is_idempotent_and_keeps_other_authorities(db_url, marts,
                                                               tmp_path):
    engine = make_engine(db_url)
    publish(engine, "LA1", marts)
    publish(engine, "LA2", _other(marts, "LA2"))
    first = _snapshot(engine)
    publish(engine, "LA1", marts)
    second = _snapshot(engine)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])
    assert set(second["review_timeliness"]["authority"]) == {"LA1", "LA2"}
    publish(engine, "LA3", _other(marts, "LA3"))
    # Several authorities' rows at once: theirs, typed as one authority's are.
    both = read_mart(engine, "review_timeliness", ["LA3", "LA1"])
    assert set(both["authority"]) == {"LA1", "LA3"}
    pd.testing.assert_frame_equal(
        both[both["authority"] == "LA3"].reset_index(drop=True),
        read_mart(engine, "review_timeliness", "LA3"))
    assert read_mart(engine, "review_timeliness", ["NONE"]).empty
    rows = len(marts["review_timeliness"])
    assert mart_rows(engine, "review_timeliness", ["LA1", "LA3", "NONE"]) == {"LA1": rows,
                                                                               "LA3": rows}
    assert mart_rows(make_engine(f"sqlite:///{tmp_path / 'none.db'}"), "review_timeliness",
                     ["LA1"]) == {}


def test_interrupted_publish_leaves_the_previous_marts(db_url, marts, monkeypatch):
    engine = make_engine(db_url)
    publish(engine, "LA1", marts)
    before = _snapshot(engine)
    calls = []
    original = publishing._insert

    def failing(conn, table, frame):
        calls.append(1)
        if len(calls) == 3:
            raise ConnectionError("server went away mid-publish")
        return original(conn, table, frame)

    monkeypatch.setattr(publishing, "_insert", failing)
    # Published in contract order, so the third table is the indicator: by then two are done.
    smaller = {name: frame.head(5) for name, frame in marts.items()}
    with pytest.raises(ConnectionError):
        publish(engine, "LA1", smaller)
    assert len(calls) == 3
    after = _snapshot(engine)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])


@pytest.mark.parametrize("dropped", ["last_review_date", "as_of"])
def test_outdated_table_is_rebuilt(db_url, marts, dropped):
    """An older table missing a column is rebuilt; others' rows stay if they still fit."""
    engine = make_engine(db_url)
    old = marts["overdue_reviews"].head(1).assign(authority="OLD").drop(columns=[dropped])
    with engine.begin() as conn:
        old.to_sql("overdue_reviews", conn, index=False)
    publish(engine, "LA1", {"overdue_reviews": marts["overdue_reviews"]})
    table = read_mart(engine, "overdue_reviews")
    assert list(table.columns) == list(MART_MODELS["overdue_reviews"].columns)
    kept = int((table["authority"] == "OLD").sum())
    # last_review_date may be blank, so OLD's row fits; as_of is required, so it cannot.
    assert kept == (1 if dropped == "last_review_date" else 0)
    assert (table["authority"] == "LA1").sum() == len(marts["overdue_reviews"])


def test_publish_refuses_rows_of_another_authority(tmp_path, marts):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ValueError, match="another authority"):
        publish(engine, "LA9", marts)


def test_portable_insert_matches_the_fast_path(tmp_path, marts):
    """Dialects without a bulk path go through SQLAlchemy and store the same values."""
    frame = marts["review_timeliness"]
    stored = {}
    for name, insert in (("fast", publishing._insert_sqlite), ("core", publishing._insert_core)):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        with engine.begin() as conn:
            table = publishing._ensure_table(conn, "review_timeliness")
            insert(conn, table, frame)
        stored[name] = read_mart(engine, "review_timeliness")
    pd.testing.assert_frame_equal(stored["fast"], stored["core"])
    assert len(stored["core"]) == len(frame)


#: Values COPY's text format must carry through: its separators, its escape character and
#: its NULL marker as text, a blank that is not NULL, and text beyond ASCII.
AWKWARD = ["a\tb", "two\nlines", "back\\slash", "\\N", "", "carriage\rreturn", "Zoë Ní"]


@pytest.mark.parametrize(("scheme", "driver"), [("postgresql+psycopg", "psycopg"),
                                               ("postgresql+psycopg2", "psycopg2"),
                                               ("postgresql", "psycopg")])
def test_postgresql_copy_stores_what_sqlite_stores(tmp_path, marts, scheme, driver):
    """Both PostgreSQL drivers publish through COPY (a plain postgresql:// URL with psycopg,
    which we depend on, not SQLAlchemy's psycopg2), and every mart reads back as the portable
    path on SQLite stores it: awkward text too."""
    failures = marts["validation_failures"].copy()
    failures.loc[failures.index[:len(AWKWARD)], "value"] = AWKWARD
    given = {**marts, "validation_failures": failures}
    sqlite = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    publish(sqlite, "LA1", given)
    with postgres_schema() as (_, _, url):
        engine = make_engine(url.replace("postgresql+psycopg:", f"{scheme}:", 1))
        assert engine.dialect.driver == driver
        publish(engine, "LA1", given)
        stored = _snapshot(engine)
        values = read_mart(engine, "validation_failures")["value"]
        engine.dispose()
    assert values.isin(AWKWARD).sum() == len(AWKWARD)
    assert values.isna().sum() == failures["value"].isna().sum()
    expected = _snapshot(sqlite)
    for name, frame in stored.items():
        pd.testing.assert_frame_equal(frame, expected[name], obj=name)


def test_each_mart_has_its_grain_as_a_unique_index_and_bi_labels(db_url, marts):
    """What a BI tool needs: a unique index on each mart's grain (so a duplicate cannot get
    in), the authorities table to label by, and trends with stable measure codes."""
    import sqlalchemy as sa
    from iro_schemas.indicators import TREND_CODES
    from iro_schemas.marts import MART_KEYS

    engine = make_engine(db_url)
    publish(engine, "LA1", marts)
    inspector = sa.inspect(engine)
    for name, keys in MART_KEYS.items():
        if name not in marts:
            continue  # failure_history is kept by publish_load, not by one publish
        unique = [i for i in inspector.get_indexes(name) if i["unique"]]
        assert [i["column_names"] for i in unique] == [["authority", *keys]], name
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO review_timeliness SELECT * FROM review_timeliness "
                             "WHERE authority = 'LA1' LIMIT 1"))
    authorities = read_mart(engine, "authorities")
    assert authorities[["authority", "name", "system", "calendar"]].values.tolist() == [
        ["LA1", "LA1", "ssda903", "GB/ENG"]]
    trends = read_mart(engine, "trends", "LA1")
    assert set(trends["measure_code"]) == set(TREND_CODES.values())
    assert (trends["measure"].map(TREND_CODES) == trends["measure_code"]).all()


def test_authority_staff_read_their_own_ids_and_shared_marts_only_pseudonyms(db_url, marts,
                                                                            messy_truth):
    import sqlalchemy as sa
    from iro_schemas.marts import RESTRICTED_MARTS, RESTRICTED_VIEWS

    engine = make_engine(db_url)
    publish(engine, "LA1", marts)
    own_ids = set(messy_truth.children["child_id"].astype(str).str.strip())
    # The worklist as the authority's staff read it: their own id beside the pseudonym.
    with engine.connect() as conn:
        named = pd.read_sql(sa.text('SELECT * FROM "restricted_review_worklist"'), conn)
        shared = pd.read_sql(sa.text('SELECT * FROM "review_worklist"'), conn)
    assert len(named) == len(shared) > 0
    assert named["own_id"].notna().all() and set(named["own_id"]) <= own_ids
    lookup = read_mart(engine, "child_lookup", "LA1").set_index("child_id")["own_id"]
    assert (named["own_id"] == named["child_id"].map(lookup)).all()
    assert set(sa.inspect(engine).get_view_names()) >= set(RESTRICTED_VIEWS)
    # No shared mart holds an id of the authority's own system.
    for name, frame in marts.items():
        if name in RESTRICTED_MARTS:
            continue
        for column in frame.columns:
            values = set(read_mart(engine, name, "LA1")[column].dropna().astype(str))
            assert not values & own_ids, (name, column)
    # A rebuilt table takes its restricted view along (dropped, then made again).
    with engine.begin() as conn:
        conn.execute(sa.text('DROP VIEW "restricted_review_worklist"'))
        conn.execute(sa.text('ALTER TABLE review_worklist DROP COLUMN team'))
    publish(engine, "LA1", marts)
    with engine.connect() as conn:
        again = pd.read_sql(sa.text('SELECT * FROM "restricted_review_worklist"'), conn)
    assert list(again.columns) == [*shared.columns, "own_id"]


def test_a_table_made_before_its_grain_index_gets_it(db_url, marts):
    import sqlalchemy as sa

    engine = make_engine(db_url)
    publish(engine, "LA1", marts)
    with engine.begin() as conn:
        conn.execute(sa.text('DROP INDEX "ux_review_timeliness_grain"'))
    publish(engine, "LA1", marts)
    unique = [i["name"] for i in sa.inspect(engine).get_indexes("review_timeliness")
              if i["unique"]]
    assert unique == ["ux_review_timeliness_grain"]
