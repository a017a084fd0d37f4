"""The dbt build on the sample export: counts reconcile, keys hold, RLS works, rebuilds are stable.

Uses the session fixture ``built_db`` (conftest.py): the sample loaded and ``dbt build`` run with
all its tests. These checks restate the most important dbt tests from outside dbt, against the
database the app would read.
"""

from __future__ import annotations

import json

import psycopg
import pytest

from loaders.settings import DEFAULT_SOURCE as SAMPLE
from tests.conftest import scratch_database

MARTS = (
    "companies", "company_categories", "technologies", "materials", "equipment", "investments",
    "mergers_acquisitions", "service_pricing", "market_data", "market_forecasts",
    "figure_directory", "company_source_records",
)  # fmt: skip

# (child table, column, parent table): every foreign key of the production schema.
FOREIGN_KEYS = (
    ("company_categories", "company_id", "companies"),
    ("equipment", "company_id", "companies"),
    ("equipment", "technology_id", "technologies"),
    ("equipment", "material_id", "materials"),
    ("investments", "company_id", "companies"),
    ("mergers_acquisitions", "acquired_company_id", "companies"),
    ("mergers_acquisitions", "acquiring_company_id", "companies"),
    ("service_pricing", "company_id", "companies"),
    ("service_pricing", "technology_id", "technologies"),
    ("company_source_records", "company_id", "companies"),
)


def _sample_row_counts() -> dict[str, int]:
    return {p.name: len(json.loads(p.read_text(encoding="utf-8"))) for p in SAMPLE.rglob("*.json")}


def _snapshot(conn: psycopg.Connection, schema: str = "public") -> dict[str, object]:
    """Row counts of every mart and audit table, and the sorted ids of every mart."""
    snap: dict[str, object] = {}
    for table in MARTS:
        snap[f"{table}.count"] = conn.execute(f"select count(*) from {schema}.{table}").fetchone()[
            0
        ]
        snap[f"{table}.ids"] = [
            str(r[0]) for r in conn.execute(f"select id from {schema}.{table} order by id")
        ]
    snap["audit.rejected_rows.count"] = conn.execute(
        "select count(*) from audit.rejected_rows"
    ).fetchone()[0]
    # the vendor sheets' rows (what production held is a source too, and is whatever the last load
    # of this shared database found published by earlier tests)
    snap["audit.reconciliation.count"] = conn.execute(
        "select count(*) from audit.reconciliation where sheet not like 'public.%'"
    ).fetchone()[0]
    return snap


def test_reconciliation_accounts_for_every_sample_row(built_db):
    with built_db.connect() as conn:
        rows = conn.execute(
            "select sheet, raw_rows, published_rows, merged_rows, quarantined_rows, mart_rows"
            " from audit.reconciliation"
        ).fetchall()
    by_sheet = {r[0]: r[1:] for r in rows}
    assert {s: v[0] for s, v in by_sheet.items()} == _sample_row_counts()
    for sheet, (raw, published, merged, quarantined, mart) in by_sheet.items():
        assert raw == published + merged + quarantined, sheet
        assert published == mart, sheet


def test_quarantined_rows_are_listed_with_rule_and_value(built_db):
    with built_db.connect() as conn:
        quarantined = conn.execute(
            "select coalesce(sum(quarantined_rows), 0) from audit.reconciliation"
        ).fetchone()[0]
        listed, missing_rule = conn.execute(
            "select count(*), count(*) filter (where rule is null or raw_record is null)"
            " from audit.rejected_rows"
        ).fetchone()
    assert listed == quarantined
    assert missing_rule == 0


@pytest.mark.parametrize(("child", "column", "parent"), FOREIGN_KEYS)
def test_no_foreign_key_orphans(built_db, child, column, parent):
    with built_db.connect() as conn:
        orphans = conn.execute(
            f"select count(*) from public.{child} as c"
            f" left join public.{parent} as p on p.id = c.{column}"
            f" where c.{column} is not null and p.id is null"
        ).fetchone()[0]
    assert orphans == 0


def _constraints(db, contype: str) -> set[str]:
    with db.connect() as conn:
        rows = conn.execute(
            "select pg_get_constraintdef(oid), conrelid::regclass::text, conname"
            " from pg_constraint where connamespace = 'public'::regnamespace and contype = %s",
            (contype,),
        ).fetchall()
    return {f"{table}.{name}: {definition}" for definition, table, name in rows}


def test_every_foreign_key_is_a_constraint_under_its_readable_name(built_db):
    # keys are added after a mart's rows are in (macros/adapters/create_table_as.sql): they must
    # still all be there, named as Postgres names a declared key, not after dbt's temporary table
    expected = {
        f"{child}.{child}_{column}_fkey: FOREIGN KEY ({column}) REFERENCES {parent}(id)"
        for child, column, parent in FOREIGN_KEYS
    }
    assert expected <= _constraints(built_db, "f")


def test_every_mart_has_its_primary_key(built_db):
    expected = {f"{table}.{table}_pkey: PRIMARY KEY (id)" for table in MARTS}
    assert expected <= _constraints(built_db, "p")


