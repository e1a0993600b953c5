"""Shared fixtures: synthetic exports written by our own exporters, and the marts databases."""

import os
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from iro_etl.marts.build import RuleResults
from iro_etl.pipeline import Export, all_marts, export_rules, validate_export
from iro_testdata.synthetic import GroundTruth, generate
from iro_testdata.writers import write_export
from seed_loading import LoadedSeed, load_seed

AS_OF = pd.Timestamp("2014-03-31")
#: uv, from the test environment (a dev dependency), for tests that build environments.
UV = [sys.executable, "-m", "uv"]
PG_URL = os.environ.get("IRO_ETL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def load_marts(export: Export, key: bytes = b"k") -> dict[str, pd.DataFrame]:
    """Every mart of one export, through the load's own stages; none may break its contract."""
    validated = validate_export(export)
    marts = all_marts(export, validated, export_rules(export, validated), key)
    assert not marts.rejected, marts.rejected
    return marts.frames


def run_at_once(*jobs) -> None:
    """Start every job in its own thread at the same moment; none may raise."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        barrier.wait()
        try:
            job()
        except Exception as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.fixture(scope="session")
def messy_truth() -> GroundTruth:
    return generate(400, as_of=AS_OF, seed=11, defect_rate=0.03)


@pytest.fixture(scope="session")
def clean_truth() -> GroundTruth:
    return generate(300, as_of=AS_OF, seed=12)


@pytest.fixture(scope="session")
def messy_export(tmp_path_factory, messy_truth) -> Path:
    folder = tmp_path_factory.mktemp("messy903")
    write_export("ssda903", messy_truth, folder)
    return folder


@pytest.fixture(scope="session")
def clean_export(tmp_path_factory, clean_truth) -> Path:
    folder = tmp_path_factory.mktemp("clean903")
    write_export("ssda903", clean_truth, folder)
    return folder


def _postgres_schema_url() -> tuple[sa.Engine, str, str]:
    """A fresh schema on the test server, so runs never see each other's tables."""
    admin = sa.create_engine(PG_URL)
    schema = f"iro_test_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    return admin, schema, f"{PG_URL}?options=-csearch_path%3D{schema}"


def sqlite_warehouse(path: Path, write_database: Callable[..., object], truth: GroundTruth,
                     **options: object) -> str:
    """A warehouse written by a system's ``write_database`` into a new SQLite file; its URL."""
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    try:
        write_database(truth, engine, **options)
    finally:
        engine.dispose()
    return url


@contextmanager
def postgres_schema() -> Iterator[tuple[sa.Engine, str, str]]:
    """A fresh schema on the test server (its admin engine, name and a URL searching it),
    dropped afterwards; no server is a failure in CI and a skip elsewhere."""
    try:
        admin, schema, url = _postgres_schema_url()
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required in CI: {exc}")
        pytest.skip(f"no PostgreSQL server: {exc}")
    try:
        yield admin, schema, url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each publishing test runs on embedded SQLite and on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'marts.db'}"
        return
    with postgres_schema() as (_, _, url):
        yield url


@pytest.fixture(scope="module")
def seed(request, tmp_path_factory) -> LoadedSeed:
    """The seed scenario named by the test module's ``SEED``, loaded as the demo loads it."""
    name = request.module.SEED
    return load_seed(name, tmp_path_factory.mktemp(name))


@pytest.fixture(scope="module")
def results(seed: LoadedSeed) -> RuleResults:
    return seed.results
