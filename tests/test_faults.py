"""Killing ``amx run`` (SIGKILL, a real subprocess) leaves production as it was; a rerun converges.

Each kill lands at a known place, inside the stage's own transaction where it has one:

- load: the test holds a share lock on the last raw table, so the subprocess waits inside the
  single transaction that refills ``raw`` (the other ten tables already truncated and refilled);
- link: same with ``linkage.review_queue``, inside the transaction that replaces ``linkage.*``;
- build: once dbt has created tables in the shadow schema (mid-build);
- mentions: the test holds a share lock on ``intermediate.int_company_mentions``, so dbt waits
  when it swaps the rebuilt model in;
- publish, rollback, restore: ``AMX_TEST_PAUSE_AT=<action>-commit`` pauses inside the swap
  transaction after every table moved, before the commit (see ``loaders/publish/``).

A killed client's transaction is rolled back by Postgres; its advisory lock goes with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from psycopg import sql

from loaders import pipeline, publish
from loaders.settings import PROJECT_ROOT
from loaders.vendor_files import read_delivery
from tests.conftest import SAMPLE
from tests.test_publish import production_snapshot

TIMEOUT = 60


def _start(stages: str, pause_at: str | None = None) -> subprocess.Popen:
    return _start_cli(["run", "--source", str(SAMPLE), "--stages", stages], pause_at)


def _start_cli(args: list[str], pause_at: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("AMX_TEST_PAUSE_AT", None)
    if pause_at:
        env["AMX_TEST_PAUSE_AT"] = pause_at
    return subprocess.Popen(
        [sys.executable, "-m", "loaders.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(condition, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"amx run ended before {what}:\n{proc.stdout.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _waiting_on(db, relation: str) -> bool:
    with db.connect() as conn:
        return conn.execute(
            "select exists (select 1 from pg_locks where not granted and relation = %s::regclass)",
            (relation,),
        ).fetchone()[0]


def _lock_is_free(db) -> bool:
    with db.connect() as conn:
        got = conn.execute("select pg_try_advisory_lock(%s)", (publish.LOCK_KEY,)).fetchone()[0]
        if got:
            conn.execute("select pg_advisory_unlock(%s)", (publish.LOCK_KEY,))
        return got


def _wait_until_lock_free(db) -> None:
    """The killed client's backend notices the closed socket and ends (rolling back)."""
    deadline = time.monotonic() + 30
    while not _lock_is_free(db):
        assert time.monotonic() < deadline, "the killed run's session never ended"
        time.sleep(0.05)


def _table_state(db, schema: str, tables: list[str], key: str) -> dict[str, tuple[int, int]]:
    """Rows and distinct keys per table (a duplicated row shows as rows > keys)."""
    with db.connect() as conn:
        return {
            t: conn.execute(
                sql.SQL("select count(*), count(distinct {}) from {}").format(
                    sql.Identifier(key), sql.Identifier(schema, t)
                )
            ).fetchone()
            for t in tables
        }


def _raw_tables() -> list[str]:
    return [f.sheet.table for f in read_delivery(SAMPLE).files]


def test_kill_during_load_leaves_raw_and_production_then_rerun_converges(built_db):
    tables = _raw_tables()
    production = production_snapshot(built_db)
    raw_before = _table_state(built_db, "raw", tables, "_source_row")
    with built_db.connect() as conn:
        loads_before = conn.execute("select count(*) from audit.loads").fetchone()[0]
    with built_db.connect() as conn:  # one open transaction holding only this lock
        conn.execute(sql.SQL("lock table {} in access share mode").format(
            sql.Identifier("raw", tables[-1])))  # fmt: skip
        proc = _start("load")
        _wait_for(lambda: _waiting_on(built_db, f"raw.{tables[-1]}"), proc, "the raw publish")
        _kill(proc)
    _wait_until_lock_free(built_db)
    assert _table_state(built_db, "raw", tables, "_source_row") == raw_before
    with built_db.connect() as conn:
        assert conn.execute("select count(*) from audit.loads").fetchone()[0] == loads_before
    assert production_snapshot(built_db) == production

    pipeline.run(built_db, SAMPLE, stages=("load",))
    after = _table_state(built_db, "raw", tables, "_source_row")
    assert after == raw_before  # same rows, none twice
    assert all(rows == keys for rows, keys in after.values())