def test_a_key_added_after_the_rows_still_fails_the_model_whose_rows_break_it(built_db):
    """The rows go in before the keys: a mention resolved to a company that does not exist must
    still stop the mart (and only in its own schema: the marts are built into a scratch one)."""
    from loaders import dbt_runner

    schema = "amx_key_check"
    resolution = "intermediate.int_company_resolution"
    vars_ = {"marts_schema": schema}
    dbt_runner.run_dbt(built_db, ["run", "--select", "+companies,path:models/marts"], vars_=vars_)
    with built_db.connect(autocommit=True) as conn:
        conn.execute(f"create table {resolution}__kept as table {resolution}")
        conn.execute(
            f"update {resolution} set company_id = gen_random_uuid()"
            f" where mention_key = (select min(mention_key) from {resolution})"
        )
    try:
        with pytest.raises(dbt_runner.BuildError, match="violates foreign key constraint"):
            dbt_runner.run_dbt(built_db, ["run", "--select", "company_source_records"], vars_=vars_)
        with built_db.connect() as conn:
            assert conn.execute(
                "select to_regclass(%s)", (f"{schema}.company_source_records",)
            ).fetchone() == (None,)
    finally:
        with built_db.connect(autocommit=True) as conn:
            conn.execute(f"truncate {resolution}")
            conn.execute(f"insert into {resolution} select * from {resolution}__kept")
            conn.execute(f"drop table {resolution}__kept")
            conn.execute(f"drop schema if exists {schema} cascade")


def test_every_company_mention_has_one_crosswalk_row(built_db):
    with built_db.connect() as conn:
        mentions = conn.execute("select count(*) from intermediate.int_company_mentions").fetchone()
        records, distinct_keys = conn.execute(
            "select count(*), count(distinct mention_key) from public.company_source_records"
        ).fetchone()
    assert records == distinct_keys == mentions[0]


def test_anon_can_read_but_not_insert(built_db):
    with built_db.connect() as conn:
        conn.execute("set role anon")
        assert conn.execute("select count(*) from public.companies").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "insert into public.companies (name, company_type, source_count, company_key,"
                " source_file, source_row) values ('RLS probe', 'other', 0, 'rls:anon', 'test', 0)"
            )
        conn.rollback()


def test_authenticated_can_insert(built_db):
    with built_db.connect() as conn:
        conn.execute("set role authenticated")
        conn.execute(
            "insert into public.companies (name, company_type, source_count, company_key,"
            " source_file, source_row) values ('RLS probe', 'other', 0, 'rls:auth', 'test', 0)"
        )
        found = conn.execute(
            "select count(*) from public.companies where company_key = 'rls:auth'"
        ).fetchone()[0]
        conn.rollback()  # leave the production tables as dbt built them
    assert found == 1


def test_hand_run_dbt_builds_the_dev_schema_with_the_same_ids_and_leaves_public(built_db):
    """`dbt build` without amx (the README's "Running dbt yourself") goes to `amx_dev`."""
    from loaders import dbt_runner
    from tests.test_publish import production_snapshot

    with built_db.connect() as conn:
        before = _snapshot(conn)
    live = production_snapshot(built_db)
    dbt_runner.run_dbt(built_db, ["build"])
    with built_db.connect() as conn:
        rebuilt = _snapshot(conn, "amx_dev")
    assert production_snapshot(built_db) == live  # public untouched, company_summaries kept
    assert rebuilt == before  # same ids and counts in the rebuild


def test_dbt_refuses_to_build_a_mart_into_public(built_db):
    from loaders import dbt_runner
    from tests.test_publish import production_snapshot

    live = production_snapshot(built_db)
    with pytest.raises(dbt_runner.BuildError, match="live schema"):
        dbt_runner.run_dbt(
            built_db, ["build", "--select", "companies"], vars_={"marts_schema": "public"}
        )
    assert production_snapshot(built_db) == live


def test_company_resolution_needs_the_linkage_clusters_or_says_name_only(database):
    """No silent fallback: without linkage.clusters the build stops and says what to do; name-only
    resolution happens only when asked for."""
    from loaders import dbt_runner, pipeline

    db = scratch_database(database, "amx_no_linkage")
    pipeline.run(db, SAMPLE, stages=("load", "mentions"), write_report=False)
    with db.connect(autocommit=True) as conn:
        conn.execute("drop table if exists linkage.clusters")
    select = ["build", "--select", "int_company_resolution", "--exclude-resource-type", "unit_test"]
    with pytest.raises(dbt_runner.BuildError, match=r"linkage\.clusters does not exist"):
        dbt_runner.run_dbt(db, select, vars_=pipeline.SHADOW_VARS)
    dbt_runner.run_dbt(db, select, vars_={**pipeline.SHADOW_VARS, "company_resolution": "name"})
    with db.connect() as conn:
        methods = conn.execute(
            "select distinct resolution_method from intermediate.int_company_resolution"
        ).fetchall()
    assert methods == [("normalised_name",)]
