"""Score company mentions with the trained Splink model, cluster them, write ``linkage.*``.

Flow: read the dbt model ``int_company_mentions`` from Postgres (psycopg; the DuckDB postgres
extension cannot be downloaded here) -> collapse identical feature rows (repeats of one normalised
mention are scored once) -> Splink predict on DuckDB -> edges at or above the match threshold,
plus steward must-links, minus steward cannot-links -> connected components -> a stable key per
cluster -> ``linkage.clusters`` (every mention), ``linkage.match_pairs`` (every stored pair, with
each comparison's level and Bayes factor), ``linkage.review_queue``, ``linkage.decision_report``
and ``linkage.runs``. Splink's comparison viewer and cluster studio go to
``$AMX_HOME/runs/<run_id>/``.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import time
import tomllib
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import networkx as nx
import pyarrow as pa
from psycopg import sql

from dedupe import decisions as steward
from dedupe.model import MODEL_PATH
from loaders.db import Database
from loaders.production import COMPANIES_FILE as EXISTING_FILE
from loaders.settings import amx_home
from loaders.sheets import MASTER_FILE

CONFIG_PATH = Path(__file__).with_name("linkage.toml")
MENTIONS_RELATION = "intermediate.int_company_mentions"
COUNTRY_LOOKUP_RELATION = "intermediate.int_country_lookup"
COMPARISONS = ("name", "domain", "country_code")


@dataclass(frozen=True)
class Config:
    match_threshold: float
    review_low: float
    store_min: float
    distinctive_max_names: int
    shared_domain_max_names: int
    weak_edge_below: float
    max_cluster_feature_rows: int
    review_max_items: int
    review_min_p_wrong: float
    review_name_cap_bits: float
    review_conflict_cap_bits: float
    review_name_floor_bits: float


def load_config(path: Path = CONFIG_PATH) -> Config:
    with path.open("rb") as fh:
        return Config(**tomllib.load(fh))


# The mentions model's columns under the names the Splink settings use, plus two corpus-level
# features: whether a name holds a word few other names use, and whether its website domain is
# shared by several differently named companies (then it says nothing about identity).
MENTIONS_SQL = """
with mentions as (
    select * from {relation} where normalised_name <> ''
),
domain_use as (
    select website_domain, count(distinct normalised_name) as names
    from mentions where website_domain is not null group by website_domain
),
names as (
    select distinct normalised_name, name_core_tokens from mentions
),
token_use as (
    select token, count(*) as names
    from names, unnest(name_core_tokens) as token group by token
),
all_token_use as (
    select token, count(*) as names
    from (select distinct normalised_name, name_tokens from mentions) as n,
        unnest(n.name_tokens) as token
    group by token
),
name_rare as (
    select n.normalised_name, array_agg(distinct token) as name_rare_tokens
    from (select distinct normalised_name, name_tokens from mentions) as n,
        unnest(n.name_tokens) as token
    join all_token_use using (token)
    where length(token) >= 4 and all_token_use.names <= %(distinctive)s
    group by n.normalised_name
),
former_names as (
    -- the firm a rename annotation names (`Fabrica Group (formerly Nanofabrica, now part of Nano
    -- Dimension)`), as the matching key of a mention spelled that way anywhere in the export
    select distinct on (m.normalised_name) m.normalised_name, f.normalised_name as formerly_key
    from (select distinct normalised_name, formerly_name from mentions
          where formerly_name is not null) as m
    join (select distinct normalised_name, lower(cleaned_name) as cleaned from mentions) as f
        on f.cleaned = lower(btrim(split_part(m.formerly_name, ',', 1)))
        and f.normalised_name <> m.normalised_name
    order by m.normalised_name, f.normalised_name
),
region_countries as (
    -- the countries the name's region words name (`Pyrogenesis Canada` -> CA)
    select n.normalised_name, array_agg(distinct lookup.country_code) as name_region_countries
    from (select distinct normalised_name, name_region_tokens from mentions) as n,
        unnest(n.name_region_tokens) as token
    join {country_lookup} as lookup on lookup.lookup_key = token
    group by n.normalised_name
),
specificity as (
    -- per spelling: `PRINT-ME 3D` (words `print me`) is not distinctive, `PrintMe-3D` is
    select names.normalised_name, names.name_core_tokens,
        min(token_use.names) as rarest_token_names
    from names, unnest(names.name_core_tokens) as token join token_use using (token)
    group by names.normalised_name, names.name_core_tokens
)
select
    mention_key, source_file, source_name, website_url,
    normalised_name as name_norm,
    name_tokens,
    name_core_tokens,
    name_region_tokens,
    name_qualifier_tokens,
    alias_key,
    bracket_key,
    unit_part_key,
    brand_part_key,
    parent_key,
    former_names.formerly_key,
    -- the name with the letters OCR confuses folded together (`Al Bulld` = `AI Build`)
    translate(normalised_name, 'l1', 'ii') as name_fold,
    -- blocking keys: the name's words (any kind, 4+ letters) that few other names use, so that
    -- `Great Simple` meets `Zhongshan Great Simple Technology` and `Romar Enginering` its twin
    -- (plus the name itself, so that `Polly Polymer` meets `Suzhou Pollypolymer …`)
    array_append(coalesce(name_rare.name_rare_tokens, '{{}}'), normalised_name)
        as name_rare_tokens,
    array_to_string(array(select distinct t from unnest(name_core_tokens) as t order by t), ' ')
        as name_core_key,
    name_core_tokens[1] as name_first_token,
    -- the core words run together (`fenghua zhuoli` -> `fenghuazhuoli`), when long enough to
    -- tell a firm (a blocking key and a comparison)
    case when length(array_to_string(name_core_tokens, '')) >= 8
        then array_to_string(name_core_tokens, '') end as name_core_concat,
    coalesce(region_countries.name_region_countries, '{{}}') as name_region_countries,
    coalesce(specificity.rarest_token_names <= %(distinctive)s, false) as name_is_distinctive,
    -- blocking key: the core name, only when it is distinctive (small blocks at any scale)
    case when specificity.rarest_token_names <= %(distinctive)s then
        array_to_string(array(select distinct t from unnest(name_core_tokens) as t order by t), ' ')
    end as name_core_block,
    case when domain_use.names <= %(shared_domain)s then mentions.website_domain end as domain,
    country_code
