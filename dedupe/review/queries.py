"""What the review page reads from the database: the queue, both sides of a pair with every
source row behind them, the pair's evidence, and what the last run made of the decisions.

Every value from a request reaches SQL as a parameter. What dbt computes is read, never
recomputed: the landed rows as ``intermediate.int_raw_rows`` records them, and the golden record
of a proposed grouping from the function the companies mart creates with its own survivorship
rule (``dbt_project/macros/survivorship.sql``). The marts (``public.company_source_records``,
``public.companies``) and those two are optional: without them the page shows the linkage
clusters and the mentions model alone.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import psycopg
from psycopg.rows import dict_row

from dedupe.linkage.mentions import MENTIONS_RELATION
from dedupe.linkage.prediction import COMPARISONS
from loaders.sheets import SHEETS

RAW_TABLE = {s.file_name: s.table for s in SHEETS}
RAW_ROWS_RELATION = "intermediate.int_raw_rows"  # models/intermediate/int_raw_rows.sql
# created by models/marts/companies.sql (post-hook) from macros/survivorship.sql
GOLDEN_PREVIEW_FUNCTION = "intermediate.company_golden_preview"
MENTION_COLUMNS = (
    "mention_key, source_file, source_row, source_field, role, source_name, cleaned_name,"
    " normalised_name, website_url, website_domain, country_raw, country_code,"
    " parent_firm_annotation, ticker_tag"
)


@dataclass(frozen=True)
class Filters:
    """Validated queue filters (see ``app.parse_filters``); ``None`` means no filter."""

    band: str | None = None  # a key of BANDS
    sheet: str | None = None  # a source file name from the data contract
    country: str | None = None  # ISO 3166-1 alpha-2
    kind: str | None = None  # a key of KINDS

    def args(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


# Score bands a steward filters by: label -> [low, high) of the match probability.
BANDS: dict[str, tuple[float, float]] = {
    "low": (0.0, 0.5),
    "mid": (0.5, 0.7),
    "high": (0.7, 0.9),
    "strong": (0.9, 1.01),
}
BAND_LABELS = {"low": "< 0.5", "mid": "0.5 – 0.7", "high": "0.7 – 0.9", "strong": "≥ 0.9"}
KINDS = {
    "uncertain_pair": "kept apart?",
    "weak_link": "merged?",
    "shared_site": "one website, kept apart?",
}


@dataclass
class RunInfo:
    run_id: str
    finished_at: object
    match_threshold: float
    review_low: float
    clusters: int
    mentions: int


def _exists(conn: psycopg.Connection, relation: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (relation,)).fetchone()[0]


def has_marts(conn: psycopg.Connection) -> bool:
    return _exists(conn, "public.company_source_records") and _exists(conn, "public.companies")


def linkage_ready(conn: psycopg.Connection) -> bool:
    return all(
        _exists(conn, f"linkage.{t}")
        for t in ("runs", "review_queue", "match_pairs", "clusters", "decision_report")
    )


def run_info(conn: psycopg.Connection) -> RunInfo:
    row = conn.execute(
        "select run_id, finished_at, config, clusters, mentions from linkage.runs"
        " order by finished_at desc limit 1"
    ).fetchone()
    config = row[2] if isinstance(row[2], dict) else json.loads(row[2])
    return RunInfo(row[0], row[1], config["match_threshold"], config["review_low"], row[3], row[4])


_QUEUE_SQL = """
with queued_features as (
    select feature_id_l as feature_id from linkage.review_queue
    union
    select feature_id_r from linkage.review_queue
),
feature_facts as (  -- per spelling: the countries and sheets of all its mentions
    select c.feature_id,
           coalesce(array_agg(distinct m.country_code)
               filter (where m.country_code is not null), '{{}}') as countries,
           array_agg(distinct m.source_file) as sheets
    from linkage.clusters c
    join {mentions} m using (mention_key)
    where c.feature_id in (select feature_id from queued_features)
    group by c.feature_id
),
items as (
    select q.rank, q.item_kind, q.mention_key_l, q.mention_key_r, q.feature_id_l,
           q.feature_id_r, q.name_l, q.name_r, q.country_l, q.country_r, q.website_l,
           q.website_r, q.match_probability, q.p_wrong, q.priority, q.pairs_in_group,
           q.cluster_id_l, q.cluster_id_r, q.impact,
           array(select distinct x from unnest(fl.countries || fr.countries) as x order by x)
               as countries,
           array(select distinct x from unnest(fl.sheets || fr.sheets) as x order by x) as sheets
    from linkage.review_queue q
    left join feature_facts fl on fl.feature_id = q.feature_id_l
    left join feature_facts fr on fr.feature_id = q.feature_id_r
)
select * from items
where (%(low)s::float8 is null or match_probability >= %(low)s)
  and (%(high)s::float8 is null or match_probability < %(high)s)
  and (%(kind)s::text is null or item_kind = %(kind)s)
  and (%(sheet)s::text is null or %(sheet)s = any(sheets))
  and (%(country)s::text is null or %(country)s = any(countries))
