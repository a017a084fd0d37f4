"""Safe publish: shadow build, atomic swap under a concurrent reader, rollback, the lock.

The module builds once more than the session does (~10 s): a second state of production that
differs from the first by one company (two linkage clusters merged), published while a reader
thread counts companies in a loop, so a mixed state would show as different counts.
"""

from __future__ import annotations

import subprocess
import threading
import time

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from loaders import dbt_runner, pipeline, publish
from loaders.publish.backups import _tool_major
from tests.conftest import SAMPLE


def production_snapshot(db) -> dict[str, str]:
    """Content hash of every live mart table and view, plus the recorded live run id."""
    snap: dict[str, str] = {}
    with db.connect() as conn:
        for rel in publish.relations(conn, publish.LIVE):
            snap[rel.name] = conn.execute(
                sql.SQL(
                    "select md5(coalesce(string_agg(t::text, E'\\n' order by t::text), ''))"
                    " from {} as t"
                ).format(sql.Identifier(publish.LIVE, rel.name))
            ).fetchone()[0]
    snap["_live_run_id"] = str(publish.status(db)["live"]["run_id"])
    return snap


def _company_counts(conn: psycopg.Connection) -> tuple[int, int, int]:
    """Three reads in one transaction: companies, companies named by the crosswalk, the view."""
    return (
        conn.execute("select count(*) from public.companies").fetchone()[0],
        conn.execute(
            "select count(distinct company_id) from public.company_source_records"
        ).fetchone()[0],
        conn.execute("select count(*) from public.company_summaries").fetchone()[0],
    )


def _two_singleton_clusters(conn: psycopg.Connection) -> tuple[str, str]:
    rows = conn.execute(
        "select cluster_id from linkage.clusters group by cluster_id having count(*) = 1"
        " order by cluster_id limit 2"
    ).fetchall()
    return rows[0][0], rows[1][0]


def test_failing_error_test_stops_publish_and_production_is_unchanged(built_db):
    before = production_snapshot(built_db)
    with built_db.connect() as conn:  # a mention in two clusters: a unique test (error) fails
        conn.execute("alter table linkage.clusters drop constraint clusters_pkey")
        conn.execute(
            "insert into linkage.clusters (mention_key, feature_id, cluster_id, run_id)"
            " select mention_key, feature_id, cluster_id || ':injected', 'injected'"
            " from linkage.clusters order by mention_key limit 1"
        )
    try:
        with pytest.raises(dbt_runner.BuildError, match="unique"):
            pipeline.run(built_db, SAMPLE, stages=("build", "publish"))
        assert production_snapshot(built_db) == before
        with built_db.connect() as conn:
            events = conn.execute(
                "select event, stage from audit.migration_log"
                " where run_id = (select run_id from audit.migration_log"
                "  where event = 'run_started' order by id desc limit 1) order by id"
            ).fetchall()
        assert ("tests", "build") in events and ("failed", "build") in events
        assert "published" not in {e for e, _ in events}
    finally:
        with built_db.connect() as conn:
            conn.execute("delete from linkage.clusters where run_id = 'injected'")
            conn.execute("alter table linkage.clusters add primary key (mention_key)")


