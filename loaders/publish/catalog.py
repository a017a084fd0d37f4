"""The relations of a schema, moving and dropping them, locking, row counts and grants."""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg
from psycopg import sql

from loaders.db import Database
from loaders.publish.journal import LOCK_ATTEMPTS, LOCK_TIMEOUT_MS, PublishError


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


def _forget_dropped(conn: psycopg.Connection) -> None:
    conn.execute(
        "delete from audit.owned_relations o where not exists"
        " (select 1 from pg_class c where c.oid = o.relation_oid and c.relname = o.name)"
    )


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
