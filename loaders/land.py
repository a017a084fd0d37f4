"""Land a checked delivery in Postgres schema ``raw`` with dlt, atomically.

dlt loads every sheet into the ``raw_incoming`` dataset (one table per sheet, dlt's load id on
each row). Only when that load has fully succeeded does one Postgres transaction replace the
content of every ``raw`` table and append the manifest to ``audit.loads``: readers and the next
stage see either the previous delivery or the new one, never a mix. (dlt's own
``insert-from-staging`` replace strategy runs one SQL job per table, so a failure part-way would
leave some sheets replaced and others not; hence the explicit single-transaction publish.)
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dlt
import pyarrow as pa
from psycopg import sql

from loaders.db import Database
from loaders.production import land_production
from loaders.settings import amx_home
from loaders.vendor_files import Delivery, Drift, SheetFile, read_delivery

INCOMING = "raw_incoming"
RAW = "raw"
PIPELINE_NAME = "amx_vendor"

AUDIT_DDL = """
create schema if not exists audit;
create table if not exists audit.loads (
    load_id       text        not null,
    source_file   text        not null,
    source_path   text        not null,
    raw_table     text        not null,
    sha256        text        not null,
    byte_size     bigint      not null,
    row_count     bigint      not null,
    key_map       jsonb       not null,
    loaded_at     timestamptz not null default now(),
    primary key (load_id, source_file)
);
comment on table audit.loads is
    'Append-only manifest: one row per vendor file per load (hash, size, rows, key -> column map).';
create table if not exists audit.schema_drift (
    load_id     text        not null,
    source_file text        not null,
    kind        text        not null,
    detail      text        not null,
    noticed_at  timestamptz not null default now()
);
comment on table audit.schema_drift is
    'Append-only: differences from the vendor contract that were loaded or skipped, and reported.';
"""


@dataclass
class LoadResult:
    load_id: str
    rows: dict[str, int]  # raw table -> rows
    seconds: float


def _columns(sheet_file: SheetFile) -> list[str]:
    """Every raw table has all contract columns, present in this delivery or not, plus drift."""
    cols = list(sheet_file.sheet.known_columns)
    cols += [c for c in sheet_file.key_map.values() if c not in cols]
    return cols


# Rows per Arrow table handed to dlt: bounds the copy of a sheet held as Arrow at once.
ARROW_BATCH_ROWS = 100_000


def _arrow_batches(sheet_file: SheetFile) -> Iterator[pa.Table]:
    """The sheet's rows as Arrow tables of text columns (every contract column, present or not)
    plus their lineage: file name and 0-based position in the file's list. Empty strings stay
    empty strings and missing values stay null: the parquet file and ADBC's binary COPY keep
    the two apart (dlt's CSV path to Postgres would read both as null)."""
    columns = _columns(sheet_file)
    schema = pa.schema(
        [pa.field(c, pa.string()) for c in columns]
        + [
            pa.field("_source_file", pa.string(), nullable=False),
            pa.field("_source_row", pa.int64(), nullable=False),
        ]
    )
    rows = sheet_file.rows
    for start in range(0, max(len(rows), 1), ARROW_BATCH_ROWS):
        batch = rows[start : start + ARROW_BATCH_ROWS]
        arrays = [pa.array([r.get(c) for r in batch], pa.string()) for c in columns]
        arrays.append(pa.array([sheet_file.sheet.file_name] * len(batch), pa.string()))
        arrays.append(pa.array(range(start, start + len(batch)), pa.int64()))
        yield pa.Table.from_arrays(arrays, schema=schema)


def _resource(sheet_file: SheetFile):
    # the columns' types and nullability come from the Arrow schema (text, lineage not null)
    return dlt.resource(
        _arrow_batches(sheet_file), name=sheet_file.sheet.table, write_disposition="replace"
    )


@dlt.source(name="vendor", max_table_nesting=0)
def vendor_source(delivery: Delivery):
    """One resource per vendor sheet; values are text, typed later in dbt staging."""
    return [_resource(f) for f in delivery.files]


def _land_incoming(db: Database, delivery: Delivery) -> str:
    # A failed run leaves pending packages that dlt would retry; a delivery is a full snapshot,
    # so each load starts from a clean local pipeline directory instead.
    reset_state()
    pipelines_dir = amx_home() / "dlt"
    pipeline = dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        destination=dlt.destinations.postgres(credentials=db.dlt_url),
        dataset_name=INCOMING,
        pipelines_dir=str(pipelines_dir),
    )
    # Arrow tables -> parquet -> ADBC's binary COPY: no per-row Python in dlt. Asking for parquet
    # makes a missing ADBC driver an error, never a silent switch to dlt's CSV path (which would
    # turn empty strings into nulls). dlt adds its load id and row id to every row, as it does
    # for rows given as dicts.
    with _dlt_environment(db):
        info = pipeline.run(vendor_source(delivery), loader_file_format="parquet")
    info.raise_on_failed_jobs()
    return info.loads_ids[-1]


