"""Connection facts reach every consumer intact: sslmode, a percent-encoded password, shell quoting.

The Postgres 15 server of the suite (tests/servers.py) accepts only TLS and a password full of
URL-special characters, so every database test on it also proves this end to end through
psycopg, dlt, dbt and the client programs; these tests pin the pieces without a server.
"""

from __future__ import annotations

import subprocess
from urllib.parse import unquote, urlparse

from typer.testing import CliRunner

from loaders.cli import app
from loaders.db import Database
from loaders.settings import PROFILES_DIR
from tests.servers import PASSWORD

URL = (
    "postgresql://app%40user:p%40ss%3Aw%25rd%2F%27%22%24x%20y@db.example.com:6543/postgres"
    "?sslmode=require"
)


def test_user_and_password_are_decoded_once_for_every_consumer():
    db = Database(url=URL)
    assert (db.user, db.password) == ("app@user", PASSWORD)
    dlt = urlparse(db.dlt_url)
    assert (unquote(dlt.username), dlt.password) == ("app@user", "")  # dlt gets it from a file:
    assert db.pgpass_line() == "*:*:*:app@user:p@ss\\:w%rd/'\"$x y\n"  # ':' and '\\' escaped
    assert "sslmode=require" in dlt.query
    assert db.dbt_env()["AMX_PG_PASSWORD"] == PASSWORD
    assert db.libpq_env()["PGPASSWORD"] == PASSWORD
    assert PASSWORD not in db.redacted() and "%40ss" not in db.redacted()


def test_sslmode_reaches_dbt_and_the_client_programs():
    db = Database(url=URL)
    assert db.dbt_env()["AMX_PG_SSLMODE"] == "require"
    assert db.libpq_env()["PGSSLMODE"] == "require"
    assert Database(url="postgresql://u@h/d").dbt_env()["AMX_PG_SSLMODE"] == "prefer"
    text = (PROFILES_DIR / "profiles.yml").read_text(encoding="utf-8")
    assert text.count("sslmode: \"{{ env_var('AMX_PG_SSLMODE'") == 3  # every target


def test_amx_env_output_survives_the_shell(monkeypatch):
    monkeypatch.setenv("AMX_DATABASE_URL", URL)
    result = CliRunner().invoke(app, ["env"])
    assert result.exit_code == 0, result.output
    shell = subprocess.run(
        ["bash", "-c", 'eval "$1"; printf %s "$AMX_PG_PASSWORD|$PGPASSWORD|$PGSSLMODE"', "-",
         result.output],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert shell.stdout == f"{PASSWORD}|{PASSWORD}|require"


def test_a_configured_database_needs_an_explicit_source(monkeypatch):
    monkeypatch.setenv("AMX_DATABASE_URL", URL)
    for command in (["run"], ["load"], ["run", "--stages", "load,mentions"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 1, result.output
        assert "name the delivery with --source" in result.output
