"""The generic mapping assembling a canonical table from several sources: files joined by
key or by the row in force on a date, and SELECT queries against a database."""

import pandas as pd
import pytest
import sqlalchemy as sa
import yaml
from conftest import AS_OF
from equivalence import assert_same_as_truth, normalised
from iro_etl.config import Authority
from iro_etl.pipeline import read_export, validate_export
from iro_plugin_generic.mapping import parse_mapping
from iro_testdata.writers.ssd import write_database

#: Episode columns the SSD does not hold.
NOT_HELD = ["home_post", "pl_la", "pl_location"]

EPISODES_SQL = """
SELECT e.clae_cla_episode_id AS id, e.clae_person_id AS person,
       e.clae_cla_episode_start_date AS started, e.clae_cla_episode_start_reason AS rne,
       (SELECT l.lega_legal_status FROM ssd_legal_status l
         WHERE l.lega_person_id = e.clae_person_id
           AND l.lega_legal_status_start_date <= e.clae_cla_episode_start_date
         ORDER BY l.lega_legal_status_start_date DESC LIMIT 1) AS legal_status,
       e.clae_cla_primary_need_code AS cin, p.clap_cla_placement_type AS placement,
       p.clap_cla_placement_provider AS provider, e.clae_cla_episode_ceased_date AS ended,
       e.clae_cla_episode_ceased_reason AS rec, p.clap_cla_placement_change_reason AS why_moved,
       p.clap_cla_placement_postcode AS postcode, p.clap_cla_placement_urn AS urn,
       p.clap_cla_placement_distance AS miles
  FROM ssd_cla_episodes e
  LEFT JOIN ssd_cla_placement p ON p.clap_cla_placement_id = e.clae_cla_placement_id
 ORDER BY e.clae_cla_episode_id
"""

REVIEWS_SQL = """
SELECT DISTINCT e.clae_person_id AS person, r.clar_cla_review_date AS held,
       r.clar_cla_review_participation AS pn
  FROM ssd_cla_reviews r JOIN ssd_cla_episodes e ON e.clae_cla_id = r.clar_cla_id
 WHERE r.clar_cla_review_cancelled = 'N' AND r.clar_cla_review_date IS NOT NULL
"""


def _mapping(folder, document):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "iro_mapping.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return folder


def test_select_queries_read_a_warehouse(tmp_path, clean_truth, monkeypatch):
    """The SSD's tables read through the generic mapping with SQL (joins, the legal status in
    force) give the truth back: the same as the ssd plugin does."""
    db = tmp_path / "warehouse.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    write_database(clean_truth, engine)
    engine.dispose()
    monkeypatch.setenv("WAREHOUSE", str(db))
    folder = _mapping(tmp_path / "mapping", {
        # The URL from the environment: a password never needs to be in the mapping.
        "database": "sqlite:///${WAREHOUSE}",
        "tables": {
            "children": {
                "sql": "SELECT pers_person_id, pers_sex, pers_dob, pers_ethnicity, pers_upn "
                       "FROM ssd_person WHERE pers_person_id IN "
                       "(SELECT clae_person_id FROM ssd_cla_episodes)",
                "columns": {"child_id": "pers_person_id", "sex": "pers_sex", "dob": "pers_dob",
                            "ethnic": "pers_ethnicity", "upn": "pers_upn"},
                "codes": {"sex": {"M": "1", "F": "2"}}},
            "episodes": {
                "sql": EPISODES_SQL,
                "columns": {"child_id": "person", "decom": "started", "rne": "rne",
                            "ls": "legal_status", "cin": "cin", "place": "placement",
                            "place_provider": "provider", "dec": "ended", "rec": "rec",
                            "reason_place_change": "why_moved", "pl_post": "postcode",
                            "urn": "urn", "pl_distance": "miles"}},
            "reviews": {"sql": REVIEWS_SQL, "columns": {
                "child_id": "person", "review_date": "held", "review_code": "pn"}},
        }})
    export = read_export(Authority.ad_hoc("G", "generic", folder), AS_OF)
    validated = validate_export(export)
    assert validated.failures.empty, validated.failures.head().to_string()
    assert_same_as_truth(validated.clean, clean_truth, ["children", "reviews"])
    got = normalised("episodes", validated.clean["episodes"]).drop(columns=NOT_HELD)
    want = normalised("episodes", clean_truth.episodes).drop(columns=NOT_HELD)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    # Lineage: the entry, and the row in the query's order.
    first = validated.clean["episodes"].iloc[0]
    assert first["_source_file"] == "db:tables.episodes" and first["_row"] == 2


