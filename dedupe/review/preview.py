"""What a decision would do, before the next run does it: the clusters it would leave.

The clustering reuses the run's own rule (``dedupe.linkage.clustering.apply_decisions`` on the
model's edges at the threshold, with every current steward decision), restricted to the clusters
the pair touches.
The golden record of each cluster is not computed here: the database builds it with the mart's
own survivorship (``queries.golden_preview``).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from dedupe import decisions as steward
from dedupe.linkage.clustering import apply_decisions


@dataclass
class Outcome:
    """The clusters holding each side after a decision: one set when they end up together."""

    decision: str
    components: list[set[str]]  # feature ids, the left side's first

    @property
    def together(self) -> bool:
        return len(self.components) == 1


def outcome(
    decision: str,
    pair: tuple[str, str],  # the queued pair's mention keys
    scope: list[str],  # feature ids of every cluster either side is in now
    edges: list[tuple[str, str, float]],  # model edges at or above the threshold in the scope
    feature_of: dict[str, str],  # mention key -> feature id, for the scope's mentions
    current: dict[tuple[str, str], steward.Decision],
) -> Outcome:
    """Re-cluster the scope as the next run would, with ``decision`` on ``pair``."""
    graph = nx.Graph()
    graph.add_nodes_from(scope)
    for left, right, p in edges:
        graph.add_edge(left, right, p=p, must=False)
    key = tuple(sorted(pair))
    hypothetical = steward.Decision(pair[0], pair[1], decision, "preview", steward.now())
    in_scope = {
        k: d
        for k, d in current.items()
        if k != key and d.mention_key_l in feature_of and d.mention_key_r in feature_of
    }
    apply_decisions(graph, feature_of, {**in_scope, key: hypothetical})
    left, right = feature_of[pair[0]], feature_of[pair[1]]
    first = nx.node_connected_component(graph, left)
    if right in first:
        return Outcome(decision, [set(first)])
    return Outcome(decision, [set(first), set(nx.node_connected_component(graph, right))])
