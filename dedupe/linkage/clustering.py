"""Companies from the scored pairs: a graph of matches, steward decisions, anchored components.

Edges are the pairs at or above the match threshold, plus steward must-links, minus steward
cannot-links (each cutting the weakest model edge on every remaining path). Companies are built
around anchors (master rows with a website or a country), so that mentions without either cannot
chain firms of one generic name together; every company gets a key derived from its best member,
stable across runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import networkx as nx
import pyarrow as pa

from dedupe import decisions as steward
from loaders.db import Database


@dataclass
class DecisionOutcome:
    mention_key_l: str
    mention_key_r: str
    decision: str
    reviewer: str
    decided_at: str
    status: str  # applied | no_effect | stale | conflict
    detail: str


def edge_graph(pairs: pa.Table, threshold: float) -> nx.Graph:
    """The matched pairs as a graph: only feature rows with a link are nodes (at 100x most rows
    link to nothing; they are one-row companies, added by ``with_singletons``)."""
    graph = nx.Graph()
    graph.add_edges_from(
        (left, right, {"p": p, "must": False})
        for left, right, p in zip(
            pairs.column("feature_id_l").to_pylist(),
            pairs.column("feature_id_r").to_pylist(),
            pairs.column("match_probability").to_pylist(),
            strict=True,
        )
        if p >= threshold
    )
    return graph


def _outcome(d: steward.Decision, status: str, detail: str) -> DecisionOutcome:
    return DecisionOutcome(
        d.mention_key_l, d.mention_key_r, d.decision, d.reviewer, d.decided_at, status, detail
    )


def _on_one_feature_row(d: steward.Decision) -> DecisionOutcome:
    """A decision on two mentions collapsed into one feature row: nothing the graph can do."""
    if d.decision == "match":
        return _outcome(d, "no_effect", "identical spellings and features: already one company")
    return _outcome(d, "conflict", "identical spellings and features cannot be told apart")


def _question_pairs(
    fl: str,
    fr: str,
    same_question: dict[tuple[str, ...], list[tuple[str, str]]],
    name_of: dict[str, str],
) -> set[tuple[str, str]]:
    """The pair a decision names, with every scored pair of the same two spellings."""
    group = {(fl, fr)}
    if fl in name_of and fr in name_of:
        key = group_key(name_of[fl], name_of[fr], fl, fr)
        group |= set(same_question.get(key, ()))
    return group


def _cut_cannot_links(
    graph: nx.Graph, cannot: list[tuple[steward.Decision, str, str]]
) -> list[DecisionOutcome]:
    """Cut the weakest model edge on each path still joining a cannot-link's two rows."""
    outcomes: list[DecisionOutcome] = []
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
                    outcomes.append(
                        _outcome(d, "conflict", "joined by other stewards' match decisions")
                    )
                break
            weakest = min(edges, key=lambda e: graph.edges[e]["p"])
            graph.remove_edge(*weakest)
            cut += 1
        else:
            if id(d) not in reported:
                reported.add(id(d))
                outcomes.append(_outcome(d, "applied", f"cannot-link; {cut} model edge(s) cut"))
    return outcomes


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
    for d in current.values():
        missing = [k for k in (d.mention_key_l, d.mention_key_r) if k not in feature_of]
        if missing:
            outcomes.append(_outcome(d, "stale", f"no longer in the export: {', '.join(missing)}"))
            continue
        fl, fr = feature_of[d.mention_key_l], feature_of[d.mention_key_r]
        graph.add_nodes_from((fl, fr))  # the graph holds only linked rows (``edge_graph``)
        if fl == fr:
            outcomes.append(_on_one_feature_row(d))
            continue
        group = _question_pairs(fl, fr, same_question, name_of)
        if d.decision == "match":
            for a, b in sorted(group):
                graph.add_edge(a, b, p=1.0, must=True)
            detail = "must-link" + (f" ({len(group)} pairs)" if len(group) > 1 else "")
            outcomes.append(_outcome(d, "applied", detail))
        else:
            for a, b in sorted(group):
                if graph.has_edge(a, b) and not graph.edges[a, b]["must"]:
                    graph.remove_edge(a, b)
                cannot.append((d, a, b))
    return outcomes + _cut_cannot_links(graph, cannot)