def _episode_files(folder):
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"Person": ["A", "A", "B"], "DOB": ["2008-02-10"] * 3, "Sex": ["2"] * 3}
                 ).drop_duplicates("Person").to_csv(folder / "children.csv", index=False)
    pd.DataFrame({"Person": ["A", "A", "B"], "Start": ["01/05/2013", "01/09/2013", "03/06/2013"],
                  "RNE": ["S", "P", "S"], "Ended": ["01/09/2013", "", ""],
                  "Why": ["X1", "", ""], "Placement": ["P1", "P2", "P9"]}
                 ).to_csv(folder / "episodes.csv", index=False)
    pd.DataFrame({"Placement Ref": ["P1", "P2", "P2"], "Type": ["U4", "U1", "K2"]}
                 ).to_csv(folder / "placements.csv", index=False)
    pd.DataFrame({"Person ID": ["A", "A", "B"], "Status": ["C1", "C2", "V2"],
                  "From": ["01/05/2013", "20/08/2013", "01/01/2012"],
                  "To": ["20/08/2013", "", "01/02/2012"]}
                 ).to_csv(folder / "legal.csv", index=False)
    pd.DataFrame({"Person": ["A"], "Held": ["20/05/2013"]}).to_csv(folder / "reviews.csv",
                                                                     index=False)
    return _mapping(folder, {"tables": {
        "children": {"file": "children.csv",
                     "columns": {"child_id": "Person", "dob": "DOB", "sex": "Sex"}},
        "episodes": {
            "file": "episodes.csv",
            "columns": {"child_id": "Person", "decom": "Start", "rne": "RNE", "dec": "Ended",
                        "rec": "Why"},
            "join": [
                {"file": "placements.csv", "on": {"Placement": "Placement Ref"},
                 "columns": {"place": "Type"}},
                {"file": "legal.csv", "on": {"Person": "Person ID"},
                 "in_force": {"date": "Start", "from": "From", "to": "To"},
                 "columns": {"ls": "Status"}}]},
        "reviews": {"file": "reviews.csv",
                    "columns": {"child_id": "Person", "review_date": "Held"}},
    }})


def test_files_joined_by_key_and_by_the_row_in_force(tmp_path):
    export = read_export(Authority.ad_hoc("J", "generic", _episode_files(tmp_path / "x")), AS_OF)
    episodes = export.source.tables["episodes"][["child_id", "decom", "place", "ls"]]
    assert episodes.astype(object).where(episodes.notna(), None).values.tolist() == [
        # P1; the interim order in force on 1 May.
        ["A", "01/05/2013", "U4", "C1"],
        # P2 twice in placements.csv: the first row; the full order started 20 August.
        ["A", "01/09/2013", "U1", "C2"],
        # No placement P9, and B's only legal status ended before the episode: both blank.
        ["B", "03/06/2013", None, None]]
    failures = validate_export(export).failures
    blank = failures[failures["rule"] == "required"]
    assert sorted(blank["column_name"]) == ["Status (legal.csv)", "Type (placements.csv)"]
    assert set(blank["source_file"]) == {"episodes.csv"} and set(blank["row"]) == {4}