from mentions
left join domain_use using (website_domain)
left join specificity using (normalised_name, name_core_tokens)
left join name_rare using (normalised_name)
left join region_countries using (normalised_name)
left join former_names using (normalised_name)
"""
MENTION_TYPES = {
    "mention_key": pa.string(),
    "source_file": pa.string(),
    "source_name": pa.string(),
    "website_url": pa.string(),
    "name_norm": pa.string(),
    "name_tokens": pa.list_(pa.string()),
    "name_core_tokens": pa.list_(pa.string()),
    "name_region_tokens": pa.list_(pa.string()),
    "name_qualifier_tokens": pa.list_(pa.string()),
    "alias_key": pa.string(),
    "bracket_key": pa.string(),
    "unit_part_key": pa.string(),
    "brand_part_key": pa.string(),
    "parent_key": pa.string(),
    "formerly_key": pa.string(),
    "name_fold": pa.string(),
    "name_rare_tokens": pa.list_(pa.string()),
    "name_core_key": pa.string(),
    "name_first_token": pa.string(),
    "name_core_concat": pa.string(),
    "name_region_countries": pa.list_(pa.string()),
    "name_is_distinctive": pa.bool_(),
    "name_core_block": pa.string(),
    "domain": pa.string(),
    "country_code": pa.string(),
}
FEATURE_COLUMNS = [
    "feature_id", "name_norm", "name_tokens", "name_core_tokens", "name_region_tokens",
    "name_qualifier_tokens", "alias_key", "bracket_key", "unit_part_key", "brand_part_key",
    "parent_key", "formerly_key", "name_fold",
    "name_rare_tokens",
    "name_core_key", "name_core_block", "name_first_token", "name_core_concat",
    "name_region_countries", "name_is_distinctive", "domain",
    "country_code", "in_master",
]  # fmt: skip


@dataclass
class LinkResult:
    run_id: str
    model_hash: str
    mentions: int
    feature_rows: int
    scored_pairs: int
    matched_pairs: int
    clusters: int
    review_items: int
    decisions: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    artefacts: dict[str, str] = field(default_factory=dict)


def model_available(path: Path = MODEL_PATH) -> bool:
    return path.exists()


def model_hash(path: Path = MODEL_PATH) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


READ_WORK_MEM = "128MB"
# list columns travel as text: '' is an empty list, else each element preceded by this separator
# (lossless for empty elements; names hold no control characters: the staging models strip them)
LIST_SEPARATOR = "\x1f"


class _CopyStream(io.RawIOBase):
    """The data of a ``COPY ... TO STDOUT`` as a readable binary stream (for pyarrow)."""

    def __init__(self, copy) -> None:
        self._chunks = iter(copy)
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        filled = 0
        while filled < len(buffer):
            if not self._pending:
                try:
                    self._pending = memoryview(next(self._chunks))
                except StopIteration:
                    break
            n = min(len(buffer) - filled, len(self._pending))
            buffer[filled : filled + n] = self._pending[:n]
            self._pending = self._pending[n:]
            filled += n
        return filled


def _copy_query(config: Config) -> str:
    """The mentions query as CSV text for COPY: list columns encoded (``LIST_SEPARATOR``)."""
    query = MENTIONS_SQL.format(
        relation=MENTIONS_RELATION, country_lookup=COUNTRY_LOOKUP_RELATION
    ) % {
        "distinctive": int(config.distinctive_max_names),
        "shared_domain": int(config.shared_domain_max_names),
    }
    columns = []
    for name, kind in MENTION_TYPES.items():
        if pa.types.is_list(kind):
            columns.append(
                f"case when cardinality({name}) = 0 then ''"
                f" else chr(31) || array_to_string({name}, chr(31)) end as {name}"
            )
        else:
            columns.append(name)
    return f"select {', '.join(columns)} from ({query}) as mentions"


def _decode_lists(table: pa.Table) -> pa.Table:
    import pyarrow.compute as pc

    for i, (name, kind) in enumerate(MENTION_TYPES.items()):
        if not pa.types.is_list(kind):
            continue
        text = table.column(name)
        parts = pc.split_pattern(pc.utf8_slice_codeunits(text, 1), LIST_SEPARATOR)
        empty = pa.scalar([], type=kind)
        lists = pc.if_else(pc.equal(text, ""), empty, parts).cast(kind)
        table = table.set_column(i, name, lists)
    return table


def read_mentions(db: Database, config: Config | None = None) -> pa.Table:
    """The mentions model as Arrow (one row per company-name mention in every sheet).

    Read with ``COPY ... TO STDOUT`` as CSV straight into pyarrow's CSV reader, never as Python
    tuples (at 100x the export's size those cost gigabytes and minutes). Every value is quoted
    (``FORCE_QUOTE *``), so an empty string (quoted) stays apart from NULL (unquoted, empty).
    """
    import pyarrow.csv as pacsv

    config = config or load_config()
    schema = pa.schema(list(MENTION_TYPES.items()))
    text_types = {
        name: (pa.string() if pa.types.is_list(kind) else kind)
        for name, kind in MENTION_TYPES.items()
    }
    with db.connect() as conn, conn.transaction():
        # room to hash the corpus' distinct names in memory instead of spilling them to disk
        conn.execute(f"set local work_mem = '{READ_WORK_MEM}'")
        statement = (
            f"copy ({_copy_query(config)}) to stdout"
            " with (format csv, header false, force_quote *, encoding 'UTF8')"
        )
        with conn.cursor().copy(statement) as copy:
            reader = pacsv.open_csv(
                io.BufferedReader(_CopyStream(copy), buffer_size=1 << 20),
                read_options=pacsv.ReadOptions(
                    column_names=list(MENTION_TYPES), block_size=16 << 20
                ),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types=text_types,
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                    true_values=["t"],
                    false_values=["f"],
                ),
            )
            table = reader.read_all()
    return _decode_lists(table).cast(schema)


def collapse(con: duckdb.DuckDBPyConnection, mentions: pa.Table) -> pa.Table:
    """Distinct feature rows; ``feature_id`` hashes the features, so it is stable across runs."""
    con.register("mentions_in", mentions)
    con.execute(
        """
        create or replace table mentions as
        select *, md5(concat_ws('|', name_norm, coalesce(domain, ''), coalesce(country_code, ''),
                                coalesce(alias_key, ''), coalesce(bracket_key, ''),
                                coalesce(unit_part_key, ''), coalesce(brand_part_key, ''),
                                coalesce(parent_key, ''), formerly_key))
            as feature_id
        from mentions_in
        """
    )
    con.execute(
        f"""
        create or replace table features as
        select feature_id, any_value(name_norm) as name_norm,
               any_value(name_tokens) as name_tokens,
               any_value(name_core_tokens) as name_core_tokens,
               any_value(name_region_tokens) as name_region_tokens,
               any_value(name_qualifier_tokens) as name_qualifier_tokens,
               any_value(alias_key) as alias_key, any_value(bracket_key) as bracket_key,
               any_value(unit_part_key) as unit_part_key,
               any_value(brand_part_key) as brand_part_key,
               any_value(parent_key) as parent_key,
               any_value(formerly_key) as formerly_key,
               any_value(name_fold) as name_fold,
               any_value(name_rare_tokens) as name_rare_tokens,
               nullif(any_value(name_core_key), '') as name_core_key,
               any_value(name_first_token) as name_first_token,
               any_value(name_core_concat) as name_core_concat,
               any_value(name_region_countries) as name_region_countries,
               bool_or(name_is_distinctive) as name_is_distinctive,
               any_value(name_core_block) as name_core_block,
               any_value(domain) as domain, any_value(country_code) as country_code,
               bool_or(source_file = '{MASTER_FILE}') as in_master,
               bool_or(source_file in ('{MASTER_FILE}', '{EXISTING_FILE}'))
                   and (any_value(domain) is not null or any_value(country_code) is not null)
                   as is_anchor,
               count(*) as mentions,
               count(*) filter (where source_file <> '{MASTER_FILE}') as other_sheet_mentions,
               min(mention_key) as representative_mention,
               arg_min(source_name, mention_key) as display_name,
               arg_min(website_url, mention_key) as display_website
        from mentions group by feature_id order by feature_id
        """
    )
    return con.sql("select * from features order by feature_id").to_arrow_table()


@dataclass
class Scored:
    linker: object
    predictions: object  # SplinkDataFrame (a table in the run's DuckDB), kept for the dashboards


def predict(
    con: duckdb.DuckDBPyConnection, features: pa.Table, config: Config, model: Path = MODEL_PATH
) -> Scored:
    """Every blocked pair of feature rows, scored; deterministic for a given model JSON.

    Splink works in the run's own DuckDB connection, so its predictions are joined and written
    from there without copying every retained column into Python.
    """
    from splink import DuckDBAPI, Linker

    api = DuckDBAPI(connection=con)
    # log_level=None: Splink's INFO lines follow the caller's logging (shown with `amx --debug`)
    linker = Linker(api.register(features.select(FEATURE_COLUMNS)), str(model), log_level=None)
    predictions = linker.inference.predict(threshold_match_probability=config.store_min)
    return Scored(linker, predictions)


def _level_labels(model: Path = MODEL_PATH) -> dict[str, dict[int, str]]:
    """comparison -> gamma value -> the level's label, from the model JSON."""
    spec = json.loads(model.read_text(encoding="utf-8"))
    labels: dict[str, dict[int, str]] = {}
    for comparison in spec["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        by_gamma = {
            len(non_null) - 1 - i: lv.get("label_for_charts", "") for i, lv in enumerate(non_null)
        }
        by_gamma[-1] = "null"
        labels[comparison["output_column_name"]] = by_gamma
    return labels


def explain(con: duckdb.DuckDBPyConnection, scored: Scored, run_id: str) -> pa.Table:
    """Pairs with both representative mentions, each comparison's level and Bayes factor."""
    table = scored.predictions.physical_name
    columns = {r[0] for r in con.sql(f"describe {table}").fetchall()}
    labels = _level_labels()
    parts = []
    for c in COMPARISONS:
        tf = f" + coalesce(s.mw_tf_adj_{c}, 0)" if f"mw_tf_adj_{c}" in columns else ""
        cases = " ".join(
            f"when {gamma} then '{label.replace(chr(39), chr(39) * 2)}'"
            for gamma, label in labels[c].items()
        )
        parts.append(
            f"s.gamma_{c} as gamma_{c}, power(2, s.mw_{c}{tf}) as bf_{c},"
            f" case s.gamma_{c} {cases} else '' end as level_{c}"
        )
    return con.sql(
        f"""
        select s.feature_id_l, s.feature_id_r,
               fl.representative_mention as mention_key_l,
               fr.representative_mention as mention_key_r,
               s.name_norm_l, s.name_norm_r,
               s.match_weight, s.match_probability, {", ".join(parts)},
               '{model_hash()}' as model_hash, '{run_id}' as run_id
        from {table} s
        join features fl on fl.feature_id = s.feature_id_l
        join features fr on fr.feature_id = s.feature_id_r
        order by s.feature_id_l, s.feature_id_r
        """
    ).to_arrow_table()


@dataclass
class DecisionOutcome:
    mention_key_l: str
    mention_key_r: str
    decision: str
    reviewer: str
    decided_at: str
    status: str  # applied | no_effect | stale | conflict
    detail: str


def _edge_graph(pairs: pa.Table, threshold: float) -> nx.Graph:
    """The matched pairs as a graph: only feature rows with a link are nodes (at 100x most rows
    link to nothing; they are one-row companies, added by ``with_singletons``)."""
    graph = nx.Graph()
    for left, right, p in zip(
        pairs.column("feature_id_l").to_pylist(),
        pairs.column("feature_id_r").to_pylist(),
        pairs.column("match_probability").to_pylist(),
        strict=True,
    ):
        if p >= threshold:
            graph.add_edge(left, right, p=p, must=False)
    return graph


def apply_decisions(
    graph: nx.Graph,
    feature_of: dict[str, str],
    current: dict,
    same_question: dict[tuple[str, ...], list[tuple[str, str]]] | None = None,
    name_of: dict[str, str] | None = None,
) -> list[DecisionOutcome]:
    """Must-links join, cannot-links cut (the weakest model edge on each remaining path).

    With ``same_question`` (``group_key`` -> the scored pairs of those two spellings) and
    ``name_of`` (feature -> normalised name), a decision on two spellings settles every pair of
    those spellings: one review-queue item, one decision.
    """
    same_question = same_question or {}
    name_of = name_of or {}
    outcomes: list[DecisionOutcome] = []
    cannot: list[tuple[steward.Decision, str, str]] = []

    def outcome(d: steward.Decision, status: str, detail: str) -> None:
        outcomes.append(
            DecisionOutcome(
                d.mention_key_l,
                d.mention_key_r,
                d.decision,
                d.reviewer,
                d.decided_at,
                status,
                detail,
            )
        )

    for d in current.values():
        missing = [k for k in (d.mention_key_l, d.mention_key_r) if k not in feature_of]
        if missing:
            outcome(d, "stale", f"no longer in the export: {', '.join(missing)}")
            continue
        fl, fr = feature_of[d.mention_key_l], feature_of[d.mention_key_r]
        graph.add_nodes_from((fl, fr))  # the graph holds only linked rows (``_edge_graph``)
        if fl == fr:
            if d.decision == "match":
                outcome(d, "no_effect", "identical spellings and features: already one company")
            else:
                outcome(d, "conflict", "identical spellings and features cannot be told apart")
            continue
        group = {(fl, fr)}
        if fl in name_of and fr in name_of:
            key = group_key(name_of[fl], name_of[fr], fl, fr)
            group |= set(same_question.get(key, ()))
        if d.decision == "match":
            for a, b in sorted(group):
                graph.add_edge(a, b, p=1.0, must=True)
            outcome(
                d, "applied", "must-link" + (f" ({len(group)} pairs)" if len(group) > 1 else "")
            )
        else:
            for a, b in sorted(group):
                if graph.has_edge(a, b) and not graph.edges[a, b]["must"]:
                    graph.remove_edge(a, b)
                cannot.append((d, a, b))
    reported: set[int] = set()
    for d, fl, fr in cannot:
        cut = 0
        while nx.has_path(graph, fl, fr):
            path = nx.shortest_path(graph, fl, fr)
            edges = [
                (a, b)
                for a, b in zip(path, path[1:], strict=False)
                if not graph.edges[a, b]["must"]
            ]
            if not edges:
                if id(d) not in reported:
                    reported.add(id(d))
                    outcome(d, "conflict", "joined by other stewards' match decisions")
                break
            weakest = min(edges, key=lambda e: graph.edges[e]["p"])
            graph.remove_edge(*weakest)
            cut += 1
        else:
            if id(d) not in reported:
                reported.add(id(d))
                outcome(d, "applied", f"cannot-link; {cut} model edge(s) cut")
    return outcomes


def anchored_components(graph: nx.Graph, is_anchor: dict[str, bool]) -> list[set[str]]:
    """Companies anchored on master rows: every other mention joins at most one of them.

    Plain connected components chain through mentions that carry no country or website: a
    roles-sheet `Future Additive` scores high against the US, the German and the Dutch firm of
    that generic name and would merge all three. Here anchors — master rows with a website or a
    country — cluster among themselves; every other mention (other sheets, and master rows with
    neither) joins the anchored company it scores best against, or, through other such mentions,
    the best one they reach; mentions that reach none form new companies.
    """
    in_master = is_anchor
    masters = sorted(n for n in graph if in_master[n])
    component: dict[str, int] = {}
    members: list[set[str]] = []
    for nodes in nx.connected_components(graph.subgraph(masters)):
        for n in nodes:
            component[n] = len(members)
        members.append(set(nodes))
    anchor = {i: min(m) for i, m in enumerate(members)}  # stable tie-breaker

    def best_component(nodes: set[str]) -> int | None:
        candidates = [
            (graph.edges[n, m]["p"], anchor[component[m]], component[m])
            for n in nodes
            for m in graph[n]
            if m in component and m not in nodes
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda c: (c[0], [-ord(ch) for ch in c[1]]))[2]

    others = sorted(n for n in graph if not in_master[n])
    direct = {n: best_component({n}) for n in others}
    for n, idx in direct.items():
        if idx is not None and any(m in members[idx] and in_master[m] for m in graph[n]):
            component[n] = idx
            members[idx].add(n)
    rest = [n for n in others if n not in component]
    for nodes in sorted(nx.connected_components(graph.subgraph(rest)), key=min):
        idx = best_component(set(nodes))
        if idx is None:
            idx = len(members)
            members.append(set())
            anchor[idx] = min(nodes)
        for n in nodes:
            component[n] = idx
        members[idx] |= set(nodes)
    return [m for m in members if m]


def with_singletons(
    con: duckdb.DuckDBPyConnection, components: list[set[str]], graph: nx.Graph
) -> list[set[str]]:
    """The components of the linked rows, plus one company per feature row outside the graph
    (no link, no decision), found set-based in the run's DuckDB (table ``features``)."""
    con.register("linked_in", pa.table({"feature_id": pa.array(list(graph), pa.string())}))
    alone = con.sql(
        "select feature_id from features"
        " where feature_id not in (select feature_id from linked_in) order by feature_id"
    ).fetchall()
    con.unregister("linked_in")
    return components + [{f} for (f,) in alone]


def _check_cannot_links(
    outcomes: list[DecisionOutcome], feature_of: dict[str, str], components: list[set[str]]
) -> None:
    """A cannot-link whose two mentions still share a company is reported, never hidden."""
    company = {f: i for i, members in enumerate(components) for f in members}
    for o in outcomes:
        if o.decision == "no_match" and o.status == "applied":
            fl, fr = feature_of[o.mention_key_l], feature_of[o.mention_key_r]
            if company[fl] == company[fr]:
                o.status = "conflict"
                o.detail = "both still join the same master company through other mentions"


def stable_cluster_keys(features: pa.Table, components: list[set[str]]) -> dict[str, str]:
    """feature_id -> cluster key, derived from the cluster's best member, not from row order.

    The key is the normalised name and country of the member that a master row backs (else any
    member), smallest first, so it survives reruns, appended rows and reordered files.
    """
    info = {
        r["feature_id"]: r
        for r in features.select(
            ["feature_id", "name_norm", "country_code", "in_master"]
        ).to_pylist()
    }
    keyed: list[tuple[str, set[str]]] = []
    for members in components:
        best = min(
            members,
            key=lambda f: (
                not info[f]["in_master"],
                info[f]["name_norm"] or "",
                info[f]["country_code"] or "",
                f,
            ),
        )
        keyed.append((f"{info[best]['name_norm']}|{info[best]['country_code'] or ''}", members))
    keyed.sort(key=lambda kv: (kv[0], min(kv[1])))
    result: dict[str, str] = {}
    seen: dict[str, int] = {}
    for key, members in keyed:
        n = seen.get(key, 0)
        seen[key] = n + 1
        final = key if n == 0 else f"{key}#{n + 1}"
        for f in members:
            result[f] = final
    return result


def _name_sceptical_probability(row: dict, cap_bits: float) -> float:
    """The pair's match probability with the name's evidence capped at ``cap_bits``.

    Splink's probabilities are confident where the name level is strong (an exact or brand-vs-
    legal name is worth 20+ bits), so a website and a country that both disagree barely move
    them; yet the labelled errors are exactly such pairs. Capping the name's say to what a shared
    website is worth gives a second opinion in which conflicting evidence counts: it ranks the
    review queue, it never changes a cluster.
    """
    name_bits = math.log2(max(row["bf_name"] or 1.0, 1e-300))
    weight = row["match_weight"] - name_bits + min(name_bits, cap_bits)
    return 1.0 / (1.0 + 2.0 ** (-weight))


def _name_lenient_probability(row: dict, floor_bits: float) -> float:
    """The pair's match probability with the name's evidence *against* floored at
    ``-floor_bits``: two master rows on one private website whose names differ (`China Machinery
    New Material` / `China Machinery Institute of Advanced Materials`) are as often one firm as
    two, which a name level of -8 bits hides. Ranks the review queue only."""
    name_bits = math.log2(max(row["bf_name"] or 1.0, 1e-300))
    weight = row["match_weight"] - name_bits + max(name_bits, -floor_bits)
    return 1.0 / (1.0 + 2.0 ** (-weight))


def _other_firm_evidence(left: dict, right: dict) -> bool:
    """Two matched rows with websites that differ, and a second sign of two firms: the
    headquarters differ too, or one names another firm in brackets the other does not carry
    (`voestalpine (Böhler Edelstahl GmbH & Co. KG)` / `Voestalpine`)."""
    if not (left["domain"] and right["domain"] and left["domain"] != right["domain"]):
        return False
    if (
        left["country_code"]
        and right["country_code"]
        and left["country_code"] != right["country_code"]
    ):
        return True
    for a, b in ((left, right), (right, left)):
        if a["bracket_key"] and a["bracket_key"] not in (b["bracket_key"], b["name_norm"]):
            return True
    return False


def group_key(name_l: str, name_r: str, fl: str, fr: str) -> tuple[str, ...]:
    """One steward question: the two spellings. Pairs of one spelling (the same name with other
    countries or websites) are each their own question."""
    if name_l != name_r:
        return tuple(sorted((name_l, name_r)))
    return (name_l, *sorted((fl, fr)))


def review_queue(
    graph: nx.Graph,
    pairs: pa.Table,
    features: pa.Table,
    keys: dict[str, str],
    config: Config,
    decided: set[tuple[str, str]],
) -> tuple[list[dict], list[dict]]:
    """The automatic decisions most likely to be wrong, weighted by the rows they move.

    Three kinds of item: a pair scored between ``review_low`` and the match threshold whose sides
    stayed apart (``uncertain_pair``: P(wrong) is its match probability), and a matched pair
    inside one company with evidence against it (a website or country that disagrees) or a score
    below ``weak_edge_below`` (``weak_link``: P(wrong) is one minus its name-sceptical
    probability; capped harder, ``review_conflict_cap_bits``, when the websites differ and so do
    the headquarters or a bracketed firm name), and two master rows on one private website kept
    apart by their names (``shared_site``: P(wrong) is the probability with the name's evidence
    against floored at ``review_name_floor_bits``). Priority = P(wrong) x log2(1 + rows whose
    company the answer changes). Pairs of the same two spellings form one item (one question,
    one decision settles them all); the ``review_max_items`` items of highest priority are kept.
    Returns (items, item pairs).
    """
    import pyarrow.compute as pc

    # only the rows a pair or a link touches (every member of their companies is among them)
    touched = pa.array(
        sorted(
            set(graph)
            | set(pairs.column("feature_id_l").to_pylist())
            | set(pairs.column("feature_id_r").to_pylist())
        ),
        pa.string(),
    )
    touched_rows = features.filter(pc.is_in(features.column("feature_id"), value_set=touched))
    info = {r["feature_id"]: r for r in touched_rows.to_pylist()}
    cluster_rows: dict[str, int] = {}
    for f, r in info.items():
        cluster_rows[keys[f]] = cluster_rows.get(keys[f], 0) + r["mentions"]
    held: dict[str, float] = {}  # feature -> its strongest link inside its own company
    for a, b, data in graph.edges(data=True):
        if keys[a] == keys[b]:
            held[a] = max(held.get(a, 0.0), data["p"])
            held[b] = max(held.get(b, 0.0), data["p"])
    groups: dict[tuple[str, ...], dict] = {}
    columns = ["feature_id_l", "feature_id_r", "match_probability", "match_weight", "bf_name",
               "bf_domain", "bf_country_code"]  # fmt: skip
    for row in pairs.select(columns).to_pylist():
        fl, fr, p = row["feature_id_l"], row["feature_id_r"], row["match_probability"]
        apart = keys[fl] != keys[fr]
        if apart and config.review_low <= p < config.match_threshold:
            # a mention that is not an anchor joins at most one company: when it already sits
            # in one by a stronger link, this alternative is that much less likely
            kind, p_wrong = "uncertain_pair", p
            for f in (fl, fr):
                if not info[f]["is_anchor"]:
                    p_wrong *= 1.0 - held.get(f, 0.0)
            rows = min(cluster_rows[keys[fl]], cluster_rows[keys[fr]])
        elif (
            apart
            and p < config.review_low
            and info[fl]["in_master"]
            and info[fr]["in_master"]
            and info[fl]["domain"] is not None
            and info[fl]["domain"] == info[fr]["domain"]
        ):
            # two master rows on one private website, kept apart by their names
            kind = "shared_site"
            p_wrong = _name_lenient_probability(row, config.review_name_floor_bits)
            rows = min(cluster_rows[keys[fl]], cluster_rows[keys[fr]])
        elif not apart and p >= config.match_threshold and graph.has_edge(fl, fr):
            if graph.edges[fl, fr]["must"]:
                continue
            conflict = any((row[b] or 1.0) < 1.0 for b in ("bf_domain", "bf_country_code"))
            if not conflict and p >= config.weak_edge_below:
                continue
            kind = "weak_link"
            cap = config.review_name_cap_bits
            if _other_firm_evidence(info[fl], info[fr]):
                cap = config.review_conflict_cap_bits
            p_wrong = 1.0 - _name_sceptical_probability(row, cap)
            rows = min(info[fl]["mentions"], info[fr]["mentions"])
        else:
            continue
        if p_wrong < config.review_min_p_wrong:
            continue
        ml, mr = info[fl]["representative_mention"], info[fr]["representative_mention"]
        if tuple(sorted((ml, mr))) in decided:
            continue
        key = group_key(info[fl]["name_norm"], info[fr]["name_norm"], fl, fr)
        g = groups.setdefault(key, {"pairs": [], "rows": 0, "p_wrong": 0.0, "best": None})
        g["pairs"].append((fl, fr))
        g["rows"] += rows
        if g["best"] is None or p_wrong > g["p_wrong"]:
            g["p_wrong"], g["best"] = p_wrong, (kind, fl, fr, p)
    items: list[dict] = []
    for key, g in groups.items():
        kind, fl, fr, p = g["best"]
        left, right = info[fl], info[fr]
        items.append({
            "item_kind": kind, "mention_key_l": left["representative_mention"],
            "mention_key_r": right["representative_mention"], "feature_id_l": fl,
            "feature_id_r": fr, "name_l": left["display_name"], "name_r": right["display_name"],
            "country_l": left["country_code"], "country_r": right["country_code"],
            "website_l": left["display_website"], "website_r": right["display_website"],
            "match_probability": p, "p_wrong": round(g["p_wrong"], 6),
            "cluster_id_l": keys[fl], "cluster_id_r": keys[fr], "impact": g["rows"],
            "priority": round(g["p_wrong"] * math.log2(1 + g["rows"]), 6),
            "pairs_in_group": len(g["pairs"]), "group_key": "|".join(key),
        })  # fmt: skip
    items.sort(key=lambda i: (-i["priority"], -i["impact"], i["mention_key_l"], i["mention_key_r"]))
    items = items[: config.review_max_items]
    item_pairs = []
    for rank, item in enumerate(items, start=1):
        item["rank"] = rank
        key = tuple(item["group_key"].split("|"))
        item_pairs += [{"rank": rank, "feature_id_l": a, "feature_id_r": b}
                       for a, b in groups[key]["pairs"]]  # fmt: skip
    return items, item_pairs


FEATURE_TABLE_COLUMNS = [
    "feature_id", "name_norm", "domain", "country_code", "in_master", "is_anchor", "mentions",
    "other_sheet_mentions", "representative_mention", "cluster_id", "run_id",
]  # fmt: skip
PAIR_COLUMNS = [
    "feature_id_l", "feature_id_r", "mention_key_l", "mention_key_r", "name_norm_l",
    "name_norm_r", "match_weight", "match_probability",
    *(f"{kind}_{c}" for c in COMPARISONS for kind in ("gamma", "bf", "level")),
    "model_hash", "run_id",
]  # fmt: skip

RUNS_DDL = """
create schema if not exists linkage;
create table if not exists linkage.runs (
    run_id text primary key, model_hash text not null, config jsonb not null,
    mentions bigint not null, feature_rows bigint not null, scored_pairs bigint not null,
    matched_pairs bigint not null, clusters bigint not null, review_items bigint not null,
    decisions jsonb not null, seconds jsonb not null, artefacts jsonb not null,
    finished_at timestamptz not null default now()
);
comment on table linkage.runs is
    'Append-only: one row per linkage run (model, thresholds, counts).';
"""

TABLES = {
    "features": (
        "feature_id text primary key, name_norm text not null, domain text, country_code text,"
        " in_master boolean not null, is_anchor boolean not null, mentions int not null,"
        " other_sheet_mentions int not null, representative_mention text not null,"
        " cluster_id text not null, run_id text not null",
        "Distinct mention spellings (identical normalised features collapsed) as scored; anchors"
        " are master rows with a website or country, which companies are built around.",
    ),
    "clusters": (
        "mention_key text primary key, feature_id text not null, cluster_id text not null,"
        " run_id text not null",
        "One row per company mention: the cluster (company) it belongs to.",
    ),
    "match_pairs": (
        "feature_id_l text not null, feature_id_r text not null, mention_key_l text not null,"
        " mention_key_r text not null, name_norm_l text, name_norm_r text,"
        " match_weight float8 not null, match_probability float8 not null,"
        " gamma_name int, bf_name float8, level_name text,"
        " gamma_domain int, bf_domain float8, level_domain text,"
        " gamma_country_code int, bf_country_code float8, level_country_code text,"
        " model_hash text not null, run_id text not null,"
        " primary key (feature_id_l, feature_id_r)",
        "Scored pairs of distinct mention spellings (each side shown by a representative"
        " mention), with every comparison's level and Bayes factor.",
    ),
    "review_queue": (
        "rank int primary key, item_kind text not null, mention_key_l text not null,"
        " mention_key_r text not null, feature_id_l text not null, feature_id_r text not null,"
        " name_l text, name_r text, country_l text, country_r text, website_l text,"
        " website_r text, match_probability float8 not null, p_wrong float8 not null,"
        " cluster_id_l text not null, cluster_id_r text not null, impact int not null,"
        " priority float8 not null, pairs_in_group int not null, group_key text not null,"
        " run_id text not null",
        "Questions for a steward, most useful first: automatic decisions likely to be wrong"
        " (P(wrong) x log2(1 + rows the answer moves)); pairs of the same two spellings are one"
        " item. Names as written, with countries and websites.",
    ),
    "review_queue_pairs": (
        "rank int not null, feature_id_l text not null, feature_id_r text not null,"
        " run_id text not null, primary key (feature_id_l, feature_id_r)",
        "Every scored pair each review-queue item stands for (a decision on the item settles"
        " them all).",
    ),
    "decision_report": (
        "mention_key_l text not null, mention_key_r text not null, decision text not null,"
        " reviewer text not null, decided_at text not null, status text not null,"
        " detail text not null, run_id text not null",
        "What became of each current steward decision in this run (applied, no_effect, stale,"
        " conflict).",
    ),
}


def _copy(conn, table: str, rows: list | pa.Table, columns: list[str]) -> None:
    """COPY rows in; a large Arrow table goes through CSV in chunks, not row by row."""
    if isinstance(rows, pa.Table):
        import io

        import pyarrow.csv as pacsv

        target = f"copy linkage.{table} ({', '.join(columns)}) from stdin with (format csv)"
        with conn.cursor().copy(target) as copy:
            for batch in rows.to_batches(max_chunksize=100_000):
                buffer = io.BytesIO()
                pacsv.write_csv(
                    pa.Table.from_batches([batch]), buffer,
                    pacsv.WriteOptions(include_header=False),
                )  # fmt: skip
                copy.write(buffer.getvalue())
        return
    if not rows:
        return
    with conn.cursor().copy(f"copy linkage.{table} ({', '.join(columns)}) from stdin") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns] if isinstance(row, dict) else row)


