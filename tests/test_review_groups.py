"""One review-queue item per pair of spellings: a decision on it settles every pair of them."""

from __future__ import annotations

import networkx as nx

from dedupe import decisions as steward
from dedupe.linkage.clustering import apply_decisions, group_key

A, A2, B = (f"Company_information.json:{i}:company_name" for i in range(3))
FEATURE_OF = {A: "fa", A2: "fa2", B: "fb"}
NAME_OF = {"fa": "acme", "fa2": "acme", "fb": "acmeoperations"}  # fa, fa2: one name, two sites
SAME_QUESTION = {group_key("acme", "acmeoperations", "fa", "fb"): [("fa", "fb"), ("fa2", "fb")]}


def _graph() -> nx.Graph:
    g = nx.Graph()
    g.add_edge("fa", "fb", p=0.95, must=False)
    g.add_edge("fa2", "fb", p=0.97, must=False)
    return g


def _one(decision: str) -> dict:
    d = steward.Decision(A, B, decision, "ana", "2026-11-24T10:00:00+00:00", "")
    return {tuple(sorted((A, B))): d}


def test_group_key_is_the_pair_of_spellings_whatever_the_order():
    assert group_key("b", "a", "f1", "f2") == group_key("a", "b", "f3", "f4") == ("a", "b")
    # one spelling with other countries or websites: each pair is its own question
    assert group_key("a", "a", "f1", "f2") != group_key("a", "a", "f1", "f3")


def test_cannot_link_on_two_spellings_cuts_every_pair_of_them():
    g = _graph()
    outcomes = apply_decisions(g, FEATURE_OF, _one("no_match"), SAME_QUESTION, NAME_OF)
    assert not nx.has_path(g, "fa", "fb") and not nx.has_path(g, "fa2", "fb")
    assert [o.status for o in outcomes] == ["applied"]


def test_without_groups_only_the_decided_pair_is_cut():
    g = _graph()
    apply_decisions(g, FEATURE_OF, _one("no_match"))
    assert not g.has_edge("fa", "fb") and g.has_edge("fa2", "fb")


def test_must_link_on_two_spellings_joins_every_pair_of_them():
    g = nx.Graph()
    g.add_nodes_from(["fa", "fa2", "fb"])
    outcomes = apply_decisions(g, FEATURE_OF, _one("match"), SAME_QUESTION, NAME_OF)
    assert g.edges["fa", "fb"]["must"] and g.edges["fa2", "fb"]["must"]
    assert outcomes[0].detail == "must-link (2 pairs)"
