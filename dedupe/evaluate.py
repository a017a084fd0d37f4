"""Scoring a clustering of company-name mentions against a ground truth.

A *mention* is one company-name cell, keyed ``"{source_file}:{source_row}:{source_field}"``
(``mention_key``), e.g. ``Company_information.json:17:company_name``. The truth maps each mention
to its real entity (``truth.csv`` from ``dedupe.synthetic``); a prediction maps mentions to cluster
ids. Everything is computed from the contingency table (true entity x predicted cluster), so the
cost is linear in the number of mentions; pairs are counted, never enumerated.

Conventions:
- Only mentions in the truth (and in the scope) are scored. A truth mention absent from the
  prediction counts as a singleton cluster of its own (``counts["missing_predictions"]``);
  predicted keys absent from the truth are ignored (``counts["extra_predictions"]``).
- With a scope (e.g. the master sheet only), both clusterings are restricted to the mentions in
  scope before scoring: pairs are pairs of in-scope mentions.
- A ratio with an empty denominator is 1.0 (no predicted pairs: nothing wrong was merged).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from loaders.sheets import MASTER_FILE

__all__ = [
    "MASTER_FILE",
    "evaluate",
    "format_table",
    "load_truth",
    "mention_key",
]

TRUTH_COLUMNS = ("source_file", "source_row", "source_field", "entity_id")


def mention_key(source_file: str, source_row: int | str, source_field: str) -> str:
    """The key of one mention: ``"{source_file}:{source_row}:{source_field}"``."""
    return f"{source_file}:{source_row}:{source_field}"


def load_truth(path: str | Path) -> dict[str, str]:
    """Read ``truth.csv`` (``source_file,source_row,source_field,entity_id``) into
    ``{mention_key: entity_id}``. Raises ``ValueError`` on a wrong header or a repeated key."""
    truth: dict[str, str] = {}
    with Path(path).open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or tuple(header) != TRUTH_COLUMNS:
            raise ValueError(f"{path}: expected header {','.join(TRUTH_COLUMNS)}, got {header}")
        for line_no, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != 4:
                raise ValueError(f"{path}:{line_no}: expected 4 columns, got {len(row)}")
            key = mention_key(row[0], row[1], row[2])
            if key in truth:
                raise ValueError(f"{path}:{line_no}: mention {key} listed twice")
            truth[key] = row[3]
    return truth


def _scope_files(scope: str | Collection[str] | None) -> frozenset[str] | None:
    if scope is None or scope == "all":
        return None
    if scope == "master":
        return frozenset({MASTER_FILE})
    if isinstance(scope, str):
        return frozenset({scope})
    return frozenset(scope)


def _file_of(key: str) -> str:
    return key.split(":", 1)[0]


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _ratio(num: float, den: float) -> float:
    return num / den if den else 1.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(
    truth: Mapping[str, str],
    predicted: Mapping[str, str],
    scope: str | Collection[str] | None = None,
) -> dict:
    """Score ``predicted`` ({mention_key: cluster_id}) against ``truth`` ({mention_key: entity}).

    ``scope``: ``None``/``"all"`` for every mention, ``"master"`` for the master sheet
    (``Company_information.json``) only, or a file name / collection of file names.

    Returns a dict with
    - ``pairwise``: ``precision``, ``recall``, ``f1`` over pairs of mentions (same predicted
      cluster vs same true entity);
    - ``bcubed``: B-cubed ``precision``, ``recall``, ``f1`` (per-mention, averaged);
    - ``clusters``: ``exact_match_rate`` (true entities reproduced exactly as one predicted
      cluster, over true entities), ``exact_precision`` (predicted clusters that are exactly one
      true entity, over predicted clusters);
    - ``cross_sheet`` (when the scope includes the master and other sheets): ``accuracy`` of
      non-master mentions — linked to a cluster whose master rows are all of its own entity when
      that entity is in the master, or to a cluster without master rows when it is not;
    - ``counts``: mentions, entities, clusters, pair counts, missing / extra predictions.
    """
    files = _scope_files(scope)
    keys = [k for k in truth if files is None or _file_of(k) in files]
    n = len(keys)

    # Contingency table. Missing predictions become singletons (a key no cluster id can equal).
    ts = [truth[k] for k in keys]
    ps: list[object] = [predicted.get(k) for k in keys]
    missing = 0
    for i, p in enumerate(ps):
        if p is None:
            missing += 1
            ps[i] = ("__missing__", keys[i])
    cells: Counter[tuple[str, object]] = Counter(zip(ts, ps, strict=True))
    true_sizes: Counter[str] = Counter(ts)
    pred_sizes: Counter[object] = Counter(ps)
    assigned = ps
    extra = sum(1 for k in predicted if k not in truth)

    tp = sum(_pairs(c) for c in cells.values())
    true_pairs = sum(_pairs(c) for c in true_sizes.values())
    pred_pairs = sum(_pairs(c) for c in pred_sizes.values())
    p_pair = _ratio(tp, pred_pairs)
    r_pair = _ratio(tp, true_pairs)

    b3_p = sum(c * c / pred_sizes[p] for (_t, p), c in cells.items())
    b3_r = sum(c * c / true_sizes[t] for (t, _p), c in cells.items())
    b3_p = _ratio(b3_p, n)
    b3_r = _ratio(b3_r, n)

    exact = sum(1 for (t, p), c in cells.items() if c == true_sizes[t] == pred_sizes[p])

    result: dict = {
        "scope": "all" if files is None else ",".join(sorted(files)),
        "pairwise": {"precision": p_pair, "recall": r_pair, "f1": _f1(p_pair, r_pair)},
        "bcubed": {"precision": b3_p, "recall": b3_r, "f1": _f1(b3_p, b3_r)},
        "clusters": {
            "exact_match_rate": _ratio(exact, len(true_sizes)),
            "exact_precision": _ratio(exact, len(pred_sizes)),
        },
        "counts": {
            "mentions": n,
            "entities": len(true_sizes),
            "clusters": len(pred_sizes),
            "true_pairs": true_pairs,
            "predicted_pairs": pred_pairs,
            "true_positive_pairs": tp,
            "false_positive_pairs": pred_pairs - tp,
            "false_negative_pairs": true_pairs - tp,
            "exact_clusters": exact,
            "missing_predictions": missing,
            "extra_predictions": extra,
        },
    }
    if files is None or (MASTER_FILE in files and len(files) > 1):
        result["cross_sheet"] = _cross_sheet(keys, assigned, truth)
    return result


def _cross_sheet(keys: list[str], assigned: list[object], truth: Mapping[str, str]) -> dict:
    # For each predicted cluster, the one master entity its master rows belong to (or _MIXED).
    sig: dict[object, object] = {}
    in_master: set[str] = set()
    prefix = MASTER_FILE + ":"
    is_master = [k.startswith(prefix) for k in keys]
    for k, p, m in zip(keys, assigned, is_master, strict=True):
        if m:
            t = truth[k]
            in_master.add(t)
            old = sig.get(p, t)
            sig[p] = t if old == t else _MIXED
    linked_right = new_right = total = 0
    for k, p, m in zip(keys, assigned, is_master, strict=True):
        if m:
            continue
        total += 1
        t = truth[k]
        if t in in_master:
            linked_right += sig.get(p) == t
        else:
            new_right += p not in sig
    return {
        "accuracy": _ratio(linked_right + new_right, total),
        "mentions": total,
        "linked_right": linked_right,
        "new_right": new_right,
    }


_MIXED = object()


def _fmt(x: float) -> str:
    return f"{x:.4f}"


def format_table(rows: Mapping[float, Mapping] | Iterable[tuple[float, Mapping]]) -> str:
    """A plain-text table of ``evaluate`` results, one line per threshold.

    ``rows``: ``{threshold: result}`` or ``[(threshold, result), ...]`` (kept in that order).
    """
    items = list(rows.items()) if isinstance(rows, Mapping) else list(rows)
    header = (
        "threshold",
        "pair_P",
        "pair_R",
        "pair_F1",
        "b3_P",
        "b3_R",
        "b3_F1",
        "exact",
        "xsheet",
        "clusters",
        "FP_pairs",
        "FN_pairs",
    )
    lines = [header]
    for threshold, res in items:
        pw, b3, cl, ct = res["pairwise"], res["bcubed"], res["clusters"], res["counts"]
        xs = res.get("cross_sheet")
        lines.append(
            (
                f"{threshold:g}" if isinstance(threshold, float | int) else str(threshold),
                _fmt(pw["precision"]),
                _fmt(pw["recall"]),
                _fmt(pw["f1"]),
                _fmt(b3["precision"]),
                _fmt(b3["recall"]),
                _fmt(b3["f1"]),
                _fmt(cl["exact_match_rate"]),
                _fmt(xs["accuracy"]) if xs else "-",
                str(ct["clusters"]),
                str(ct["false_positive_pairs"]),
                str(ct["false_negative_pairs"]),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for j, line in enumerate(lines):
        out.append("  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)))
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