def _write(
    db: Database, result: LinkResult, tables: dict[str, tuple[list, list[str]]], config: Config
) -> None:
    """Replace the linkage tables and append the run, in one transaction."""
    with db.connect() as conn, conn.transaction():
        conn.execute(RUNS_DDL)
        for name, (ddl, comment) in TABLES.items():
            conn.execute(f"drop table if exists linkage.{name}")
            conn.execute(f"create table linkage.{name} ({ddl})")
            conn.execute(
                sql.SQL("comment on table {} is {}").format(
                    sql.Identifier("linkage", name), sql.Literal(comment)
                )
            )
            rows, columns = tables[name]
            _copy(conn, name, rows, columns)
        conn.execute(
            "insert into linkage.runs (run_id, model_hash, config, mentions, feature_rows,"
            " scored_pairs, matched_pairs, clusters, review_items, decisions, seconds,"
            " artefacts) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                result.run_id, result.model_hash, json.dumps(asdict(config)), result.mentions,
                result.feature_rows, result.scored_pairs, result.matched_pairs,
                result.clusters, result.review_items, json.dumps(result.decisions),
                json.dumps(result.seconds), json.dumps(result.artefacts),
            ),
        )  # fmt: skip


def _dashboards(scored: Scored, features: pa.Table, keys: dict[str, str], run_dir: Path) -> dict:
    """Splink's comparison viewer and cluster studio (self-contained HTML, work offline)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    vis = scored.linker.visualisations
    viewer = run_dir / "comparison_viewer.html"
    vis.comparison_viewer_dashboard(scored.predictions, str(viewer), overwrite=True)
    clustered = features.select(FEATURE_COLUMNS).append_column(
        "cluster_id", pa.array([keys[f] for f in features.column("feature_id").to_pylist()])
    )
    api = scored.linker._db_api  # the linker's own API: its tables live there
    studio = run_dir / "cluster_studio.html"
    vis.cluster_studio_dashboard(
        scored.predictions, api.register(clustered), str(studio),
        sampling_method="by_cluster_size", sample_size=20, overwrite=True,
    )  # fmt: skip
    return {"comparison_viewer": str(viewer), "cluster_studio": str(studio)}


DUCKDB_MEMORY_LIMIT = "2GB"


def _duckdb() -> duckdb.DuckDBPyConnection:
    """The run's DuckDB: bounded memory, spilling to ``$AMX_HOME/duckdb_tmp``, every core."""
    spill = amx_home() / "duckdb_tmp"
    spill.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(
        config={
            "memory_limit": DUCKDB_MEMORY_LIMIT,
            "temp_directory": str(spill),
            "threads": os.cpu_count() or 1,
        }
    )