class _Partition:
    """Union-find over graph nodes: which of them one set of edges joins."""

    def __init__(self, nodes: list[str]) -> None:
        self.parent = {n: n for n in nodes}

    def find(self, n: str) -> str:
        parent = self.parent
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[str]]:
        by_root: dict[str, list[str]] = {}
        for n in self.parent:
            by_root.setdefault(self.find(n), []).append(n)
        return list(by_root.values())


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
    # each edge in both directions, read off the adjacency dicts (an edge view is slower)
    links = [(a, b, data["p"]) for a, nbrs in graph.adjacency() for b, data in nbrs.items()]
    masters = _Partition([n for n in graph if in_master[n]])
    for a, b, _ in links:
        if in_master[a] and in_master[b]:
            masters.join(a, b)
    component: dict[str, int] = {}
    members: list[set[str]] = []
    for nodes in masters.groups():
        for n in nodes:
            component[n] = len(members)
        members.append(set(nodes))
    anchor = {i: min(m) for i, m in enumerate(members)}  # stable tie-breaker

    def offers(takers: set[str]) -> dict[str, tuple[float, str, int]]:
        """Per node of ``takers``, its strongest link to a company; between equal ones, the
        company with the smallest anchor: (-p, anchor, company)."""
        best: dict[str, tuple[float, str, int]] = {}
        for n, m, p in links:
            if n in takers and m in component:
                offer = (-p, anchor[component[m]], component[m])
                if n not in best or offer < best[n]:
                    best[n] = offer
        return best

    # a mention linked to an anchored company joins the one it scores best against
    for n, (_, _, idx) in offers({n for n in graph if not in_master[n]}).items():
        component[n] = idx
        members[idx].add(n)
    # the others, through the mentions they link to, the best company any of them reaches
    rest = _Partition([n for n in graph if n not in component])
    for a, b, _ in links:
        if a in rest.parent and b in rest.parent:
            rest.join(a, b)
    groups = rest.groups()
    group_of = {n: min(nodes) for nodes in groups for n in nodes}
    group_best: dict[str, tuple[float, str, int]] = {}
    for n, offer in offers(set(rest.parent)).items():
        g = group_of[n]
        if g not in group_best or offer < group_best[g]:
            group_best[g] = offer
    for nodes in sorted(groups, key=min):
        if min(nodes) in group_best:
            idx = group_best[min(nodes)][2]
        else:  # reaches none: a company of its own
            idx = len(members)
            members.append(set())
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


def check_cannot_links(
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
    member), smallest first, so it survives reruns, appended rows and reordered files. Two
    clusters with one key are told apart by their smallest feature id (`key`, `key#2`, ...).
    Ranked set-based in DuckDB (a million feature rows at 100x the export).
    """
    membership = pa.table(
        {
            "feature_id": pa.array([f for members in components for f in members], pa.string()),
            "cluster": pa.array(
                [i for i, members in enumerate(components) for _ in members], pa.int64()
            ),
        }
    )
    con = duckdb.connect()
    con.register("membership", membership)
    con.register(
        "feature_rows", features.select(["feature_id", "name_norm", "country_code", "in_master"])
    )
    keyed = con.sql(
        """
        with members as (
            select m.cluster, m.feature_id, f.name_norm, coalesce(f.country_code, '') as country,
                   row_number() over (
                       partition by m.cluster
                       order by not f.in_master, coalesce(f.name_norm, ''),
                                coalesce(f.country_code, ''), m.feature_id
                   ) as rank_in_cluster,
                   min(m.feature_id) over (partition by m.cluster) as smallest
            from membership as m join feature_rows as f using (feature_id)
        ),
        clusters as (
            select cluster, name_norm || '|' || country as key, smallest
            from members where rank_in_cluster = 1
        ),
        numbered as (
            select cluster, key,
                   row_number() over (partition by key order by smallest) as n
            from clusters
        )
        select m.feature_id,
               case when n.n = 1 then n.key else n.key || '#' || n.n end as cluster_key
        from members as m join numbered as n using (cluster)
        """
    ).to_arrow_table()
    con.close()
    return dict(
        zip(
            keyed.column("feature_id").to_pylist(),
            keyed.column("cluster_key").to_pylist(),
            strict=True,
        )
    )


def group_key(name_l: str, name_r: str, fl: str, fr: str) -> tuple[str, ...]:
    """One steward question: the two spellings. Pairs of one spelling (the same name with other
    countries or websites) are each their own question."""
    if name_l != name_r:
        return tuple(sorted((name_l, name_r)))
    return (name_l, *sorted((fl, fr)))


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
