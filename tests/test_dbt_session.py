"""One dbt parse per run, and reference seeds loaded only when they changed.

Uses ``built_db`` (the sample through every stage), then runs the mentions part of the build again
with a fresh session and inspects what it loaded.
"""

from __future__ import annotations

from loaders import dbt_runner, pipeline


def _loaded_at(db, seed: str):
    with db.connect() as conn:
        row = conn.execute("select loaded_at from audit.seed_loads where seed = %s", (seed,))
        return row.fetchone()[0]


def _build_mentions(db) -> dbt_runner.DbtSession:
    session = dbt_runner.DbtSession(db, pipeline.SHADOW_VARS)
    session.build(select=[pipeline.MENTIONS_SELECTOR])
    return session


def test_a_run_records_every_seed_it_loaded(built_db):
    assert dbt_runner.current_seeds(built_db, dbt_runner.seed_fingerprints()) == set(
        dbt_runner.seed_fingerprints()
    )


def test_unchanged_seeds_are_not_reloaded(built_db):
    before = _loaded_at(built_db, "place_names")
    session = _build_mentions(built_db)
    assert "place_names" in session.fresh_seeds
    assert _loaded_at(built_db, "place_names") == before


def test_a_changed_seed_is_reloaded(built_db):
    with built_db.connect() as conn:
        conn.execute("update audit.seed_loads set fingerprint = 'old' where seed = 'countries'")
        conn.execute("delete from reference.countries where country_code = 'DE'")
    before = _loaded_at(built_db, "countries")
    _build_mentions(built_db)
    assert _loaded_at(built_db, "countries") > before
    with built_db.connect() as conn:
        row = conn.execute("select count(*) from reference.countries where country_code = 'DE'")
        assert row.fetchone()[0] == 1


def test_a_dropped_seed_table_is_reloaded(built_db):
    with built_db.connect() as conn:
        conn.execute("drop table reference.country_aliases")  # no view reads a seed directly
    session = dbt_runner.DbtSession(built_db, pipeline.SHADOW_VARS)
    assert "country_aliases" not in session.fresh_seeds
    session.build(select=[pipeline.MENTIONS_SELECTOR])
    with built_db.connect() as conn:
        assert conn.execute("select count(*) from reference.country_aliases").fetchone()[0] > 0


def test_a_session_parses_once(built_db):
    session = dbt_runner.DbtSession(built_db, pipeline.SHADOW_VARS)
    first = session.parse()
    session.build(select=["stg_vendor__directory"])
    assert session.parse() is first


def test_the_sql_rules_unit_tests_pass(built_db):
    """``amx run`` leaves dbt's unit tests out; they run here, on every ``make test``."""
    result = dbt_runner.run_dbt(built_db, ["test", "--select", "test_type:unit"])
    assert result.status_counts.get("pass", 0) >= 16  # one per cleaning rule
    assert not set(result.status_counts) - {"pass", "success"}  # success: the on-run-start hook