def link(db: Database, *, run_id: str | None = None, dashboards: bool = True) -> LinkResult:
    """One linkage run over the mentions in the database; returns its figures."""
    config = load_config()
    run_id = run_id or time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    seconds: dict[str, float] = {}

    def lap(name: str, started: float) -> None:
        seconds[name] = round(time.perf_counter() - started, 3)

    t = time.perf_counter()
    mentions = read_mentions(db, config)
    lap("read", t)

    t = time.perf_counter()
    con = _duckdb()
    features = collapse(con, mentions)
    mention_count = mentions.num_rows
    del mentions  # in DuckDB now
    scored = predict(con, features, config)
    pairs = explain(con, scored, run_id)
    lap("predict", t)

    t = time.perf_counter()
    current = steward.current()
    # mention -> feature row, for the mentions the stewards' decisions name (not every mention)
    decided_keys = sorted({k for pair in current for k in pair})
    con.register("decided_in", pa.table({"mention_key": pa.array(decided_keys, pa.string())}))
    feature_of = dict(
        con.execute(
            "select mention_key, feature_id from mentions"
            " where mention_key in (select mention_key from decided_in)"
        ).fetchall()
    )
    con.unregister("decided_in")
    graph = _edge_graph(pairs, config.match_threshold)
    name_of = dict(
        zip(features.column("feature_id").to_pylist(), features.column("name_norm").to_pylist(),
            strict=True)
    )  # fmt: skip
    same_question: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for fl, fr in zip(pairs.column("feature_id_l").to_pylist(),
                      pairs.column("feature_id_r").to_pylist(), strict=True):  # fmt: skip
        same_question.setdefault(group_key(name_of[fl], name_of[fr], fl, fr), []).append((fl, fr))
    outcomes = apply_decisions(graph, feature_of, current, same_question, name_of)
    is_anchor = dict(
        zip(
            features.column("feature_id").to_pylist(),
            features.column("is_anchor").to_pylist(),
            strict=True,
        )
    )
    components = with_singletons(con, anchored_components(graph, is_anchor), graph)
    _check_cannot_links(outcomes, feature_of, components)
    keys = stable_cluster_keys(features, components)
    queue, queue_pairs = review_queue(graph, pairs, features, keys, config, set(current))
    lap("cluster", t)

    mh = model_hash()
    statuses: dict[str, int] = {}
    for o in outcomes:
        statuses[o.status] = statuses.get(o.status, 0) + 1
    result = LinkResult(
        run_id=run_id,
        model_hash=mh,
        mentions=mention_count,
        feature_rows=features.num_rows,
        scored_pairs=pairs.num_rows,
        matched_pairs=sum(p >= config.match_threshold for p in
                          pairs.column("match_probability").to_pylist()),
        clusters=len(components),
        review_items=len(queue),
        decisions=statuses,
        seconds=seconds,
    )  # fmt: skip
    if dashboards:
        t = time.perf_counter()
        try:
            result.artefacts = _dashboards(scored, features, keys, amx_home() / "runs" / run_id)
        except Exception as exc:  # the dashboards are a convenience: say so, don't fail the run
            result.artefacts = {"error": f"dashboards not written: {exc}"}
        lap("dashboards", t)

    t = time.perf_counter()
    # every mention and feature row with its cluster: joined in DuckDB, written as Arrow
    con.register(
        "keys_in",
        pa.table({
            "feature_id": pa.array(list(keys), pa.string()),
            "cluster_id": pa.array(list(keys.values()), pa.string()),
        }),
    )  # fmt: skip
    clusters = con.sql(
        f"""select m.mention_key, m.feature_id, k.cluster_id, '{run_id}' as run_id
            from mentions m join keys_in k using (feature_id) order by m.mention_key"""
    ).to_arrow_table()
    feature_rows = con.sql(
        f"""select {", ".join(f"f.{c}" for c in FEATURE_TABLE_COLUMNS[:-2])}, k.cluster_id,
                   '{run_id}' as run_id
            from features f join keys_in k using (feature_id) order by f.feature_id"""
    ).to_arrow_table()
    con.unregister("keys_in")
    if clusters.num_rows != mention_count or feature_rows.num_rows != features.num_rows:
        raise RuntimeError("linkage: a mention or feature row has no cluster (nothing is dropped)")
    for item in queue + queue_pairs:
        item["run_id"] = run_id
    outcome_rows = [{**asdict(o), "run_id": run_id} for o in outcomes]
    _write(
        db, result,
        {
            "features": (feature_rows, FEATURE_TABLE_COLUMNS),
            "clusters": (clusters, ["mention_key", "feature_id", "cluster_id", "run_id"]),
            "match_pairs": (pairs.select(PAIR_COLUMNS), PAIR_COLUMNS),
            "review_queue": (queue, list(queue[0]) if queue else []),
            "review_queue_pairs": (queue_pairs, ["rank", "feature_id_l", "feature_id_r", "run_id"]),
            "decision_report": (outcome_rows, list(outcome_rows[0]) if outcome_rows else []),
        },
        config,
    )  # fmt: skip
    lap("write", t)
    return result