def test_kill_during_link_leaves_linkage_and_production_then_rerun_converges(built_db):
    production = production_snapshot(built_db)
    clusters = _table_state(built_db, "linkage", ["clusters"], "mention_key")
    with built_db.connect() as conn:
        runs_before = conn.execute("select count(*) from linkage.runs").fetchone()[0]
        ids_before = dict(conn.execute("select mention_key, cluster_id from linkage.clusters"))
    with built_db.connect() as conn:  # one open transaction holding only this lock
        conn.execute("lock table linkage.review_queue in access share mode")
        proc = _start("link")
        _wait_for(lambda: _waiting_on(built_db, "linkage.review_queue"), proc, "the linkage write")
        _kill(proc)
    _wait_until_lock_free(built_db)
    with built_db.connect() as conn:
        assert conn.execute("select count(*) from linkage.runs").fetchone()[0] == runs_before
    assert _table_state(built_db, "linkage", ["clusters"], "mention_key") == clusters
    assert production_snapshot(built_db) == production

    pipeline.run(built_db, SAMPLE, stages=("link",))
    with built_db.connect() as conn:
        assert dict(conn.execute("select mention_key, cluster_id from linkage.clusters")) == (
            ids_before
        )


def _shadow_tables(db) -> int:
    with db.connect() as conn:
        return conn.execute(
            "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = %s and c.relkind = 'r'",
            (publish.SHADOW,),
        ).fetchone()[0]


def test_kill_during_build_leaves_production(built_db):
    production = production_snapshot(built_db)
    publish.prepare_shadow(built_db)  # so the count below sees only this build's tables
    proc = _start("build,publish")
    _wait_for(lambda: _shadow_tables(built_db) >= 1, proc, "marts in the shadow schema")
    _kill(proc)
    _wait_until_lock_free(built_db)
    assert production_snapshot(built_db) == production


def _kill_when_paused(proc: subprocess.Popen, point: str) -> None:
    lines: list[str] = []
    deadline = time.monotonic() + TIMEOUT
    for line in proc.stdout:  # the command runs up to the pause point, then sleeps there
        lines.append(line)
        if f"paused at {point}" in line or time.monotonic() > deadline:
            break
    assert any(f"paused at {point}" in line for line in lines), "".join(lines[-30:])
    _kill(proc)


def test_kill_during_mentions_leaves_production_then_rerun_converges(built_db):
    production = production_snapshot(built_db)
    with built_db.connect() as conn:
        mentions = conn.execute("select count(*) from intermediate.int_company_mentions")
        mentions = mentions.fetchone()[0]
    with built_db.connect() as conn:  # dbt swaps the model in: it waits for this lock
        conn.execute("lock table intermediate.int_company_mentions in access share mode")
        proc = _start("mentions")
        _wait_for(
            lambda: _waiting_on(built_db, "intermediate.int_company_mentions"),
            proc,
            "dbt replacing the mentions",
        )
        _kill(proc)
    _wait_until_lock_free(built_db)
    assert production_snapshot(built_db) == production
    pipeline.run(built_db, SAMPLE, stages=("mentions",))
    with built_db.connect() as conn:
        after = conn.execute("select count(*) from intermediate.int_company_mentions")
        assert after.fetchone()[0] == mentions
    assert production_snapshot(built_db) == production


def test_kill_during_publish_leaves_production_then_rerun_converges(built_db):
    production = production_snapshot(built_db)
    proc = _start("build,publish", pause_at="publish-commit")
    _kill_when_paused(proc, "publish-commit")
    _wait_until_lock_free(built_db)
    assert production_snapshot(built_db) == production

    summary = pipeline.run(built_db, SAMPLE, stages=("build", "publish"))
    after = production_snapshot(built_db)
    assert after.pop("_live_run_id") == summary.run_id
    production.pop("_live_run_id")
    assert after == production  # same inputs, same production: nothing twice, nothing lost


def test_kill_during_rollback_leaves_production_then_rerun_converges(built_db):
    if not publish.status(built_db)["previous"]["run_id"]:
        pipeline.run(built_db, SAMPLE, stages=("build", "publish"))
    state = publish.status(built_db)
    live_run, previous_run = state["live"]["run_id"], state["previous"]["run_id"]
    production = production_snapshot(built_db)
    proc = _start_cli(["rollback"], pause_at="rollback-commit")
    _kill_when_paused(proc, "rollback-commit")
    _wait_until_lock_free(built_db)
    assert production_snapshot(built_db) == production

    publish.rollback(built_db)  # the rerun does what the killed one would have done
    state = publish.status(built_db)
    assert (state["live"]["run_id"], state["previous"]["run_id"]) == (previous_run, live_run)
    publish.rollback(built_db)  # and a second rollback undoes it
    assert production_snapshot(built_db) == production


def test_kill_during_restore_leaves_production_then_rerun_converges(built_db, tmp_path):
    production = production_snapshot(built_db)
    dump = publish.backup(built_db, tmp_path)
    proc = _start_cli(["restore", str(dump)], pause_at="restore-commit")
    _kill_when_paused(proc, "restore-commit")
    _wait_until_lock_free(built_db)
    assert production_snapshot(built_db) == production

    publish.restore(built_db, dump)
    assert production_snapshot(built_db) == production  # the backup was of this production
