"""The app's queries (tests/bench/queries.py APP_QUERIES) use the indexes meant for them.

On the built sample database (session fixture ``built_db``) the tables are small enough that the
planner would read them whole whatever indexes exist; with sequential scans priced out
(``enable_seqscan = off``) a query an index can serve uses it, and one no index serves still scans
its table. Where the point is that an index delivers the query's order (the critical query, the
pricing comparison, read in index order up to their LIMIT), bitmap scans and sorts are priced out
too: a plan without a sort is then chosen if one exists. Name search is planned with only bitmap
scans left (a btree that holds `name` could otherwise be read whole and filtered, which is a
sequential scan in disguise). Each test asserts on the plan's nodes:
which index serves which table, and which tables are not read at all. They fail when an index is
dropped, renamed or cannot serve the query (e.g. the critical query ordering by a machine figure
aggregated per call, or an index on the country alone).
"""

from __future__ import annotations

import re

import pytest

from tests.bench.queries import APP_QUERIES, as_psycopg

CRITICAL_INDEX = "companies_country_total_machines_name_id_idx"
CATEGORY_INDEXES = (
    "company_categories_category_company_id_idx",
    "company_categories_company_id_category_idx",
)
TRIGRAM_INDEX = "companies_name_trgm"
PRICING_INDEX = "service_pricing_material_category_process_price_usd_idx"


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _plan(
    db, name: str, *, ordered: bool = False, bitmap: bool = False, params: dict | None = None
) -> list[dict]:
    """The plan nodes of app query ``name`` with ``params``, else parameters drawn from the data;
    ``ordered``: bitmap scans and sorts priced out too (an index must deliver the order);
    ``bitmap``: plain and index-only scans priced out too, so an index is read only through a
    condition it serves (a GIN index has nothing else; a btree holding the column could otherwise
    be read whole)."""
    sql, params_sql = APP_QUERIES[name]
    with db.connect() as conn:
        if params is None:
            cursor = conn.execute(params_sql)
            row = cursor.fetchone()
            assert row is not None, f"{name}: the sample has no row to draw parameters from"
            params = dict(zip([d.name for d in cursor.description], row, strict=True))
        conn.execute("set local enable_seqscan = off")
        if ordered:
            conn.execute("set local enable_bitmapscan = off")
            conn.execute("set local enable_sort = off")
        if bitmap:
            conn.execute("set local enable_indexscan = off")
            conn.execute("set local enable_indexonlyscan = off")
        (plan,) = conn.execute("explain (format json) " + as_psycopg(sql), params).fetchone()[0]
    return list(_nodes(plan["Plan"]))


def _scans(nodes: list[dict], table: str) -> list[tuple[str, str | None]]:
    """(node type, index name) of every scan of ``table``; a bitmap heap scan names the indexes
    of its bitmap index scans."""
    found = []
    for n in nodes:
        if n.get("Relation Name") != table:
            continue
        if n["Node Type"] == "Bitmap Heap Scan":
            found += [
                (n["Node Type"], b["Index Name"])
                for b in _nodes(n)
                if b["Node Type"] == "Bitmap Index Scan"
            ]
        else:
            found.append((n["Node Type"], n.get("Index Name")))
    return found


def _category_indexes(db) -> dict[str, str]:
    """category -> the partial index of company_categories on company_id for that category."""
    predicate = re.compile(r"\(category = '(.*)'::text\)")
    with db.connect() as conn:
        rows = conn.execute(
            """select i.relname, pg_get_expr(x.indpred, x.indrelid)
               from pg_index x join pg_class i on i.oid = x.indexrelid
               where x.indrelid = 'public.company_categories'::regclass
                 and x.indpred is not null"""
        ).fetchall()
    return {predicate.fullmatch(p).group(1).replace("''", "'"): name for name, p in rows}


def _has_trgm(db) -> bool:
    with db.connect() as conn:
        return bool(conn.execute("select 1 from pg_extension where extname = 'pg_trgm'").fetchone())


