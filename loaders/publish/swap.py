"""The swap itself: publish the tested shadow, roll back to the previous marts, and the status of
both."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from loaders.db import Database
from loaders.publish.app_objects import _attach_app_objects, _carry_access, _detach_app_objects
from loaders.publish.catalog import (
    Relation,
    _drop_owned,
    _forget_dropped,
    _grant_usage,
    _ident,
    _last_publication,
    _lock,
    _move,
    _schema_relations,
    _with_lock_retries,
    relations,
    row_counts,
)
from loaders.publish.journal import (
    _SWAP,
    LIVE,
    PREVIOUS,
    SHADOW,
    PublishError,
    ensure_tables,
    log_event,
    pause_point,
    production_lock,
)
from loaders.publish.ownership import (
    _access,
    _adopt,
    _check_adopted,
    _check_recorded,
    _owned,
    _register,
    _shrinkage,
    max_shrink,
)


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


def _live_to_replace(
    conn: psycopg.Connection, shadow: list[Relation]
) -> tuple[set[int], list[Relation], list[Relation]]:
    """(the oids amx owns, the live relations the shadow replaces, those adopted now): the app's
    own tables of a landed production are adopted; anything else amx did not build is refused."""
    owned = _owned(conn)
    names = {r.name for r in shadow}
    in_live = relations(conn, LIVE)
    live = [r for r in in_live if r.oid in owned]
    adopted = _adopt(conn, [r for r in in_live if r.name in names and r.oid not in owned])
    owned |= {r.oid for r in adopted}
    strangers = sorted(r.name for r in in_live if r.name in names and r.oid not in owned)
    if strangers:
        raise PublishError(
            f"{LIVE}.{', '.join(strangers)}: not created by amx, so publish leaves it where it"
            " is; rename or move it out of the way, then publish again. Production is unchanged"
        )
    return owned, live + adopted, adopted


def _record_publication(
    conn: psycopg.Connection,
    action: str,
    run_id: str,
    previous_run: str | None,
    published: list[str],
    counts: dict[str, int],
    sheet_rows: dict[str, int],
) -> None:
    conn.execute(
        "insert into audit.publications (action, live_run_id, previous_run_id, relations,"
        " row_counts, sheet_rows) values (%s, %s, %s, %s, %s, %s)",
        (
            action,
            run_id,
            previous_run,
            json.dumps(published),
            json.dumps(counts),
            json.dumps(sheet_rows),
        ),
    )


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
        owned, live, adopted = _live_to_replace(conn, shadow)
        last = _last_publication(conn)
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
        _record_publication(
            conn, action, run_id, previous_run, published, counts, recorded["sheet_rows"]
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