@contextmanager
def _dlt_environment(db: Database) -> Iterator[None]:
    """What dlt reads from the environment during the load: its parquet normalizer adds
    ``_dlt_load_id`` and ``_dlt_id`` only when told to, and libpq (dlt's and ADBC's) finds the
    password in a file of this process's own (see :attr:`Database.dlt_url`)."""
    with tempfile.TemporaryDirectory(prefix="amx_dlt_") as tmp:
        env = {
            "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID": "true",
            "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID": "true",
        }
        if db.password:
            passfile = Path(tmp) / "pgpass"
            passfile.touch(mode=0o600)
            passfile.write_text(db.pgpass_line(), encoding="utf-8")
            env["PGPASSFILE"] = str(passfile)
        before = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            yield
        finally:
            for k, v in before.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def _column_names(conn, schema: str, table: str) -> set[str]:
    rows = conn.execute(
        "select column_name from information_schema.columns"
        " where table_schema = %s and table_name = %s",
        (schema, table),
    )
    return {r[0] for r in rows}


LINEAGE = ("_source_file", "_source_row", "_dlt_load_id", "_dlt_id")


def _replace_raw(db: Database, delivery: Delivery, load_id: str) -> dict[str, int]:
    """In one transaction: every ``raw`` table's rows become the delivery's, and the manifest and
    the drift go to ``audit``. A count that does not match its file raises: nothing moves."""
    counts: dict[str, int] = {}
    with db.connect() as conn, conn.transaction():
        conn.execute(AUDIT_DDL)
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW)))
        for f in delivery.files:
            _shape_raw_table(conn, f, delivery)
            counts[f.sheet.table] = _copy_incoming(conn, f, load_id)
            _record_file(conn, f, delivery, load_id)
        for d in delivery.drift:
            conn.execute(
                "insert into audit.schema_drift (load_id, source_file, kind, detail)"
                " values (%s, %s, %s, %s)",
                (load_id, d.file_name, d.kind, d.detail),
            )
    return counts


def _shape_raw_table(conn, f: SheetFile, delivery: Delivery) -> None:
    """Create the sheet's ``raw`` table if new; add this delivery's columns; drop the drift
    columns of an earlier delivery that this one lacks (contract columns stay), noting it."""
    table = f.sheet.table
    cols = _columns(f)
    target = sql.Identifier(RAW, table)
    body = ", ".join(
        ["_source_file text not null", "_source_row bigint not null"]
        + [f'"{c}" text' for c in cols]
        + ["_dlt_load_id text not null", "_dlt_id text not null", "primary key (_source_row)"]
    )
    conn.execute(sql.SQL("create table if not exists {} (" + body + ")").format(target))
    stale = sorted(_column_names(conn, RAW, table) - {*LINEAGE, *cols})
    if stale:
        dropped = _drop_stale_columns(conn, table, stale)
        delivery.drift.append(
            Drift(
                f.sheet.file_name,
                "dropped_column",
                f"column(s) {', '.join(stale)} of an earlier delivery dropped from {RAW}.{table}"
                + (
                    f"; views reading them dropped, rebuilt by the next build: {', '.join(dropped)}"
                    if dropped
                    else ""
                ),
            )
        )
    for c in cols:
        conn.execute(
            sql.SQL("alter table {} add column if not exists {} text").format(
                target, sql.Identifier(c)
            )
        )


