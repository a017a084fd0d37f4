"""Objects of the app that read the marts (views, foreign keys): captured before a swap and made
again on the new marts in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from loaders.publish.catalog import Relation, _ident
from loaders.publish.journal import PublishError
from loaders.publish.ownership import _access

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
