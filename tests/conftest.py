"""Shared fixtures: real Postgres servers for the whole session, and the sample export loaded.

Tests never touch a configured database. ``AMX_DATABASE_URL`` (what operators export for the
real database) is removed from the environment before anything runs; a test database is
``AMX_TEST_DATABASE_URL`` when set — and refused when it has ever been published to or is the
operator's database — else a server the session starts in a temporary directory and stops at the
end. The CLI under test is pointed at the test's own database (``AMX_DATABASE_URL`` set per test).

Servers: the database tests of ``MULTI_SERVER`` modules run once per server — the embedded
PostgreSQL 18 and a Debian PostgreSQL 15 (``make postgres``; what Supabase runs), started with
TLS only and a password full of URL-special characters (``tests/servers.py``). Every other test
runs on the embedded server only.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dedupe.synthetic import generate_export
from loaders.db import Database, start_embedded, stop_embedded
from loaders.settings import DEFAULT_SOURCE, quiet_telemetry
from tests import servers
from tests.synthetic_export import Export

SAMPLE = DEFAULT_SOURCE
FIXTURES = Path(__file__).parent / "fixtures"

quiet_telemetry()

OPERATOR_URL = os.environ.pop("AMX_DATABASE_URL", None)  # never reached by a test
TEST_URL = os.environ.get("AMX_TEST_DATABASE_URL")
PG15 = 15
# Modules whose database tests run on every server: landing, hostile input, dbt build,
# publish/rollback/backup/restore, kills at each stage.
MULTI_SERVER = {"test_load", "test_bad_input", "test_dbt_build", "test_publish", "test_faults"}
SERVERS = ("pg18", "pg15")


def pytest_generate_tests(metafunc):
    """Every database test names its server (one parameter value shared by all modules, so the
    session fixtures are built once per server)."""
    if "pg_server" in metafunc.fixturenames:
        multi = metafunc.module.__name__.split(".")[-1] in MULTI_SERVER
        metafunc.parametrize("pg_server", SERVERS if multi else SERVERS[:1], indirect=True,
                             scope="session")  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def amx_home(tmp_path_factory) -> Path:
    """Keep dlt state, runs and reports of the test session out of the developer's ``.amx``."""
    home = tmp_path_factory.mktemp("amx_home")
    os.environ["AMX_HOME"] = str(home)
    return home


def refuse_if_published(db: Database) -> None:
    """A database that has ever been published to is somebody's production: never a test's."""
    if OPERATOR_URL and db.url == OPERATOR_URL:
        pytest.exit("AMX_TEST_DATABASE_URL is AMX_DATABASE_URL: refusing to test on it", 2)
    with db.connect() as conn:
        published = conn.execute(
            "select to_regclass('audit.publications') is not null"
            " and exists (select 1 from pg_tables where schemaname = 'audit'"
            " and tablename = 'publications')"
        ).fetchone()[0]
        if published:
            published = conn.execute("select count(*) from audit.publications").fetchone()[0]
    if published:
        pytest.exit(
            f"{db.redacted()} has been published to ({published} publications in"
            " audit.publications): tests only run on a database of their own",
            2,
        )


@pytest.fixture(scope="session")
def pg_server(request) -> str:
    """Which server a test runs on: ``pg18`` (embedded) unless its module runs on all."""
    return request.param


@pytest.fixture(scope="session")
def _servers(tmp_path_factory, amx_home):
    started: dict[str, Database] = {}
    stops = []

    def get(name: str) -> Database:
        if name in started:
            return started[name]
        if name == "pg18" and TEST_URL:
            db = Database(url=TEST_URL)
            refuse_if_published(db)
        elif name == "pg18":
            pgdata = tmp_path_factory.mktemp("pg18") / "pgdata"
            db = start_embedded(pgdata)
            stops.append(lambda: stop_embedded(pgdata))
        else:
            if not servers.available(PG15):
                pytest.skip("Debian postgresql-15 is not installed: run `make postgres`")
            db = servers.start(PG15, tmp_path_factory.mktemp("pg15"))
            stops.append(lambda: servers.stop(PG15, db.pgdata))
        started[name] = db
        return db

    try:
        yield get
    finally:
        for stop in stops:
            stop()


@pytest.fixture(scope="session")
def database(pg_server, _servers) -> Database:
    return _servers(pg_server)


@pytest.fixture(autouse=True)
def _cli_database(request):
    """The CLI (in-process or a subprocess) under test uses the test's own database."""
    if "database" in request.fixturenames:
        db = request.getfixturevalue("database")
        os.environ["AMX_DATABASE_URL"] = db.url
    else:
        os.environ.pop("AMX_DATABASE_URL", None)
    yield
    os.environ.pop("AMX_DATABASE_URL", None)


def load_sample(db: Database, source: Path = SAMPLE):
    from loaders import pipeline

    return pipeline.run(db, source, build=False)


@pytest.fixture(scope="session")
def sample_loaded(database):  # per server: session fixtures follow `server`'s parameter
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


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Export:
    """A 300-company synthetic export with its truth, read back (one per test module)."""
    out = tmp_path_factory.mktemp("export300")
    counts = generate_export(300, 11, out)
    return Export(out, counts)
