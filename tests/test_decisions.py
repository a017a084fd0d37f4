"""Steward decisions: the CSV store and how a run applies them to the match graph."""

from __future__ import annotations

import threading

import networkx as nx
import pytest

from dedupe import decisions as steward
from dedupe.linkage.clustering import apply_decisions

A, B, C, D = (f"Company_information.json:{i}:company_name" for i in range(4))


def _decision(left, right, decision, at="2026-11-24T10:00:00+00:00", reviewer="ana"):
    return steward.Decision(left, right, decision, reviewer, at, "")


def test_latest_decision_per_pair_wins_whatever_the_side_order(tmp_path):
    path = tmp_path / "d.csv"
    steward.append(_decision(A, B, "match", "2026-11-24T10:00:00+00:00"), path)
    steward.append(_decision(B, A, "no_match", "2026-11-24T11:00:00+00:00"), path)
    current = steward.current(path)
    assert [d.decision for d in current.values()] == ["no_match"]
    assert len(steward.read_history(path)) == 2  # history kept


def test_retract_undoes_a_decision(tmp_path):
    path = tmp_path / "d.csv"
    steward.append(_decision(A, B, "match", "2026-11-24T10:00:00+00:00"), path)
    steward.append(_decision(A, B, "retract", "2026-11-24T10:05:00+00:00"), path)
    assert steward.current(path) == {}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("decision", "maybe", "is not one of"),
        ("mention_key_r", "Company_roles.json:x:company_name", "source_file:source_row"),
        ("decided_at", "yesterday", "ISO 8601"),
        ("reviewer", "", "'reviewer' is empty"),
    ],
)
def test_invalid_decision_is_refused_naming_the_field(tmp_path, field, value, message):
    good = _decision(A, B, "match")
    bad = steward.Decision(**{**good.__dict__, field: value})
    with pytest.raises(steward.DecisionError, match=message):
        steward.append(bad, tmp_path / "d.csv")
    assert not (tmp_path / "d.csv").exists()


def test_concurrent_appends_lose_nothing(tmp_path):
    path = tmp_path / "d.csv"

    def write(n: int) -> None:
        for i in range(25):
            key = f"Company_roles.json:{n * 100 + i}:company_name"
            steward.append(_decision(A, key, "match", reviewer=f"r{n}"), path)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(steward.read_history(path)) == 100


def _graph(*edges):
    g = nx.Graph()
    g.add_nodes_from(["fa", "fb", "fc", "fd"])
    for left, right, p in edges:
        g.add_edge(left, right, p=p, must=False)
    return g


FEATURE_OF = {A: "fa", B: "fb", C: "fc", D: "fd"}


def _current(*decisions):
    return {d.pair: d for d in decisions}


def test_cannot_link_cuts_the_weakest_edge_on_the_path():
    g = _graph(("fa", "fb", 0.99), ("fb", "fc", 0.91))
    outcomes = apply_decisions(g, FEATURE_OF, _current(_decision(A, C, "no_match")))
    assert not nx.has_path(g, "fa", "fc")
    assert g.has_edge("fa", "fb") and not g.has_edge("fb", "fc")
    assert outcomes[0].status == "applied"


def test_must_link_joins_two_unconnected_mentions():
    g = _graph()
    outcomes = apply_decisions(g, FEATURE_OF, _current(_decision(A, B, "match")))
    assert nx.has_path(g, "fa", "fb")
    assert outcomes[0].status == "applied"


def test_cannot_link_across_two_must_links_is_a_conflict():
    g = _graph()
    current = _current(
        _decision(A, B, "match"), _decision(B, C, "match"), _decision(A, C, "no_match")
    )
    outcomes = apply_decisions(g, FEATURE_OF, current)
    assert {o.status for o in outcomes if o.decision == "no_match"} == {"conflict"}
    assert nx.has_path(g, "fa", "fc")


def test_decision_on_vanished_mentions_is_reported_stale():
    gone = "Company_information.json:999:company_name"
    outcomes = apply_decisions(_graph(), FEATURE_OF, _current(_decision(A, gone, "no_match")))
    assert outcomes[0].status == "stale" and gone in outcomes[0].detail


def test_a_store_holding_a_control_character_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "d.csv"
    steward.append(_decision(A, B, "match"), path)
    with path.open("a", encoding="utf-8") as fh:  # edited by hand
        fh.write(f"{A},{C},no_match,ana,2026-11-24T10:00:00+00:00,bad\x00note\n")
    with pytest.raises(steward.DecisionError, match=r"d.csv line 3: field 'note' .* U\+0000"):
        steward.read_history(path)
    with pytest.raises(steward.DecisionError, match="U\\+202E"):
        steward.append(
            steward.Decision(A, D, "match", "ana", "2026-11-24T10:00:00+00:00", "x\u202ey"), path
        )
