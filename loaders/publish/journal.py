"""The schema names, the run log (``audit.migration_log`` and the tables amx keeps in ``audit``),
run ids, the production lock and the test pause hook."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg

from loaders.db import Database

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
alter table audit.publications add column if not exists sheet_rows jsonb not null default '{}';
create table if not exists audit.builds (
    run_id       text        primary key,
    at           timestamptz not null default clock_timestamp(),
    tests_passed boolean     not null,
    relations    jsonb       not null,
    access       jsonb       not null,
    sheet_rows   jsonb       not null default '{}'
);
comment on table audit.builds is
    'One row per build whose dbt tests all passed (error severity): every relation of the shadow'
    ' schema with its oid and kind, its RLS, policies and grants, and the rows per vendor file.'
    ' Publish swaps only a shadow that still matches its row exactly.';
create table if not exists audit.owned_relations (
    relation_oid  oid         primary key,
    name          text        not null,
    kind          text        not null,
    run_id        text        not null,
    registered_at timestamptz not null default clock_timestamp()
);
comment on table audit.owned_relations is
    'The relations amx built (by oid, which survives ALTER ... SET SCHEMA). Publish, rollback and'
    ' backup move, drop or dump only these; anything else in public is never touched.';
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