order by rank
"""


def queue(conn: psycopg.Connection, filters: Filters = Filters()) -> list[dict]:
    """Queue items (ordered by priority, P(wrong) x impact: the queue's rank), narrowed by the
    filters."""
    low, high = BANDS[filters.band] if filters.band else (None, None)
    params = {
        "low": low,
        "high": high,
        "kind": filters.kind,
        "sheet": filters.sheet,
        "country": filters.country,
    }
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(_QUEUE_SQL.format(mentions=MENTIONS_RELATION), params)
        return cur.fetchall()


def facets(conn: psycopg.Connection) -> dict[str, list[str]]:
    """The sheets and countries the queue's mentions come from (the filter choices)."""
    rows = conn.execute(
        f"""
        select distinct m.source_file, m.country_code
        from linkage.review_queue q
        join linkage.clusters c on c.feature_id in (q.feature_id_l, q.feature_id_r)
        join {MENTIONS_RELATION} m using (mention_key)
        """
    ).fetchall()
    return {
        "sheets": sorted({r[0] for r in rows}),
        "countries": sorted({r[1] for r in rows if r[1]}),
    }


def item(conn: psycopg.Connection, rank: int) -> dict | None:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute("select * from linkage.review_queue where rank = %s", (rank,))
        return cur.fetchone()


# ---------------------------------------------------------------------------------------------
# Evidence: the pair's scores, per comparison, as a waterfall of match weights


@dataclass
class Step:
    label: str
    level: str
    weight: float  # log2 Bayes factor (the prior: log2 prior odds)
    bayes_factor: float | None
    start: float = 0.0
    end: float = 0.0


@dataclass
class Evidence:
    match_weight: float
    match_probability: float
    steps: list[Step] = field(default_factory=list)

    @property
    def bounds(self) -> tuple[float, float]:
        points = [0.0, *(s.start for s in self.steps), *(s.end for s in self.steps)]
        return math.floor(min(points)), math.ceil(max(points))


def evidence(conn: psycopg.Connection, feature_l: str, feature_r: str) -> Evidence | None:
    """The stored pair (either order) as prior + one step per comparison = match weight."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "select * from linkage.match_pairs where (feature_id_l, feature_id_r) in"
            " ((%(l)s, %(r)s), (%(r)s, %(l)s))",
            {"l": feature_l, "r": feature_r},
        )
        pair = cur.fetchone()
    if pair is None:
        return None
    steps = []
    for c in COMPARISONS:
        bf = pair[f"bf_{c}"]
        weight = math.log2(max(bf, 1e-300)) if bf is not None else 0.0
        steps.append(Step(c.replace("_", " "), pair[f"level_{c}"] or "", weight, bf))
    # Splink: match weight = log2 prior odds + sum of the comparisons' log2 Bayes factors.
    prior = pair["match_weight"] - sum(s.weight for s in steps)
    steps.insert(0, Step("prior", "before any comparison", prior, None))
    running = 0.0
    for s in steps:
        s.start, running = running, running + s.weight
        s.end = running
    return Evidence(pair["match_weight"], pair["match_probability"], steps)


# ---------------------------------------------------------------------------------------------
# Lineage: every mention behind a feature row or a cluster, with its raw source row


def cluster_features(conn: psycopg.Connection, cluster_ids: list[str]) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "select distinct feature_id from linkage.clusters where cluster_id = any(%s)"
            " order by feature_id",
            (cluster_ids,),
        )
    ]


def mentions(conn: psycopg.Connection, feature_ids: list[str]) -> list[dict]:
    """Mentions of the given feature rows, each with its cluster and (with the marts) company."""
    marts = has_marts(conn)
    company = (
        "csr.company_id::text as company_id, co.name as company_name"
        if marts
        else "null as company_id, null as company_name"
    )
    joins = (
        "left join public.company_source_records csr on csr.mention_key = m.mention_key"
        " left join public.companies co on co.id = csr.company_id"
        if marts
        else ""
    )
    columns = ", ".join(f"m.{c.strip()}" for c in MENTION_COLUMNS.split(","))
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            f"""
            select {columns}, c.feature_id, c.cluster_id, {company}
            from linkage.clusters c
            join {MENTIONS_RELATION} m on m.mention_key = c.mention_key
            {joins}
            where c.feature_id = any(%s)
            order by m.source_file, m.source_row, m.source_field
            """,
            (feature_ids,),
        )
        return cur.fetchall()


def raw_rows(conn: psycopg.Connection, mention_rows: list[dict]) -> dict[tuple[str, int], dict]:
    """(source_file, source_row) -> the landed row as dbt records it (``int_raw_rows``: the
    sheet's columns, without dlt's), non-null fields in the raw table's column order."""
    if not mention_rows or not _exists(conn, RAW_ROWS_RELATION):
        return {}
    wanted = sorted({(m["source_file"], int(m["source_row"])) for m in mention_rows})
    found: dict[tuple[str, int], dict] = {}
    rows = conn.execute(
        f"""
        select r.source_file, r.source_row, field.key, field.value #>> '{{}}'
        from {RAW_ROWS_RELATION} r
        join unnest(%s::text[], %s::bigint[]) as wanted (source_file, source_row)
            using (source_file, source_row)
        cross join lateral jsonb_each(r.raw_record) as field
        left join information_schema.columns c
            on c.table_schema = 'raw' and c.table_name = r.raw_table and c.column_name = field.key
        where field.value <> 'null'::jsonb
        order by r.source_file, r.source_row, c.ordinal_position, field.key
        """,
        ([f for f, _ in wanted], [r for _, r in wanted]),
    ).fetchall()
    for source_file, source_row, key, value in rows:
        found.setdefault((source_file, source_row), {})[key] = value
    return found


def model_edges(conn: psycopg.Connection, feature_ids: list[str], threshold: float) -> list:
    """Stored pairs at or above the threshold among the given feature rows (the cluster graph)."""
    return conn.execute(
        "select feature_id_l, feature_id_r, match_probability from linkage.match_pairs"
        " where feature_id_l = any(%(f)s) and feature_id_r = any(%(f)s)"
        " and match_probability >= %(t)s",
        {"f": feature_ids, "t": threshold},
    ).fetchall()


def companies(conn: psycopg.Connection, company_ids: list[str]) -> dict[str, dict]:
    """The current golden records (``public.companies``) by id, when the marts exist."""
    if not company_ids or not has_marts(conn):
        return {}
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "select id::text as id, name, website, domain, country_code, parent_company,"
            " public_stock_ticker, company_type, source_count from public.companies"
            " where id::text = any(%s)",
            (company_ids,),
        )
        return {r["id"]: r for r in cur.fetchall()}


