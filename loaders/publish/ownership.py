"""What amx owns (``audit.owned_relations``), the record of a tested build (``audit.builds``), the
access rules a build must meet, and the shrink guard."""

from __future__ import annotations

import json
import os

import psycopg
from psycopg import sql

from loaders import production
from loaders.db import Database
from loaders.publish.catalog import Relation, _ident, _last_publication, _schema_relations
from loaders.publish.journal import LIVE, PREVIOUS, SHADOW, PublishError
from loaders.settings import DBT_PROJECT_DIR


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
    ``VACUUM (ANALYZE)``s its tables first, so the app's queries are planned on fresh statistics
    from the first one and read indexes alone where an index holds every column they need (a
    table new from ``CREATE TABLE AS`` has none of its pages marked all-visible, so each index
    entry would visit the table until autovacuum came by). Publish later swaps only a shadow
    identical to this record.
    """
    expected = _expected_marts() if expected is None else expected
    with db.connect(autocommit=True) as conn:  # VACUUM runs outside a transaction
        for r in _schema_relations(conn, SHADOW):
            if r.kind == "table":
                conn.execute(sql.SQL("vacuum (analyze) {}").format(sql.Identifier(SHADOW, r.name)))
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