@pytest.fixture(scope="module")
def swapped(built_db):
    """State A live; publish state B (one company fewer) while a reader loops; A is previous."""
    a_snapshot = production_snapshot(built_db)
    with built_db.connect() as conn:
        a_counts = _company_counts(conn)
        keep, merge = _two_singleton_clusters(conn)
        moved = conn.execute(
            "select mention_key from linkage.clusters where cluster_id = %s", (merge,)
        ).fetchone()[0]
        conn.execute(
            "update linkage.clusters set cluster_id = %s where cluster_id = %s", (keep, merge)
        )
        # Supabase's role: the marts are built in the shadow schema and moved, so Supabase's
        # default privileges never reach them; the build grants it explicitly
        conn.execute(
            "do $$ begin if not exists (select 1 from pg_roles where rolname = 'service_role')"
            " then create role service_role nologin; end if; end $$"
        )
    seen: list[tuple[int, int, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read_loop() -> None:
        try:
            with built_db.connect() as conn:
                while not stop.is_set():
                    with conn.transaction():
                        seen.append(_company_counts(conn))
        except BaseException as exc:  # surfaced by the test, not lost in the thread
            errors.append(exc)

    reader = threading.Thread(target=read_loop, daemon=True)
    reader.start()
    try:
        summary = pipeline.run(built_db, SAMPLE, stages=("build", "publish"))
        time.sleep(0.3)  # a few reads of the new state
    finally:
        stop.set()
        reader.join(timeout=30)
        with built_db.connect() as conn:  # linkage as it was, so later tests see state A's
            conn.execute(
                "update linkage.clusters set cluster_id = %s where mention_key = %s",
                (merge, moved),
            )
    return {
        "a_snapshot": a_snapshot,
        "a_counts": a_counts,
        "summary": summary,
        "seen": seen,
        "errors": errors,
    }


def test_readers_see_old_or_new_state_never_a_mix(swapped):
    a = swapped["a_counts"]
    assert a[0] == a[1] == a[2]
    assert not swapped["errors"]
    states = set(swapped["seen"])
    assert states == {a, (a[0] - 1,) * 3}, states  # both states seen, nothing in between


def test_views_read_the_swapped_tables(swapped, built_db):
    with built_db.connect() as conn:
        companies, _, summaries = _company_counts(conn)
        outside = conn.execute(
            "select distinct v.relname, t.relnamespace::regnamespace::text from pg_rewrite r"
            " join pg_class v on v.oid = r.ev_class"
            " join pg_depend d on d.objid = r.oid and d.classid = 'pg_rewrite'::regclass"
            " join pg_class t on t.oid = d.refobjid"
            " where v.relnamespace = 'public'::regnamespace and v.relkind = 'v'"
            " and t.oid <> v.oid and t.relnamespace <> 'public'::regnamespace"
            " and t.relnamespace::regnamespace::text like 'public%%'"
        ).fetchall()
    assert summaries == companies
    assert outside == []  # no live view still reads a table of public__previous


def test_grants_rls_indexes_and_keys_hold_after_swap(swapped, built_db):
    with built_db.connect() as conn:
        rls = dict(
            conn.execute(
                "select relname, relrowsecurity from pg_class"
                " where relnamespace = 'public'::regnamespace and relkind = 'r'"
            ).fetchall()
        )
        policies = conn.execute(
            "select count(*) from pg_policies where schemaname = 'public'"
        ).fetchone()[0]
        trgm = conn.execute("select to_regclass('public.companies_name_trgm')").fetchone()[0]
        fks = conn.execute(
            "select count(*) from pg_constraint where contype = 'f'"
            " and connamespace = 'public'::regnamespace"
        ).fetchone()[0]
        service_role = conn.execute(
            "select bool_and(has_table_privilege('service_role', c.oid,"
            " 'select, insert, update, delete')) from pg_class c"
            " where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'"
        ).fetchone()[0]
        anon_writes = conn.execute(
            "select array_agg(c.relname order by c.relname) from pg_class c"
            " where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'v')"
            " and has_table_privilege('anon', c.oid, 'insert, update, delete, truncate')"
        ).fetchone()[0]
        conn.execute("set role anon")
        anon_reads = conn.execute("select count(*) from public.company_summaries").fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "insert into public.companies (name, company_type, source_count, company_key,"
                " source_file, source_row) values ('probe', 'other', 0, 'probe', 'test', 0)"
            )
        conn.rollback()
    assert rls and all(rls.values()), rls
    assert policies == 2 * len(rls)
    assert trgm is not None
    assert fks >= 10  # tests/test_dbt_build.py FOREIGN_KEYS
    assert anon_reads > 0
    assert anon_writes is None  # anon reads only: RLS is not the only thing stopping it
    assert service_role


def test_published_tables_were_vacuumed_so_indexes_answer_alone(swapped, built_db):
    """Every table of the build went live vacuumed and analysed: its pages all-visible (an
    index-only scan does not visit the table) and its statistics fresh."""
    with built_db.connect() as conn:
        (relations,) = conn.execute(
            "select relations from audit.builds where tests_passed order by at desc limit 1"
        ).fetchone()
        tables = [r["name"] for r in relations if r["kind"] == "table"]
        rows = conn.execute(
            "select c.relname, s.last_vacuum is not null, s.last_analyze is not null,"
            " c.relallvisible, c.relpages from pg_class c"
            " join pg_stat_user_tables s on s.relid = c.oid"
            " where c.relnamespace = 'public'::regnamespace and c.relname = any(%s)",
            (tables,),
        ).fetchall()
    assert len(rows) == len(tables) > 10
    stale = [r for r in rows if not (r[1] and r[2] and r[3] == r[4])]
    assert stale == [], "(table, vacuumed, analysed, all-visible pages, pages)"


def test_status_names_live_and_previous_runs(swapped, built_db):
    info = publish.status(built_db)
    assert info["live"]["run_id"] == swapped["summary"].run_id
    assert info["previous"]["run_id"] == swapped["a_snapshot"]["_live_run_id"]
    assert info["live"]["row_counts"]["companies"] == swapped["a_counts"][0] - 1
    assert info["previous"]["row_counts"]["companies"] == swapped["a_counts"][0]


def test_health_log_compares_each_publish_with_the_run_it_replaced(swapped, built_db):
    with built_db.connect() as conn:
        row = conn.execute(
            "select value, previous_value from audit.data_health_log"
            " where run_id = %s and metric = 'total_companies'",
            (swapped["summary"].run_id,),
        ).fetchone()
    a = swapped["a_counts"][0]
    assert (int(row[0]), int(row[1])) == (a - 1, a)


def test_rollback_restores_the_exact_previous_contents(swapped, built_db):
    b_run = swapped["summary"].run_id
    publish.rollback(built_db)
    assert production_snapshot(built_db) == swapped["a_snapshot"]
    info = publish.status(built_db)
    assert info["previous"]["run_id"] == b_run
    with built_db.connect() as conn:
        assert (
            conn.execute(
                "select event from audit.migration_log order by id desc limit 1"
            ).fetchone()[0]
            == "rolled_back"
        )


def test_backup_and_restore_round_trip(swapped, built_db, tmp_path, monkeypatch):
    before = production_snapshot(built_db)
    calls: list[list[str]] = []
    real_run = subprocess.run

    def recording_run(args, *a, **kw):  # the real programs run; their argv is kept
        calls.append([str(x) for x in args])
        return real_run(args, *a, **kw)

    monkeypatch.setattr(subprocess, "run", recording_run)
    path = publish.backup(built_db, tmp_path)
    with built_db.connect() as conn:
        conn.execute("delete from public.company_categories")
        major = conn.info.server_version // 10000
    publish.restore(built_db, path)
    assert production_snapshot(built_db) == before
    with built_db.connect() as conn:  # through the swap: the damaged marts are the previous
        assert (
            conn.execute("select count(*) from public__previous.company_categories").fetchone()[0]
            == 0
        )
    programs = [c for c in calls if c[0].rsplit("/", 1)[-1] in ("pg_dump", "pg_restore", "psql")]
    assert {c[0].rsplit("/", 1)[-1] for c in programs} == {"pg_dump", "pg_restore", "psql"}
    for argv in programs:  # the server's own version, and no secret where `ps` shows it
        assert _tool_major(argv[0]) == major
        assert not any(built_db.password and built_db.password in a for a in argv), argv
        assert not any("postgresql://" in a or "password" in a.lower() for a in argv), argv


def test_tests_refuse_a_database_that_has_been_published_to(swapped, built_db):
    from tests.conftest import refuse_if_published

    with pytest.raises(pytest.exit.Exception, match="has been published to"):
        refuse_if_published(built_db)


def test_a_health_metric_dropping_over_5_pct_warns(swapped, built_db):
    live = publish.status(built_db)["live"]["run_id"]
    where = " where run_id = %s and metric = 'total_companies'"
    with built_db.connect() as conn:
        value = conn.execute("select value from audit.data_health_log" + where, (live,)).fetchone()
        conn.execute("update audit.data_health_log set value = value * 1.1" + where, (live,))
    try:  # the live marts measured against a log that says they were 10% bigger
        result = dbt_runner.run_dbt(
            built_db, ["build", "--select", "data_health"], vars_={"marts_schema": publish.LIVE}
        )
    finally:
        with built_db.connect() as conn:
            conn.execute("update audit.data_health_log set value = %s" + where, (value[0], live))
    assert any(w.startswith("data_health_no_drop_over_5_pct") for w in result.warnings)


def test_a_second_run_is_refused_while_one_holds_the_lock(database):
    with (
        publish.production_lock(database, "amx run test-holder"),
        pytest.raises(publish.LockedError, match="amx run test-holder"),
    ):
        pipeline.run(database, SAMPLE, stages=("load",))


# --- what publish trusts, moves and leaves alone (cheap shadows: a backup restored into it) ---


@pytest.fixture
def backup_file(swapped, built_db, tmp_path):
    return publish.backup(built_db, tmp_path)


def test_publish_refuses_an_unrecorded_changed_or_unsafe_shadow(built_db, backup_file):
    before = production_snapshot(built_db)
    names = publish.load_backup_into_shadow(built_db, backup_file)
    with pytest.raises(publish.PublishError, match="no build whose tests passed"):
        publish.publish(built_db, "never-built")
    publish.record_build(built_db, "recorded-build", expected=names)
    with built_db.connect() as conn:  # a view lost after the tests ran
        conn.execute("drop view public__shadow.pricing_benchmarks")
    with pytest.raises(publish.PublishError, match="not what run recorded-build built"):
        publish.publish(built_db, "recorded-build")

    publish.load_backup_into_shadow(built_db, backup_file)
    publish.record_build(built_db, "recorded-build", expected=names)
    with built_db.connect() as conn:  # access changed after the tests ran
        conn.execute("drop policy app_read on public__shadow.equipment")
    with pytest.raises(publish.PublishError, match="changed since run recorded-build"):
        publish.publish(built_db, "recorded-build")

    publish.load_backup_into_shadow(built_db, backup_file)
    with built_db.connect() as conn:  # a build without its access rules is never recorded
        conn.execute("alter table public__shadow.companies disable row level security")
        conn.execute("grant insert on public__shadow.investments to anon")
        conn.execute("drop view public__shadow.company_summaries")
    with pytest.raises(publish.PublishError) as refused:
        publish.record_build(built_db, "unsafe-build", expected=names)
    for problem in (
        "missing company_summaries",
        "companies: row-level security is off",
        "investments: anon holds INSERT",
    ):
        assert problem in str(refused.value)
    assert production_snapshot(built_db) == before


def test_a_publish_that_would_shrink_production_needs_the_flag(built_db, backup_file):
    before = production_snapshot(built_db)
    names = publish.load_backup_into_shadow(built_db, backup_file)
    with built_db.connect() as conn:
        conn.execute("delete from public__shadow.market_data")
    publish.record_build(built_db, "shrunk-build", expected=names)
    with pytest.raises(publish.ShrinkError, match=r"market_data \d[\d,]* -> 0 rows"):
        publish.publish(built_db, "shrunk-build")
    assert production_snapshot(built_db) == before
    publish.publish(built_db, "shrunk-build", allow_shrink=True)
    with built_db.connect() as conn:
        assert conn.execute("select count(*) from public.market_data").fetchone()[0] == 0
    publish.rollback(built_db)
    assert production_snapshot(built_db) == before


def test_a_publish_after_a_sheet_shrank_needs_the_flag(built_db, backup_file):
    """The sample delivered over a full export: the marts may look alike, the sheets do not."""
    before = production_snapshot(built_db)
    live_run = publish.status(built_db)["live"]["run_id"]
    names = publish.load_backup_into_shadow(built_db, backup_file)
    publish.record_build(built_db, "sheet-shrunk-build", expected=names)
    with built_db.connect() as conn:  # as if the live run had read a delivery 10x this one
        saved = conn.execute(
            "select sheet_rows from audit.builds where run_id = %s", (live_run,)
        ).fetchone()
        conn.execute(
            "insert into audit.builds (run_id, tests_passed, relations, access, sheet_rows)"
            " values (%(run)s, true, '[]', '{}', %(rows)s) on conflict (run_id) do update"
            " set sheet_rows = excluded.sheet_rows",
            {"run": live_run, "rows": '{"M_A.json": 1000000}'},
        )
    try:
        with pytest.raises(publish.ShrinkError, match=r"sheet M_A\.json 1,000,000 -> \d"):
            publish.publish(built_db, "sheet-shrunk-build")
        assert production_snapshot(built_db) == before
    finally:
        with built_db.connect() as conn:
            if saved is None:
                conn.execute("delete from audit.builds where run_id = %s", (live_run,))
            else:
                conn.execute(
                    "update audit.builds set sheet_rows = %s where run_id = %s",
                    (Jsonb(saved[0]), live_run),
                )


def test_a_table_in_public_with_a_marts_name_that_amx_did_not_create_stays(built_db, backup_file):
    before = production_snapshot(built_db)
    with built_db.connect() as conn:  # as if the app had made its own public.market_forecasts
        conn.execute(
            "delete from audit.owned_relations"
            " where relation_oid = 'public.market_forecasts'::regclass"
        )
    try:
        with pytest.raises(publish.PublishError, match=r"public\.market_forecasts: not created"):
            publish.restore(built_db, backup_file)
        assert production_snapshot(built_db) == before
    finally:
        with built_db.connect() as conn:
            conn.execute(
                "insert into audit.owned_relations (relation_oid, name, kind, run_id)"
                " values ('public.market_forecasts'::regclass, 'market_forecasts', 'table', 'x')"
            )


def _app_object_state(db) -> dict:
    with db.connect() as conn:
        return {
            "rows": conn.execute("select count(*) from public.app_company_names").fetchone()[0],
            "view_reads": conn.execute(
                "select array_agg(distinct t.relnamespace::regnamespace::text) from pg_rewrite r"
                " join pg_depend d on d.objid = r.oid and d.classid = 'pg_rewrite'::regclass"
                " join pg_class t on t.oid = d.refobjid and t.oid <> r.ev_class"
                " where r.ev_class = 'public.app_company_names'::regclass"
            ).fetchone()[0],
            "key_points_at": conn.execute(
                "select confrelid::regclass::text from pg_constraint"
                " where conrelid = 'public.app_favourites'::regclass and contype = 'f'"
            ).fetchone()[0],
            "anon_reads_view": conn.execute(
                "select has_table_privilege('anon', 'public.app_company_names', 'select')"
            ).fetchone()[0],
            "options": conn.execute(
                "select reloptions from pg_class where oid = 'public.app_company_names'::regclass"
            ).fetchone()[0],
        }


def test_app_tables_views_and_foreign_keys_over_the_marts_survive_publish_and_rollback(
    built_db, backup_file
):
    with built_db.connect() as conn:
        conn.execute(
            "create table public.app_favourites (user_name text not null,"
            " company_id uuid not null references public.companies (id))"
        )
        conn.execute(
            "insert into public.app_favourites"
            " select 'ann', id from public.companies order by id limit 3"
        )
        conn.execute(
            "create view public.app_company_names with (security_invoker = true) as"
            " select c.name, f.user_name from public.companies c"
            " join public.app_favourites f on f.company_id = c.id"
        )
        conn.execute("grant select on public.app_company_names to anon")
    expected = {
        "rows": 3,
        "view_reads": ["public"],
        "key_points_at": "companies",
        "anon_reads_view": True,
        "options": ["security_invoker=true"],
    }
    try:
        # restore (a swap), rollback (a swap back), restore again: this one drops the previous
        # marts, which would fail if anything of the app still depended on them
        for step in (publish.restore, lambda db, _path: publish.rollback(db), publish.restore):
            step(built_db, backup_file)
            assert _app_object_state(built_db) == expected
    finally:
        with built_db.connect() as conn:
            conn.execute("drop view if exists public.app_company_names")
            conn.execute("drop table if exists public.app_favourites")


def test_rollback_applies_the_current_access_rules_to_the_marts_it_brings_back(
    built_db, backup_file
):
    publish.restore(built_db, backup_file)  # previous: the same marts, then given older rules
    with built_db.connect() as conn:
        conn.execute("grant insert, update on public__previous.companies to anon")
        conn.execute("drop policy app_read on public__previous.equipment")
    publish.rollback(built_db)
    with built_db.connect() as conn:
        anon_insert = conn.execute(
            "select has_table_privilege('anon', 'public.companies', 'insert')"
        ).fetchone()[0]
        policies = {
            r[0]
            for r in conn.execute(
                "select policyname from pg_policies where schemaname = 'public'"
                " and tablename = 'equipment'"
            )
        }
    assert anon_insert is False
    assert policies == {"app_read", "app_insert_authenticated"}