# ---------------------------------------------------------------------------------------------
# What the last run made of the decisions


def decision_report(conn: psycopg.Connection) -> list[dict]:
    """Each current decision's outcome, with the clusters its two mentions are in now."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            """
            select r.*, cl.cluster_id as cluster_id_l, cr.cluster_id as cluster_id_r
            from linkage.decision_report r
            left join linkage.clusters cl on cl.mention_key = r.mention_key_l
            left join linkage.clusters cr on cr.mention_key = r.mention_key_r
            order by r.decided_at desc, r.mention_key_l, r.mention_key_r
            """
        )
        return cur.fetchall()


def golden_preview(conn: psycopg.Connection, groups: list[list[str]]) -> list[dict]:
    """Per group of mention keys, in order: the golden record the companies mart would build
    from those mentions alone (export values; production's are decided in the mart), as the
    database computes it. Empty when dbt has not built the mart (and so the function) yet."""
    found = conn.execute(
        "select to_regprocedure(%s) is not null", (f"{GOLDEN_PREVIEW_FUNCTION}(text[], text[])",)
    ).fetchone()[0]
    if not groups or not found:
        return []
    keys = [k for group in groups for k in group]
    ids = [str(n) for n, group in enumerate(groups) for _ in group]
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "select group_id, name, website, domain, country_code, parent_company,"
            " public_stock_ticker as ticker, source_count as sheets, mention_count as mentions"
            f" from {GOLDEN_PREVIEW_FUNCTION}(%s, %s)",
            (keys, ids),
        )
        by_group = {r.pop("group_id"): r for r in cur.fetchall()}
    return [by_group[str(n)] for n in range(len(groups)) if str(n) in by_group]
