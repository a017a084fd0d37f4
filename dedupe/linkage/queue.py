"""The steward review queue: the automatic decisions most likely to be wrong, most useful first.

Three kinds of item: a pair scored between ``review_low`` and the match threshold whose sides
stayed apart (``uncertain_pair``: P(wrong) is its match probability), and a matched pair inside
one company with evidence against it (a website or country that disagrees) or a score below
``weak_edge_below`` (``weak_link``: P(wrong) is one minus its name-sceptical probability; capped
harder, ``review_conflict_cap_bits``, when the websites differ and so do the headquarters or a
bracketed firm name), and two master rows on one private website kept apart by their names
(``shared_site``: P(wrong) is the probability with the name's evidence against floored at
``review_name_floor_bits``). Priority = P(wrong) x log2(1 + rows whose company the answer
changes). Pairs of the same two spellings form one item (one question, one decision settles them
all); the ``review_max_items`` items of highest priority are kept. The queue only ranks
questions: it never changes a cluster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import pyarrow as pa

from dedupe.linkage.clustering import group_key
from dedupe.linkage.config import Config


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


@dataclass(frozen=True)
class _Companies:
    """What the queue knows of the rows a pair or a link touches, and of their companies."""

    graph: nx.Graph
    info: dict[str, dict]  # feature -> its row of ``features``
    keys: dict[str, str]  # feature -> cluster key
    cluster_rows: dict[str, int]  # cluster key -> the mentions the company holds
    held: dict[str, float]  # feature -> its strongest link inside its own company

    def smaller_company(self, fl: str, fr: str) -> int:
        """The mentions of the smaller of the two rows' companies (what joining them moves)."""
        return min(self.cluster_rows[self.keys[fl]], self.cluster_rows[self.keys[fr]])


# what a question reads of a row (``_Companies.info``): a feature row's token lists stay in Arrow
INFO_COLUMNS = [
    "feature_id", "name_norm", "bracket_key", "domain", "country_code", "in_master", "is_anchor",
    "mentions", "representative_mention", "display_name", "display_website",
]  # fmt: skip


def _ends(pairs: pa.Table) -> set[str]:
    return set(pairs.column("feature_id_l").to_pylist()) | set(
        pairs.column("feature_id_r").to_pylist()
    )


def _companies(
    graph: nx.Graph, pairs: pa.Table, asked: pa.Table, features: pa.Table, keys: dict[str, str]
) -> _Companies:
    """What the questions need: the rows of the pairs that may be asked (``asked``) and the size
    of every company a pair or a link touches (every member of those companies is among them)."""
    import pyarrow.compute as pc

    def rows_of(ids: set[str], columns: list[str]) -> pa.Table:
        wanted = pa.array(sorted(ids), pa.string())
        return features.select(columns).filter(
            pc.is_in(features.column("feature_id"), value_set=wanted)
        )

    touched = rows_of(set(graph) | _ends(pairs), ["feature_id", "mentions"])
    cluster_rows: dict[str, int] = {}
    for f, n in zip(touched.column("feature_id").to_pylist(),
                    touched.column("mentions").to_pylist(), strict=True):  # fmt: skip
        cluster_rows[keys[f]] = cluster_rows.get(keys[f], 0) + n
    info = {r["feature_id"]: r for r in rows_of(_ends(asked), INFO_COLUMNS).to_pylist()}
    held: dict[str, float] = {}
    for a, b, data in graph.edges(data=True):
        if keys[a] == keys[b]:
            held[a] = max(held.get(a, 0.0), data["p"])
            held[b] = max(held.get(b, 0.0), data["p"])
    return _Companies(graph, info, keys, cluster_rows, held)


def _askable(pairs: pa.Table, config: Config) -> pa.Table:
    """The pairs ``_question`` may ask about (a superset of them; it decides): a score between
    ``review_low`` and the threshold, one below ``review_low`` (two master rows on one website),
    or a match with a disagreeing website or country or a score below ``weak_edge_below``. At
    100x the export most pairs are confident matches with nothing against them."""
    import pyarrow.compute as pc

    p = pairs.column("match_probability")
    conflict = None
    for column in ("bf_domain", "bf_country_code"):
        bf = pc.fill_null(pairs.column(column), 1.0)
        against = pc.and_(pc.not_equal(bf, 0.0), pc.less(bf, 1.0))  # as `(bf or 1.0) < 1.0`
        conflict = against if conflict is None else pc.or_(conflict, against)
    keep = pc.or_(
        pc.less(p, config.match_threshold),
        pc.or_(conflict, pc.less(p, config.weak_edge_below)),
    )
    return pairs.filter(keep)


