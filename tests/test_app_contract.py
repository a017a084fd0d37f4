"""The migration on top of a production the app built: the app's contract, nothing lost, idempotent.

A fresh database gets the app's production (``tests/production_fixture.py``: the app's schema
from ``../shared/app-schema-contract.md``, the 218 companies and 720 printers of
``../shared/existing_production/``, the app's own tables, a saved search and views the app owns);
then ``amx run`` (the sample export) is run on top of it, twice, and rolled back and forth.
``AMX_CONTRACT_SOURCE=../shared/vendor_export`` runs the same scenario over the full export.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from loaders import pipeline, publish
from loaders.db import Database
from tests import production_fixture
from tests.app_contract import CONTRACT, FAMILIES, parse
from tests.conftest import SAMPLE

pytestmark = pytest.mark.skipif(
    not CONTRACT.exists() or not production_fixture.DETAILED_CSV.exists(),
    reason="../shared (app contract, existing production) is not beside the clone",
)
CONTRACT_COLUMNS = parse().columns if CONTRACT.exists() else []
APP_OWNED = ("profiles", "user_preferences", "saved_searches")
SOURCE = Path(os.environ.get("AMX_CONTRACT_SOURCE") or SAMPLE)


def fresh_database(server: Database, name: str) -> Database:
    with server.connect(autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    return Database(url=urlunparse(urlparse(server.url)._replace(path=f"/{name}")))


def table_digests(db: Database, relations: list[str]) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row (all columns) of each relation in ``public``."""
    out = {}
    with db.connect() as conn:
        for rel in relations:
            out[rel] = conn.execute(
                f"select count(*), md5(coalesce(string_agg(t::text, E'\\n' order by t::text), ''))"
                f" from public.{rel} as t"
            ).fetchone()
    return out


def app_state(db: Database) -> dict:
    state = table_digests(db, list(APP_OWNED))
    with db.connect() as conn:
        state["saved_search_owners"] = conn.execute(
            "select id, name, email from public.saved_search_owners order by id"
        ).fetchall()
    return state


def audit_of_last_build(db: Database) -> tuple[dict, dict]:
    """Production companies merged into another (id -> survivor); reconciliation per sheet."""
    with db.connect() as conn:
        merged = dict(
            conn.execute("select merged_company_id, into_company_id from audit.production_merges")
        )
        rows = conn.execute(
            "select sheet, raw_rows, published_rows, merged_rows, quarantined_rows,"
            " superseded_rows, is_balanced, is_published_in_marts from audit.reconciliation"
        ).fetchall()
    return merged, {r[0]: r[1:] for r in rows}


@pytest.fixture(scope="module")
def scenario(database):
    db = fresh_database(database, "amx_app_production")
    created = production_fixture.build(db)
    app_before = app_state(db)
    published = parse().relations()
    first = pipeline.run(db, SOURCE, write_report=False)
    after_first = table_digests(db, published)
    app_after_first = app_state(db)
    merged, reconciliation = audit_of_last_build(db)
    second = pipeline.run(db, SOURCE, write_report=False)
    after_second = table_digests(db, published)
    _, reconciliation_second = audit_of_last_build(db)
    publish.rollback(db)
    app_after_rollback = app_state(db)
    after_rollback = table_digests(db, published)
    publish.rollback(db)  # undo: the second run is live again
    return {
        "merged": merged,
        "reconciliation": (reconciliation, reconciliation_second),
        "db": db,
        "created": created,
        "runs": (first, second),
        "app": (app_before, app_after_first, app_after_rollback),
        "digests": (after_first, after_second, after_rollback),
    }


@pytest.mark.parametrize(
    "column", CONTRACT_COLUMNS, ids=[f"{c.relation}.{c.name}" for c in CONTRACT_COLUMNS]
)
def test_published_schema_has_every_contract_column(scenario, column):
    with scenario["db"].connect() as conn:
        found = conn.execute(
            "select data_type, udt_name from information_schema.columns"
            " where table_schema = 'public' and table_name = %s and column_name = %s",
            (column.relation, column.name),
        ).fetchone()
        assert found is not None, f"public.{column.relation} lacks {column.name}"
        data_type, udt = found
        family = f"ARRAY:{udt}" if data_type == "ARRAY" else data_type
        assert family in FAMILIES[column.app_type], (
            f"public.{column.relation}.{column.name} is {data_type}, app expects {column.app_type}"
        )
        if not column.nullable:
            nulls = conn.execute(
                f"select count(*) from public.{column.relation} where {column.name} is null"
            ).fetchone()[0]
            assert nulls == 0, f"public.{column.relation}.{column.name}: {nulls} null(s)"


