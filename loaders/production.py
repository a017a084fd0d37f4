"""Land what production already holds into ``raw``, as a source like the vendor's files.

Before every build the load stage copies the app-facing tables of the target database's live
schema (``public``: companies, equipment, technologies, …) into ``raw.production__<table>``: one
row per production row, the whole row kept as ``record`` (jsonb, so the app's own columns come
along whatever they are), with the same lineage as a vendor file (``_source_file`` =
``public.<table>``, ``_source_row`` = the row's position ordered by ``created_at``, then id) and a
manifest row in ``audit.loads``. All tables are replaced in one transaction.

dbt decides what each row is (``stg_production__rows``): a row an earlier migration made from a
vendor sheet (``data_source`` ``vendor:…``) is rebuilt from the export and lends only its
``created_at`` / ``updated_at``; every other row (the app's original import, rows the app inserted
since) is existing production and is carried into the build. A target without these tables (the
embedded database on a first ``make run``) is a valid, empty production.
"""

from __future__ import annotations

from psycopg import sql

from loaders.db import Database

LIVE = "public"
RAW = "raw"
# The app's tables the migration publishes (the app's contract: tests/app_contract.py).
TABLES = (
    "companies",
    "company_categories",
    "equipment",
    "investments",
    "market_data",
    "materials",
    "mergers_acquisitions",
    "service_pricing",
    "technologies",
)


# lineage of the companies production holds (anchors for linkage, like master rows)
COMPANIES_FILE = f"{LIVE}.companies"


def raw_table(table: str) -> str:
    return f"production__{table}"


def _columns(conn, table: str) -> set[str]:
    rows = conn.execute(
        "select column_name from information_schema.columns"
        " where table_schema = %s and table_name = %s",
        (LIVE, table),
    )
    return {r[0] for r in rows}


def _order(columns: set[str]) -> sql.Composable:
    """The order that numbers a production table's rows (``_source_row``)."""
    order = [sql.SQL("p.id::text")] if "id" in columns else [sql.SQL("to_jsonb(p)::text")]
    if "created_at" in columns:
        order.insert(0, sql.SQL("p.created_at"))
    return sql.SQL(", ").join(order)


def live_digest(conn, table: str) -> tuple[int, int, str]:
    """Rows, bytes and sha256 of ``public.<table>`` as it is landed: what the load recorded in
    ``audit.loads``, and what publish compares before it takes an app table's place."""
    return conn.execute(
        sql.SQL(
            "select count(*), coalesce(sum(octet_length(to_jsonb(p)::text)), 0),"
            " encode(sha256(convert_to(coalesce(string_agg(to_jsonb(p)::text, E'\\n'"
            " order by {order}), ''), 'UTF8')), 'hex') from {live} as p"
        ).format(order=_order(_columns(conn, table)), live=sql.Identifier(LIVE, table))
    ).fetchone()


def landed_digest(conn, table: str) -> str | None:
    """The sha256 the last load recorded for ``public.<table>`` (None: never landed)."""
    row = conn.execute(
        "select sha256 from audit.loads where source_path = %s"
        " order by loaded_at desc, load_id desc limit 1",
        (f"production:{LIVE}.{table}",),
    ).fetchone()
    return row[0] if row else None


def land_production(db: Database, load_id: str) -> dict[str, int]:
    """Replace every ``raw.production__*`` table with the live rows; returns rows per table."""
    counts: dict[str, int] = {}
    with db.connect() as conn, conn.transaction():
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW)))
        conn.execute("drop table if exists raw.existing_companies")  # the former --existing file
        for table in TABLES:
            target = sql.Identifier(RAW, raw_table(table))
            conn.execute(
                sql.SQL(
                    "create table if not exists {} (_source_file text not null,"
                    " _source_row bigint primary key, id text, record jsonb not null,"
                    " _load_id text not null)"
                ).format(target)
            )
            conn.execute(sql.SQL("truncate {}").format(target))
            kind = conn.execute(
                "select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                " where n.nspname = %s and c.relname = %s",
                (LIVE, table),
            ).fetchone()
            if kind is None or kind[0] not in ("r", "p"):
                counts[table] = 0
                continue
            order = _order(_columns(conn, table))
            conn.execute(
                sql.SQL(
                    "insert into {target} (_source_file, _source_row, id, record, _load_id)"
                    " select %s, row_number() over (order by {order}) - 1, {id}, to_jsonb(p), %s"
                    " from {live} as p"
                ).format(
                    target=target,
                    order=order,
                    id=sql.SQL("p.id::text" if "id" in _columns(conn, table) else "null"),
                    live=sql.Identifier(LIVE, table),
                ),
                (f"{LIVE}.{table}", load_id),
            )
            row = live_digest(conn, table)
            counts[table] = row[0]
            conn.execute(
                "insert into audit.loads (load_id, source_file, source_path, raw_table, sha256,"
                " byte_size, row_count, key_map) values (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    load_id,
                    f"{LIVE}.{table}",
                    f"production:{LIVE}.{table}",
                    f"{RAW}.{raw_table(table)}",
                    row[2],
                    row[1],
                    row[0],
                    '{"*": "record"}',
                ),
            )
    return counts