def _question(row: dict, c: _Companies, config: Config) -> tuple[str, float, int] | None:
    """The pair's item kind, P(wrong) and the rows its answer moves; None when it is no question."""
    fl, fr, p = row["feature_id_l"], row["feature_id_r"], row["match_probability"]
    left, right = c.info[fl], c.info[fr]
    apart = c.keys[fl] != c.keys[fr]
    if apart and config.review_low <= p < config.match_threshold:
        # a mention that is not an anchor joins at most one company: when it already sits
        # in one by a stronger link, this alternative is that much less likely
        p_wrong = p
        for f in (fl, fr):
            if not c.info[f]["is_anchor"]:
                p_wrong *= 1.0 - c.held.get(f, 0.0)
        return "uncertain_pair", p_wrong, c.smaller_company(fl, fr)
    if (
        apart
        and p < config.review_low
        and left["in_master"]
        and right["in_master"]
        and left["domain"] is not None
        and left["domain"] == right["domain"]
    ):
        # two master rows on one private website, kept apart by their names
        p_wrong = _name_lenient_probability(row, config.review_name_floor_bits)
        return "shared_site", p_wrong, c.smaller_company(fl, fr)
    if not apart and p >= config.match_threshold and c.graph.has_edge(fl, fr):
        if c.graph.edges[fl, fr]["must"]:
            return None
        conflict = any((row[b] or 1.0) < 1.0 for b in ("bf_domain", "bf_country_code"))
        if not conflict and p >= config.weak_edge_below:
            return None
        cap = config.review_name_cap_bits
        if _other_firm_evidence(left, right):
            cap = config.review_conflict_cap_bits
        p_wrong = 1.0 - _name_sceptical_probability(row, cap)
        return "weak_link", p_wrong, min(left["mentions"], right["mentions"])
    return None


def _item(key: tuple[str, ...], group: dict, c: _Companies) -> dict:
    """One queue item: the group's most likely wrong pair, as a steward sees it."""
    kind, fl, fr, p = group["best"]
    left, right = c.info[fl], c.info[fr]
    return {
        "item_kind": kind, "mention_key_l": left["representative_mention"],
        "mention_key_r": right["representative_mention"], "feature_id_l": fl,
        "feature_id_r": fr, "name_l": left["display_name"], "name_r": right["display_name"],
        "country_l": left["country_code"], "country_r": right["country_code"],
        "website_l": left["display_website"], "website_r": right["display_website"],
        "match_probability": p, "p_wrong": round(group["p_wrong"], 6),
        "cluster_id_l": c.keys[fl], "cluster_id_r": c.keys[fr], "impact": group["rows"],
        "priority": round(group["p_wrong"] * math.log2(1 + group["rows"]), 6),
        "pairs_in_group": len(group["pairs"]), "group_key": "|".join(key),
    }  # fmt: skip


def review_queue(
    graph: nx.Graph,
    pairs: pa.Table,
    features: pa.Table,
    keys: dict[str, str],
    config: Config,
    decided: set[tuple[str, str]],
) -> tuple[list[dict], list[dict]]:
    """The automatic decisions most likely to be wrong, weighted by the rows they move (the
    module's docstring says how). Returns (items, item pairs)."""
    columns = ["feature_id_l", "feature_id_r", "match_probability", "match_weight", "bf_name",
               "bf_domain", "bf_country_code"]  # fmt: skip
    asked = _askable(pairs.select(columns), config)
    c = _companies(graph, pairs, asked, features, keys)
    groups: dict[tuple[str, ...], dict] = {}
    for row in asked.to_pylist():
        question = _question(row, c, config)
        if question is None:
            continue
        kind, p_wrong, rows = question
        if p_wrong < config.review_min_p_wrong:
            continue
        fl, fr, p = row["feature_id_l"], row["feature_id_r"], row["match_probability"]
        ml, mr = c.info[fl]["representative_mention"], c.info[fr]["representative_mention"]
        if tuple(sorted((ml, mr))) in decided:
            continue
        key = group_key(c.info[fl]["name_norm"], c.info[fr]["name_norm"], fl, fr)
        g = groups.setdefault(key, {"pairs": [], "rows": 0, "p_wrong": 0.0, "best": None})
        g["pairs"].append((fl, fr))
        g["rows"] += rows
        if g["best"] is None or p_wrong > g["p_wrong"]:
            g["p_wrong"], g["best"] = p_wrong, (kind, fl, fr, p)
    items = [_item(key, g, c) for key, g in groups.items()]
    items.sort(key=lambda i: (-i["priority"], -i["impact"], i["mention_key_l"], i["mention_key_r"]))
    items = items[: config.review_max_items]
    item_pairs = []
    for rank, item in enumerate(items, start=1):
        item["rank"] = rank
        key = tuple(item["group_key"].split("|"))
        item_pairs += [{"rank": rank, "feature_id_l": a, "feature_id_r": b}
                       for a, b in groups[key]["pairs"]]  # fmt: skip
    return items, item_pairs