@pytest.mark.parametrize(("document", "said"), [
    ({"tables": {"reviews": {"file": "r.csv", "sql": "SELECT 1",
                             "columns": {"child_id": "a", "review_date": "b"}}}},
     "tables.reviews: give file or sql, not both"),
    ({"tables": {"reviews": {"sql": "SELECT 1", "columns": {"child_id": "a",
                                                           "review_date": "b"}}}},
     "database: missing: entries given as sql need the database URL"),
    ({"tables": {"episodes": {
        "file": "e.csv", "columns": {"child_id": "P", "decom": "S", "rne": "R", "ls": "L"},
        "join": [{"file": "p.csv", "columns": {"place": "T"}}]}}},
     "tables.episodes.join[1].on: missing"),
    ({"tables": {"episodes": {
        "file": "e.csv", "columns": {"child_id": "P", "decom": "S", "rne": "R", "ls": "L",
                                     "place": "T"},
        "join": [{"file": "p.csv", "on": {"P": "P"}, "columns": {"place": "T"}}]}}},
     "tables.episodes.join[1].columns.place: place already comes from the entry's own file"),
])
def test_mapping_mistakes_in_joins_and_queries_are_named_by_key(document, said):
    _, problems = parse_mapping(document)
    assert any(str(p).startswith(said) for p in problems), [str(p) for p in problems]


def test_only_a_select_is_run(tmp_path):
    db = tmp_path / "w.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (a TEXT)"))
    engine.dispose()
    folder = _mapping(tmp_path / "m", {"database": f"sqlite:///{db}", "tables": {"reviews": {
        "sql": "DROP TABLE t", "columns": {"child_id": "a", "review_date": "b"}}}})
    source = read_export(Authority.ad_hoc("S", "generic", folder), AS_OF).source
    refused = [f for f in source.failures if f.rule == "unreadable_file"]
    assert [(f.source_file, f.value) for f in refused] == [
        ("db:tables.reviews", "only a single SELECT query is run")]
    assert sa.inspect(sa.create_engine(f"sqlite:///{db}")).has_table("t")


def test_a_query_never_changes_the_warehouse_and_keeps_its_colons(tmp_path):
    db = tmp_path / "w.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE kids (id TEXT, seen TEXT)"))
        conn.execute(sa.text("INSERT INTO kids VALUES ('1', '2013-05-01'), ('2', '2013-06-01')"))
    engine.dispose()
    columns = {"child_id": "id", "review_date": "seen"}
    sneaky = _mapping(tmp_path / "a", {"database": f"sqlite:///{db}", "tables": {"reviews": {
        "sql": "WITH x AS (SELECT 1) DELETE FROM kids RETURNING id, id AS seen",
        "columns": columns}}})
    source = read_export(Authority.ad_hoc("S", "generic", sneaky), AS_OF).source
    assert [f.rule for f in source.failures if f.source_file == "db:tables.reviews"] == [
        "unreadable_file"]
    with sa.create_engine(f"sqlite:///{db}").connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM kids")).scalar() == 2
    # A colon inside the query is the query's own, not a parameter.
    colons = _mapping(tmp_path / "b", {"database": f"sqlite:///{db}", "tables": {"reviews": {
        "sql": "SELECT id, seen FROM kids WHERE seen <> '12:00'", "columns": columns}}})
    read = read_export(Authority.ad_hoc("S", "generic", colons), AS_OF).source
    assert len(read.tables["reviews"]) == 2


@pytest.mark.parametrize("url", ["postgresql:/reader:s3cret@127.0.0.1/db",
                                 "postgresql://reader:s3cret@127.0.0.1:notaport/db"])
def test_a_malformed_database_url_is_a_failure_without_its_password(tmp_path, url):
    folder = _mapping(tmp_path / "m", {"database": url, "tables": {"reviews": {
        "sql": "SELECT 1 AS a, 2 AS b", "columns": {"child_id": "a", "review_date": "b"}}}})
    source = read_export(Authority.ad_hoc("S", "generic", folder), AS_OF).source
    failed = [f for f in source.failures if f.source_file == "db:tables.reviews"]
    assert len(failed) == 1 and "s3cret" not in str(failed[0])