def test_every_existing_company_and_printer_is_kept_under_its_id(scenario):
    created = scenario["created"]
    assert len(created["companies"]) == 218 and len(created["equipment"]) == 720
    with scenario["db"].connect() as conn:
        kept = {
            r[0]
            for r in conn.execute(
                "select id from public.companies where id = any(%s)", (created["companies"],)
            )
        }
        equipment = dict(
            conn.execute(
                "select id, company_id from public.equipment where id = any(%s)",
                (created["equipment"],),
            )
        )
        reference = conn.execute(
            "select (select count(*) from public.technologies where id = any(%s)),"
            " (select count(*) from public.materials where id = any(%s))",
            (created["technologies"], created["materials"]),
        ).fetchone()
    merged = scenario["merged"]
    missing = [c for c in created["companies"] if c not in kept and c not in merged]
    assert missing == [], f"{len(missing)} existing companies lost"
    # production companies are never merged into each other: every one keeps its own row
    assert merged == {} and len(kept) == 218
    assert len(equipment) == 720, "existing equipment rows lost"
    assert set(equipment.values()) <= kept
    assert reference == (len(created["technologies"]), len(created["materials"]))


def test_rows_the_app_added_are_carried(scenario):
    with scenario["db"].connect() as conn:
        category = conn.execute(
            "select category, is_primary, data_source from public.company_categories where id = %s",
            (production_fixture.APP_CATEGORY,),
        ).fetchone()
        investment = conn.execute(
            "select investment_month, investment_month_number, amount_millions from"
            " public.investments where id = %s",
            (production_fixture.APP_INVESTMENT,),
        ).fetchone()
    assert category == ("Metal printing service", True, "existing production")
    assert investment == ("March", 3, 2.5)


def test_existing_values_kept_where_the_export_knows_nothing(scenario):
    with scenario["db"].connect() as conn:
        row = conn.execute(
            "select count(*) filter (where latitude is not null and state is not null"
            " and description is not null), count(*) filter (where created_at"
            " < timestamptz '2025-03-02 00:00+00'), count(*)"
            " from public.companies where data_source = 'existing production'"
        ).fetchone()
    assert row[2] == 218
    assert row[0] == row[2]  # coordinates, state and description survive
    assert row[1] == row[2]  # created_at is production's own


def test_app_tables_and_their_view_are_untouched(scenario):
    before, after_publish, after_rollback = scenario["app"]
    assert before["saved_search_owners"], "the fixture's saved search is missing"
    assert after_publish == before
    assert after_rollback == before


def test_second_run_changes_nothing_and_rollback_restores_the_same(scenario):
    first, second, after_rollback = scenario["digests"]
    changed = [rel for rel in first if first[rel] != second[rel]]
    assert changed == []
    assert after_rollback == first


def test_reconciliation_covers_production_rows(scenario):
    first, second = scenario["reconciliation"]
    for run in (first, second):
        assert all(r[5] and r[6] for r in run.values()), run
    # first run: what the app built; every row is published under its id (or merged)
    raw, published, merged, quarantined, superseded = first["public.companies"][:5]
    assert raw == 218 and published + merged == 218 and quarantined == superseded == 0
    assert first["public.equipment"][:2] == (720, 720)
    # second run: production is the first run's output, and all of it is published again
    assert second["public.companies"][1] == second["public.companies"][0]
    assert second["public.equipment"][1] == second["public.equipment"][0]


def test_a_view_the_app_owns_over_companies_survives_publish(scenario):
    """Last in the module: it adds the view to the scenario's production and publishes again."""
    db = scenario["db"]
    production_fixture.create_app_view_over_companies(db)
    pipeline.run(db, SOURCE, write_report=False)
    with db.connect() as conn:
        # which companies table the view reads (views bind to a table, not to its name)
        reads = conn.execute(
            "select distinct n.nspname from pg_depend d"
            " join pg_rewrite r on r.oid = d.objid join pg_class v on v.oid = r.ev_class"
            " join pg_class t on t.oid = d.refobjid join pg_namespace n on n.oid = t.relnamespace"
            " where v.relname = 'companies_by_state' and t.relname = 'companies'"
        ).fetchall()
    assert reads == [("public",)], f"the app's view reads companies in {reads}"
    pipeline.run(db, SOURCE, write_report=False)  # the next publish replaces previous