@pytest.mark.parametrize(
    "name", ["critical: precomputed total_machines", "critical: through company_summaries"]
)
def test_critical_query_reads_companies_of_a_country_in_machine_order(built_db, name):
    nodes = _plan(built_db, name, ordered=True)
    companies = _scans(nodes, "companies")
    assert companies, nodes
    assert all(index == CRITICAL_INDEX for _, index in companies), companies
    # then each company's categories looked up by its id: in the category's own index (see the
    # next test), or one of the two over all categories (both hold company_id)
    probes = CATEGORY_INDEXES + tuple(_category_indexes(built_db).values())
    categories = _scans(nodes, "company_categories")
    assert categories and all(index in probes for _, index in categories), categories
    # the order comes from the index: no sort of the country's companies, no equipment read
    assert not [n for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort")], nodes
    assert not _scans(nodes, "equipment"), "machine figures aggregated per query"


def test_critical_query_probes_the_index_of_its_category(built_db):
    """Every category of the company_roles vocabulary has a partial index of its own on
    company_id; the critical query, given that category, probes each company of the country
    through it (an index a fraction of the size of the one over all categories). A category with
    few companies may instead be read whole, from an index that holds only it or starts with it."""
    by_category = _category_indexes(built_db)
    with built_db.connect() as conn:
        vocabulary = {r[0] for r in conn.execute("select category from reference.company_roles")}
        pairs = conn.execute(
            """select distinct on (cc.category) cc.category, c.country
               from public.company_categories cc join public.companies c on c.id = cc.company_id
               where c.country is not null order by cc.category, c.country"""
        ).fetchall()
    assert set(by_category) == vocabulary
    probed = {}
    for category, country in pairs:
        if category not in vocabulary:
            continue
        nodes = _plan(
            built_db,
            "critical: precomputed total_machines",
            ordered=True,
            params={"category": category, "country": country},
        )
        assert {index for _, index in _scans(nodes, "companies")} == {CRITICAL_INDEX}, nodes
        reads = [n for n in nodes if n.get("Relation Name") == "company_categories"]
        own = (by_category[category], CATEGORY_INDEXES[0])  # its own, or (category, company_id)
        assert reads and all(n.get("Index Name") in own for n in reads), (category, reads)
        for read in reads:
            if "company_id = c.id" in read.get("Index Cond", ""):  # once per company
                probed[category] = read["Index Name"]
    assert len(probed) >= 5, probed  # the sample's companies hold most of the vocabulary
    assert probed == {category: by_category[category] for category in probed}


def test_company_summaries_does_not_aggregate_per_query(built_db):
    with built_db.connect() as conn:
        conn.execute("set local enable_seqscan = off")
        (plan,) = conn.execute(
            "explain (format json) select id, total_machines from public.company_summaries"
            " where country = 'Germany' order by total_machines desc limit 10"
        ).fetchone()[0]
    nodes = list(_nodes(plan["Plan"]))
    assert not [n for n in nodes if n["Node Type"] == "Aggregate"], nodes
    assert {r for n in nodes if (r := n.get("Relation Name"))} == {"companies"}, nodes


def test_machine_figures_match_the_equipment_published(built_db):
    """The figures are computed at build from the equipment rows the equipment mart publishes."""
    with built_db.connect() as conn:
        mismatched = conn.execute(
            """
            select count(*) from public.companies c
            left join (
                select company_id,
                    sum(count) filter (where count_kind = 'fleet_count') as counted,
                    count(distinct manufacturer)
                        filter (where equipment_role = 'operated_fleet') as manufacturers,
                    count(*) filter (where equipment_role = 'operated_fleet') as fleet_rows
                from public.equipment group by company_id
            ) e on e.company_id = c.id
            where c.total_machines <> coalesce(e.counted, 0)
                or c.unique_manufacturers <> coalesce(e.manufacturers, 0)
                or c.fleet_rows <> coalesce(e.fleet_rows, 0)
            """
        ).fetchone()[0]
        with_machines = conn.execute(
            "select count(*) from public.companies where total_machines > 0"
        ).fetchone()[0]
    assert mismatched == 0
    assert with_machines > 0


def test_name_search_uses_the_trigram_index(built_db):
    if not _has_trgm(built_db):
        pytest.skip("pg_trgm is not available on this server")
    for name in ("name search: ILIKE fragment", "name search: trigram similarity"):
        companies = _scans(_plan(built_db, name, bitmap=True), "companies")
        assert companies, name
        assert all(index == TRIGRAM_INDEX for _, index in companies), (name, companies)


def test_name_equality_index_is_a_hash_index(built_db):
    """No btree on name: the planner cannot walk every name in order to answer ``ilike … order
    by name limit 20`` (slow for a rare fragment); equality lookups keep an index."""
    with built_db.connect() as conn:
        indexes = dict(
            conn.execute(
                "select indexname, indexdef from pg_indexes"
                " where schemaname = 'public' and tablename = 'companies'"
            ).fetchall()
        )
    assert "USING hash (name)" in indexes["companies_name_idx"]
    assert not [n for n, d in indexes.items() if "btree (name" in d], indexes


def test_pricing_comparison_reads_the_pricing_index(built_db):
    nodes = _plan(built_db, "pricing comparison", ordered=True)
    pricing = _scans(nodes, "service_pricing")
    assert pricing and all(index == PRICING_INDEX for _, index in pricing), pricing
    assert not [n for n in nodes if n["Node Type"] == "Sort"], nodes


def test_company_profile_reads_by_key(built_db):
    nodes = _plan(built_db, "company profile")
    for table in ("companies", "company_categories", "equipment", "investments"):
        scans = _scans(nodes, table)
        assert scans and all(index for _, index in scans), (table, scans)
