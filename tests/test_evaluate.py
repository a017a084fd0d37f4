"""Scoring a clustering against the truth: small cases computed by hand."""

from __future__ import annotations

import time

import pytest

from dedupe.evaluate import evaluate, format_table, load_truth, mention_key

M = "Company_information.json"
R = "Company_roles.json"

# Six mentions of three companies: A (3), B (2), C (1).
A1, A2, A3 = (
    mention_key(M, 0, "company_name"),
    mention_key(M, 1, "company_name"),
    mention_key(R, 0, "company_name"),
)
B1, B2 = mention_key(M, 2, "company_name"), mention_key(R, 1, "company_name")
C1 = mention_key(R, 2, "company_name")
TRUTH = {A1: "A", A2: "A", A3: "A", B1: "B", B2: "B", C1: "C"}


def close(a: float, b: float) -> bool:
    return a == pytest.approx(b, abs=1e-12)


def test_mention_key_format() -> None:
    assert mention_key("M_A.json", 3, "acquired_company") == "M_A.json:3:acquired_company"


def test_perfect_clustering_scores_one() -> None:
    pred = {k: f"cluster-{v}" for k, v in TRUTH.items()}  # ids differ, partition is the same
    res = evaluate(TRUTH, pred)
    for block in ("pairwise", "bcubed"):
        assert res[block] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert res["clusters"] == {"exact_match_rate": 1.0, "exact_precision": 1.0}
    c = res["counts"]
    assert (c["mentions"], c["entities"], c["clusters"]) == (6, 3, 3)
    assert (c["true_pairs"], c["predicted_pairs"], c["true_positive_pairs"]) == (4, 4, 4)
    assert res["cross_sheet"]["accuracy"] == 1.0


def test_everything_merged() -> None:
    res = evaluate(TRUTH, {k: "one" for k in TRUTH})
    # 15 predicted pairs, 4 true pairs (3 in A, 1 in B), all 4 found.
    assert close(res["pairwise"]["precision"], 4 / 15)
    assert res["pairwise"]["recall"] == 1.0
    assert close(res["pairwise"]["f1"], 2 * (4 / 15) / (1 + 4 / 15))
    # B-cubed precision: (3 * 3/6 + 2 * 2/6 + 1 * 1/6) / 6 = 14/36.
    assert close(res["bcubed"]["precision"], 14 / 36)
    assert res["bcubed"]["recall"] == 1.0
    assert res["clusters"] == {"exact_match_rate": 0.0, "exact_precision": 0.0}
    assert res["counts"]["false_positive_pairs"] == 11
    # B's and C's other-sheet mentions sit with A's master row: all wrong; A3 is linked to a
    # cluster holding two master entities, wrong too.
    assert res["cross_sheet"]["accuracy"] == 0.0


def test_everything_split() -> None:
    res = evaluate(TRUTH, {k: k for k in TRUTH})
    assert res["pairwise"]["precision"] == 1.0  # no predicted pair, nothing wrongly merged
    assert res["pairwise"]["recall"] == 0.0
    assert res["pairwise"]["f1"] == 0.0
    assert res["bcubed"]["precision"] == 1.0
    # B-cubed recall: (3 * 1/3 + 2 * 1/2 + 1 * 1) / 6 = 0.5.
    assert close(res["bcubed"]["recall"], 0.5)
    # Only C (a singleton) is reproduced exactly: 1 of 3 entities, 1 of 6 clusters.
    assert close(res["clusters"]["exact_match_rate"], 1 / 3)
    assert close(res["clusters"]["exact_precision"], 1 / 6)
    assert res["counts"]["false_negative_pairs"] == 4
    # A3 and B2 are not linked to their master rows; C1 is correctly left as new.
    xs = res["cross_sheet"]
    assert (xs["mentions"], xs["linked_right"], xs["new_right"]) == (3, 0, 1)