def clusterings_at(db: Database, thresholds: list[float]) -> dict[float, dict[str, str]]:
    """Re-cluster the stored pairs of the last run at other thresholds (no steward decisions).

    Uses the run's own clustering rule (``anchored_components``), so the row for the configured
    threshold reproduces the run. For choosing the threshold against a truth file; the run's own
    clusters are unaffected.
    """
    with db.connect() as conn:
        pairs = conn.execute(
            "select feature_id_l, feature_id_r, match_probability from linkage.match_pairs"
        ).fetchall()
        feature_of = dict(conn.execute("select mention_key, feature_id from linkage.clusters"))
    with db.connect() as conn:
        anchors = {
            f
            for (f,) in conn.execute(
                "select distinct c.feature_id from linkage.clusters c"
                " join linkage.features f using (feature_id) where f.is_anchor"
            )
        }
    in_master = {f: f in anchors for f in feature_of.values()}
    result: dict[float, dict[str, str]] = {}
    for threshold in thresholds:
        graph = nx.Graph()
        graph.add_nodes_from(sorted(in_master))
        graph.add_edges_from((left, right, {"p": p}) for left, right, p in pairs if p >= threshold)
        component: dict[str, str] = {}
        for members in anchored_components(graph, in_master):
            cid = min(members)
            for f in members:
                component[f] = cid
        result[threshold] = {m: component[f] for m, f in feature_of.items()}
    return result
