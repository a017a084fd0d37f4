"""Shared fixtures: a real Postgres for the whole session, and the sample export loaded into it.

The database is ``AMX_DATABASE_URL`` when set (a throwaway database: tests replace its content),
else an embedded server in a temporary directory, stopped at the end of the session.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from loaders.db import Database, start_embedded, stop_embedded
from loaders.settings import DEFAULT_SOURCE, quiet_telemetry

SAMPLE = DEFAULT_SOURCE
FIXTURES = Path(__file__).parent / "fixtures"

quiet_telemetry()


@pytest.fixture(scope="session", autouse=True)
def amx_home(tmp_path_factory) -> Path:
    """Keep dlt state, runs and reports of the test session out of the developer's ``.amx``."""
    home = tmp_path_factory.mktemp("amx_home")
    os.environ["AMX_HOME"] = str(home)
    return home


@pytest.fixture(scope="session")
def database(tmp_path_factory, amx_home) -> Database:
    url = os.environ.get("AMX_DATABASE_URL")
    if url:
        yield Database(url=url)
        return
    pgdata = tmp_path_factory.mktemp("pg") / "pgdata"
    db = start_embedded(pgdata)
    os.environ["AMX_DATABASE_URL"] = db.url  # the CLI under test uses the same server
    try:
        yield db
    finally:
        os.environ.pop("AMX_DATABASE_URL", None)
        stop_embedded(pgdata)


def load_sample(db: Database, source: Path = SAMPLE):
    from loaders import pipeline

    return pipeline.run(db, source, build=False)


@pytest.fixture(scope="session")
def sample_loaded(database):
    """The sample export landed in raw (no dbt build)."""
    return load_sample(database)


@pytest.fixture
def delivery(tmp_path) -> Path:
    """A writable copy of the sample export to break in one way."""
    target = tmp_path / "delivery"
    shutil.copytree(SAMPLE, target)
    for path in target.rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)
    return target


def overlay(delivery: Path, case: str) -> Path:
    """Lay the files of ``tests/fixtures/bad_input/<case>/`` over a delivery."""
    for path in (FIXTURES / "bad_input" / case).iterdir():
        shutil.copyfile(path, delivery / path.name)
    return delivery


@pytest.fixture(scope="session")
def built_db(database):
    """The sample export through every stage: load, mentions, link, dbt build (with tests)."""
    from loaders import pipeline

    pipeline.run(database, SAMPLE, build=True)
    return database


def scratch_database(database: Database, name: str) -> Database:
    """Another database on the same server, created if needed (isolates a test's pipeline run)."""
    from urllib.parse import urlparse, urlunparse

    with database.connect(autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(f'create database "{name}"')
    return Database(url=urlunparse(urlparse(database.url)._replace(path=f"/{name}")))