def test_one_wrong_merge() -> None:
    pred = {A1: "x", A2: "x", A3: "x", C1: "x", B1: "y", B2: "y"}
    res = evaluate(TRUTH, pred)
    # predicted pairs 6 + 1 = 7, true positives 3 + 1 = 4
    assert close(res["pairwise"]["precision"], 4 / 7)
    assert res["pairwise"]["recall"] == 1.0
    assert close(res["pairwise"]["f1"], 8 / 11)
    # B-cubed precision: (3 * 3/4 + 1 * 1/4 + 2 * 1) / 6 = 0.75
    assert close(res["bcubed"]["precision"], 0.75)
    assert res["bcubed"]["recall"] == 1.0
    assert close(res["clusters"]["exact_match_rate"], 1 / 3)
    assert close(res["clusters"]["exact_precision"], 1 / 2)
    xs = res["cross_sheet"]
    assert (xs["linked_right"], xs["new_right"]) == (2, 0)  # C1 wrongly joined A's master rows


def test_one_wrong_split() -> None:
    pred = {A1: "x", A2: "x", A3: "z", B1: "y", B2: "y", C1: "w"}
    res = evaluate(TRUTH, pred)
    assert res["pairwise"]["precision"] == 1.0
    assert close(res["pairwise"]["recall"], 2 / 4)
    # B-cubed recall: (2 * 2/3 + 1 * 1/3 + 2 * 1 + 1) / 6
    assert close(res["bcubed"]["recall"], (4 / 3 + 1 / 3 + 3) / 6)
    assert close(res["clusters"]["exact_match_rate"], 2 / 3)


def test_missing_and_extra_predictions() -> None:
    pred = {A1: "x", A2: "x", B1: "y", B2: "y", C1: "w", "Other.json:0:company_name": "x"}
    res = evaluate(TRUTH, pred)  # A3 missing: a singleton of its own
    assert res["counts"]["missing_predictions"] == 1
    assert res["counts"]["extra_predictions"] == 1
    assert res["counts"]["clusters"] == 4
    assert close(res["pairwise"]["recall"], 2 / 4)
    assert res["pairwise"]["precision"] == 1.0


def test_master_scope_uses_master_mentions_only() -> None:
    # A wrong merge that only touches other sheets leaves the master score perfect.
    pred = {A1: "x", A2: "x", B1: "y", A3: "z", B2: "z", C1: "z"}
    full = evaluate(TRUTH, pred)
    master = evaluate(TRUTH, pred, scope="master")
    assert full["pairwise"]["precision"] < 1.0
    assert master["counts"]["mentions"] == 3
    assert master["pairwise"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert "cross_sheet" not in master
    assert evaluate(TRUTH, pred, scope=[R])["counts"]["mentions"] == 3


def test_large_input_is_counted_not_enumerated() -> None:
    # 200,000 mentions in one cluster: 2e10 pairs. Enumerating them would never finish.
    n = 200_000
    truth = {mention_key(M, i, "company_name"): f"E{i % 1000}" for i in range(n)}
    start = time.perf_counter()
    res = evaluate(truth, dict.fromkeys(truth, "all"))
    assert time.perf_counter() - start < 5
    assert res["counts"]["predicted_pairs"] == n * (n - 1) // 2
    assert res["counts"]["true_pairs"] == 1000 * (200 * 199 // 2)
    assert res["pairwise"]["recall"] == 1.0


def test_load_truth_roundtrip_and_errors(tmp_path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text(
        "source_file,source_row,source_field,entity_id\n"
        "Company_information.json,0,company_name,E1\n"
        "M_A.json,4,acquiring_company,E2\n",
        encoding="utf-8",
    )
    assert load_truth(path) == {
        "Company_information.json:0:company_name": "E1",
        "M_A.json:4:acquiring_company": "E2",
    }
    bad = tmp_path / "bad.csv"
    bad.write_text("file,row,entity\nx,0,E1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        load_truth(bad)
    dup = tmp_path / "dup.csv"
    dup.write_text(
        "source_file,source_row,source_field,entity_id\nM_A.json,1,acquired_company,E1\n"
        "M_A.json,1,acquired_company,E2\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="twice"):
        load_truth(dup)


def test_format_table_lists_each_threshold() -> None:
    perfect = evaluate(TRUTH, dict(TRUTH))
    merged = evaluate(TRUTH, {k: "one" for k in TRUTH})
    text = format_table({0.9: perfect, 0.5: merged})
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["threshold", "pair_P", "pair_R", "pair_F1"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].split()[:4] == ["0.9", "1.0000", "1.0000", "1.0000"]
    assert lines[3].split()[:3] == ["0.5", f"{4 / 15:.4f}", "1.0000"]
    assert len(lines) == 4
    # all lines have the same width (a table, not ragged text)
    assert len({len(line) for line in lines}) == 1