def _copy_incoming(conn, f: SheetFile, load_id: str) -> int:
    """Replace the ``raw`` table's rows with this load's rows from ``raw_incoming``; its count."""
    table = f.sheet.table
    target = sql.Identifier(RAW, table)
    incoming_cols = _column_names(conn, INCOMING, table)
    conn.execute(sql.SQL("truncate {}").format(target))
    lost = sorted(set(f.key_map.values()) - incoming_cols)
    if lost:  # dlt renamed a column: its values would land as NULL
        raise RuntimeError(
            f"{f.sheet.file_name}: column(s) {', '.join(lost)} did not arrive from dlt"
            " under their names; nothing was replaced"
        )
    copy = [*LINEAGE, *(c for c in _columns(f) if c in incoming_cols)]
    ident = sql.SQL(", ").join(sql.Identifier(c) for c in copy)
    conn.execute(
        sql.SQL("insert into {} ({}) select {} from {} where _dlt_load_id = %s").format(
            target, ident, ident, sql.Identifier(INCOMING, table)
        ),
        (load_id,),
    )
    count = conn.execute(sql.SQL("select count(*) from {}").format(target)).fetchone()[0]
    if count != f.row_count:
        raise RuntimeError(f"{f.sheet.file_name}: {f.row_count} rows read but {count} landed")
    return count


def _record_file(conn, f: SheetFile, delivery: Delivery, load_id: str) -> None:
    """The file's line in the ``audit.loads`` manifest: hash, size, rows, key -> column map."""
    conn.execute(
        "insert into audit.loads (load_id, source_file, source_path, raw_table, sha256,"
        " byte_size, row_count, key_map) values (%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            load_id,
            f.sheet.file_name,
            str(f.path.relative_to(delivery.source)),
            f"{RAW}.{f.sheet.table}",
            f.sha256,
            f.byte_size,
            f.row_count,
            json.dumps(f.key_map),
        ),
    )


# Schemas whose views dbt rebuilds on every build (``stg_vendor__*`` select every raw column).
REBUILT_VIEW_SCHEMAS = ("staging",)


def _drop_stale_columns(conn, table: str, stale: list[str]) -> list[str]:
    """Drop drift columns this delivery lacks, with the views that read them, when those views
    are dbt's (rebuilt by the next build); refuse, naming them, when anyone else's view does."""
    readers = conn.execute(
        """
        with recursive readers(oid) as (
            select distinct r.ev_class
            from pg_depend d
            join pg_rewrite r on r.oid = d.objid
            join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
            where d.classid = 'pg_rewrite'::regclass and d.refobjid = %s::regclass
              and a.attname = any(%s)
            union
            select r.ev_class
            from readers
            join pg_depend d on d.refobjid = readers.oid and d.classid = 'pg_rewrite'::regclass
            join pg_rewrite r on r.oid = d.objid
            where r.ev_class <> readers.oid
        )
        select n.nspname, c.relname from readers
        join pg_class c on c.oid = readers.oid join pg_namespace n on n.oid = c.relnamespace
        order by 1, 2
        """,
        (f"{RAW}.{table}", stale),
    ).fetchall()
    foreign = [f"{s}.{n}" for s, n in readers if s not in REBUILT_VIEW_SCHEMAS]
    if foreign:
        raise RuntimeError(
            f"{RAW}.{table}: column(s) {', '.join(stale)} of an earlier delivery are read by"
            f" {', '.join(foreign)}, which amx does not rebuild; drop or change those views"
            " (raw is unchanged)"
        )
    for column in stale:
        conn.execute(
            sql.SQL("alter table {} drop column {} cascade").format(
                sql.Identifier(RAW, table), sql.Identifier(column)
            )
        )
    return [f"{s}.{n}" for s, n in readers]


def land(db: Database, delivery: Delivery) -> LoadResult:
    """Load ``delivery`` into ``raw`` (replacing the previous snapshot) and record the manifest."""
    started = time.perf_counter()
    load_id = _land_incoming(db, delivery)
    counts = _replace_raw(db, delivery, load_id)
    return LoadResult(load_id=load_id, rows=counts, seconds=time.perf_counter() - started)


def reset_state() -> None:
    """Forget dlt's local pipeline state (the database is untouched)."""
    shutil.rmtree(amx_home() / "dlt" / PIPELINE_NAME, ignore_errors=True)


def land_source(db: Database, source: Path) -> tuple[str, dict[str, int], list[str]]:
    """The load stage: read and check the delivery under ``source``, land it, then land what
    production holds (a source too: the build reads both only after this stage). Returns the load
    id, rows per raw table (production's as ``production__<table>``) and the drift in words.
    ``amx run`` calls it in a child process, so the parsed rows (gigabytes at 100x) die with it."""
    delivery = read_delivery(source)
    result = land(db, delivery)
    rows = dict(result.rows)
    for table, n in land_production(db, result.load_id).items():
        rows[f"production__{table}"] = n
    return result.load_id, rows, [f"{d.file_name}: {d.kind}: {d.detail}" for d in delivery.drift]
