"""Scoring the published build against hand labels of the real export.

``amx link evaluate --labels DIR``.

The labels (``pairs.csv``: pairs of master rows; ``mentions.csv``: mentions in the other sheets
with the master row they belong to) and the scoring rules are those of the labels' README:

- a pair is *predicted same* when both master rows end in the same company
  (``public.company_source_records.company_id``); precision, recall and F1 over ``match`` /
  ``no_match`` pairs, ``unsure`` left out;
- a ``match`` mention is right when its company is the company of one of its labelled master
  rows; a ``no_master`` mention is right when its company holds no master row at all;
- row numbers are 0-based positions in the file's JSON list (the pipeline's ``source_row``).

Besides the scores it lists every error with the evidence the model had (match weight and the
level of each comparison of the two spellings, when that pair was scored) and measures the review
queue: the share of the wrong automatic decisions that one queue item would put right. An item
"catches" an error when a steward's answer to it changes the outcome: for two rows wrongly kept
apart, an item between their two companies; for two rows wrongly merged, an item inside their
company whose cut separates them in the company's graph of matched pairs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from loaders.db import Database
from loaders.sheets import MASTER_FILE, SHEETS

PAIR_COLUMNS = ("pair_id", "left_row", "right_row", "label")
MENTION_COLUMNS = ("mention_id", "sheet", "sheet_row", "candidate_row", "label")
# The two company columns of the M&A sheet, as the labels name them.
MA_FIELDS = {"M_A:acquired": "acquired_company", "M_A:acquiring": "acquiring_company"}


def sheet_file(sheet: str) -> tuple[str, str]:
    """(source_file, source_field) of a label's sheet name (`Print_services_Pricing` ->
    `Print_services_Pricing_data.json`, `M_A:acquired` -> `M_A.json`, acquired_company)."""
    if sheet in MA_FIELDS:
        return "M_A.json", MA_FIELDS[sheet]
    found = [
        s.file_name
        for s in SHEETS
        if (stem := s.file_name.removesuffix(".json")) == sheet
        or stem.endswith("___" + sheet)
        or stem.startswith(sheet + "_")
    ]
    if len(found) != 1:
        raise ValueError(f"sheet {sheet!r} names {len(found)} files of the contract: {found}")
    return found[0], "company_name"


def master_key(row: int | str) -> str:
    return f"{MASTER_FILE}:{int(row)}:company_name"


@dataclass(frozen=True)
class PairLabel:
    pair_id: str
    left: str  # mention key
    right: str
    label: str  # match | no_match
    left_name: str = ""
    right_name: str = ""


@dataclass(frozen=True)
class MentionLabel:
    mention_id: str
    sheet: str
    mention: str  # mention key
    masters: tuple[str, ...]  # the master rows it belongs to (match) or must avoid (no_master)
    label: str  # match | no_master
    name: str = ""


@dataclass
class Labels:
    pairs: list[PairLabel]
    mentions: list[MentionLabel]
    unsure_pairs: int = 0
    unsure_mentions: int = 0


def _rows(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    if not path.exists():
        raise ValueError(f"{path}: labels file not found")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        return list(reader)


class _LabelledRows:
    """The rows of one labels file with a known label, each with its line number, read as they
    are iterated; counts the ``unsure`` rows it leaves out."""

    def __init__(self, path: Path, required: Iterable[str], known: tuple[str, ...]) -> None:
        self.path, self.required, self.known = path, required, known
        self.unsure = 0

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        for line, r in enumerate(_rows(self.path, self.required), start=2):
            if r["label"] == "unsure":
                self.unsure += 1
                continue
            if r["label"] not in self.known:
                raise ValueError(f"{self.path}:{line}: unknown label {r['label']!r}")
            yield line, r


def load_labels(directory: str | Path) -> Labels:
    """Read ``pairs.csv`` and ``mentions.csv``; ``unsure`` rows are counted and left out."""
    directory = Path(directory)
    labels = Labels([], [])
    pair_rows = _LabelledRows(directory / "pairs.csv", PAIR_COLUMNS, ("match", "no_match"))
    for _, r in pair_rows:
        labels.pairs.append(
            PairLabel(
                r["pair_id"], master_key(r["left_row"]), master_key(r["right_row"]), r["label"],
                r.get("left_name", ""), r.get("right_name", ""),
            )
        )  # fmt: skip
    labels.unsure_pairs = pair_rows.unsure
    grouped: dict[str, dict] = {}
    mention_rows = _LabelledRows(
        directory / "mentions.csv", MENTION_COLUMNS, ("match", "no_master")
    )
    for line, r in mention_rows:
        source_file, source_field = sheet_file(r["sheet"])
        key = f"{source_file}:{int(r['sheet_row'])}:{source_field}"
        g = grouped.setdefault(
            key,
            {"id": r["mention_id"], "sheet": r["sheet"], "label": r["label"], "masters": [],
             "name": r.get("mention_name", "")},
        )  # fmt: skip
        if g["label"] != r["label"]:
            raise ValueError(f"{directory / 'mentions.csv'}:{line}: {key} labelled both ways")
        g["masters"].append(master_key(r["candidate_row"]))
    for key, g in grouped.items():
        labels.mentions.append(
            MentionLabel(g["id"], g["sheet"], key, tuple(g["masters"]), g["label"], g["name"])
        )
    labels.unsure_mentions = mention_rows.unsure
    return labels


@dataclass
class Error:
    kind: str  # false_merge | missed_link | mention_wrong_company | mention_unlinked | ...
    label_id: str
    sheet: str
    left: str
    right: str
    left_name: str
    right_name: str
    detail: str = ""
    match_weight: float | None = None
    levels: str = ""
    in_queue: bool = False
    queue_rank: int | None = None


@dataclass
class Report:
    pairs: dict = field(default_factory=dict)
    mentions: dict = field(default_factory=dict)
    per_sheet: dict[str, dict] = field(default_factory=dict)
    queue: dict = field(default_factory=dict)
    errors: list[Error] = field(default_factory=list)


class _State:
    """What the last published build and linkage run hold for the labelled rows."""

    def __init__(self, db: Database) -> None:
        with db.connect() as conn:
            if conn.execute("select to_regclass('public.company_source_records')").fetchone()[0] \
                    is None:  # fmt: skip
                raise ValueError(
                    "public.company_source_records does not exist: run `amx run` first"
                )
            self.company = {
                k: str(c)
                for k, c in conn.execute(
                    "select mention_key, company_id from public.company_source_records"
                )
            }
            self.master_companies = {
                str(c)
                for (c,) in conn.execute(
                    "select distinct company_id from public.company_source_records"
                    " where source_file = %s",
                    (MASTER_FILE,),
                )
            }
            self.names = dict(
                conn.execute("select mention_key, source_name from public.company_source_records")
            )
            self.feature = dict(
                conn.execute("select mention_key, feature_id from linkage.clusters")
            )
            self.cluster = dict(conn.execute("select feature_id, cluster_id from linkage.features"))
            self.run_threshold = float(
                conn.execute(
                    "select (config->>'match_threshold')::float8 from linkage.runs"
                    " order by finished_at desc limit 1"
                ).fetchone()[0]
            )
            pairs = conn.execute(
                "select feature_id_l, feature_id_r, match_weight, match_probability,"
                " level_name, level_domain, level_country_code from linkage.match_pairs"
            ).fetchall()
            has_pairs = conn.execute(
                "select to_regclass('linkage.review_queue_pairs') is not null"
            ).fetchone()[0]
            # every scored pair an item stands for (one decision settles its group)
            self.queue = conn.execute(
                "select rank, feature_id_l, feature_id_r from linkage.review_queue"
                + (
                    " union select rank, feature_id_l, feature_id_r from linkage.review_queue_pairs"
                    if has_pairs
                    else ""
                )
            ).fetchall()
            self.queue_items = conn.execute("select count(*) from linkage.review_queue").fetchone()[
                0
            ]
        self.pair = {}
        self.edges: dict[str, nx.Graph] = {}
        for fl, fr, weight, p, ln, ld, lc in pairs:
            info = (weight, p, f"name: {ln}; domain: {ld}; country: {lc}")
            self.pair[(fl, fr)] = self.pair[(fr, fl)] = info
            cl, cr = self.cluster.get(fl), self.cluster.get(fr)
            if p >= self.run_threshold and cl is not None and cl == cr:
                self.edges.setdefault(cl, nx.Graph()).add_edge(fl, fr)

    def name(self, k: str) -> str:
        """The mention's name as written (its key when the build does not hold it)."""
        return self.names.get(k) or k

    def evidence(self, a: str, b: str) -> tuple[float | None, str]:
        fa, fb = self.feature.get(a), self.feature.get(b)
        if fa is not None and fa == fb:
            return None, "identical features (one spelling, same website and country)"
        info = self.pair.get((fa, fb))
        if info is None:
            return None, "pair not scored (not blocked together, or below the stored minimum)"
        return info[0], f"p={info[1]:.3f}; {info[2]}"

    def catches_split(self, a: str, b: str) -> int | None:
        """The first queue item whose answer would merge the companies of a and b."""
        ca, cb = self.cluster.get(self.feature.get(a)), self.cluster.get(self.feature.get(b))
        best = None
        for rank, fl, fr in self.queue:
            if {self.cluster.get(fl), self.cluster.get(fr)} == {ca, cb}:
                best = rank if best is None else min(best, rank)
        return best

    def catches_merge(self, a: str, b: str) -> int | None:
        """The first queue item inside a and b's company whose cut separates them."""
        fa, fb = self.feature.get(a), self.feature.get(b)
        cluster = self.cluster.get(fa)
        graph = self.edges.get(cluster)
        if fa == fb or graph is None or fa not in graph or fb not in graph:
            return None
        best = None
        for rank, fl, fr in self.queue:
            if not graph.has_edge(fl, fr):
                continue
            if fl in (fa, fb) and fr in (fa, fb):
                hit = True
            else:
                graph.remove_edge(fl, fr)
                hit = not nx.has_path(graph, fa, fb)
                graph.add_edge(fl, fr)
            if hit:
                best = rank if best is None else min(best, rank)
        return best


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def _score_pairs(state: _State, pairs: list[PairLabel], errors: list[Error]) -> dict:
    """Precision, recall and F1 over the labelled master-row pairs; each wrong one to ``errors``."""
    tp = fp = fn = tn = 0
    for p in pairs:
        same = state.company[p.left] == state.company[p.right]
        if p.label == "match":
            tp += same
            fn += not same
        else:
            fp += same
            tn += not same
        if same == (p.label == "match"):
            continue
        weight, levels = state.evidence(p.left, p.right)
        rank = (
            state.catches_merge(p.left, p.right) if same else state.catches_split(p.left, p.right)
        )
        errors.append(
            Error(
                "false_merge" if same else "missed_link", p.pair_id, "master", p.left, p.right,
                state.name(p.left), state.name(p.right), "", weight, levels, rank is not None,
                rank,
            )
        )  # fmt: skip
    return {**_prf(tp, fp, fn), "tn": tn, "labelled": len(pairs)}


def _mention_error(state: _State, m: MentionLabel, company: str) -> Error:
    """A mention in the wrong company (or alone, or linked where it should not be), with the
    first queue item whose answer would put it right."""
    target = m.masters[0]
    linked = company in state.master_companies
    if m.label == "match":
        kind = "mention_wrong_company" if linked else "mention_unlinked"
        # an item between its company and the right one fixes it
        rank = state.catches_split(m.mention, target)
    else:
        kind, rank = "mention_false_link", None
    if linked:
        # so does an item whose cut separates it from the wrong company's master rows
        for k, c in state.company.items():
            if c == company and k.startswith(MASTER_FILE + ":"):
                r = state.catches_merge(m.mention, k)
                if r is not None and (rank is None or r < rank):
                    rank = r
    other = next(
        (k for k, c in state.company.items() if c == company and k.startswith(MASTER_FILE)),
        target,
    )
    weight, levels = state.evidence(m.mention, other if m.label == "no_master" else target)
    detail = (
        f"labelled: {state.name(target)}" if m.label == "match" else "labelled: no master row"
    ) + (f"; linked to: {state.name(other)}" if linked else "; alone")
    return Error(
        kind, m.mention_id, m.sheet, m.mention, other if m.label == "no_master" else target,
        state.name(m.mention), state.name(other if m.label == "no_master" else target), detail,
        weight, levels, rank is not None, rank,
    )  # fmt: skip


def _score_mentions(
    state: _State, mentions: list[MentionLabel], errors: list[Error]
) -> dict[str, list[int]]:
    """Per sheet, 1 for each labelled mention in the right company, else 0 (and an error)."""
    right_by_sheet: dict[str, list[int]] = {}
    for m in mentions:
        company = state.company[m.mention]
        masters = {state.company[k] for k in m.masters}
        # a no_master mention is right when its company holds no master row at all
        ok = company in masters if m.label == "match" else company not in state.master_companies
        right_by_sheet.setdefault(m.sheet, []).append(int(ok))
        if not ok:
            errors.append(_mention_error(state, m, company))
    return right_by_sheet


def score(db: Database, labels: Labels) -> Report:
    """Score the published build (and the last linkage run's queue) against the labels."""
    keys = {k for p in labels.pairs for k in (p.left, p.right)}
    keys |= {k for m in labels.mentions for k in (m.mention, *m.masters)}
    state = _State(db)
    missing = sorted(k for k in keys if k not in state.company)
    if missing:
        raise ValueError(
            f"{len(missing)} labelled row(s) are not in public.company_source_records"
            f" (labels for another export?): {', '.join(missing[:5])}"
        )
    report = Report()
    report.pairs = _score_pairs(state, labels.pairs, report.errors)
    right_by_sheet = _score_mentions(state, labels.mentions, report.errors)
    total = sum(len(v) for v in right_by_sheet.values())
    right = sum(sum(v) for v in right_by_sheet.values())
    report.mentions = {
        "accuracy": right / total if total else 1.0,
        "right": right,
        "labelled": total,
    }
    report.per_sheet = {
        s: {"accuracy": sum(v) / len(v), "right": sum(v), "labelled": len(v)}
        for s, v in sorted(right_by_sheet.items())
    }
    caught = sum(e.in_queue for e in report.errors)
    report.queue = {
        "items": state.queue_items,
        "errors": len(report.errors),
        "caught": caught,
        "catch_rate": caught / len(report.errors) if report.errors else 1.0,
    }
    return report


def format_report(report: Report) -> str:
    p, m, q = report.pairs, report.mentions, report.queue
    lines = [
        f"master-list pairs ({p['labelled']} labelled): precision {p['precision']:.3f}"
        f"  recall {p['recall']:.3f}  F1 {p['f1']:.3f}"
        f"  (tp {p['tp']}, fp {p['fp']}, fn {p['fn']}, tn {p['tn']})",
        f"mentions ({m['labelled']} labelled): accuracy {m['accuracy']:.3f} ({m['right']} right)",
    ]
    for sheet, s in report.per_sheet.items():
        lines.append(f"  {sheet:<28} {s['accuracy']:.3f}  ({s['right']}/{s['labelled']})")
    lines.append(
        f"review queue: {q['items']} items; catches {q['caught']} of {q['errors']} wrong"
        f" automatic decisions ({q['catch_rate']:.0%})"
    )
    if report.errors:
        lines.append("")
        lines.append("errors (kind, label, names, match weight, levels, queue rank):")
    for e in sorted(report.errors, key=lambda e: (e.kind, e.label_id)):
        weight = f"{e.match_weight:.2f}" if e.match_weight is not None else "-"
        lines.append(
            f"  {e.kind:<22} {e.label_id} [{e.sheet}] {e.left_name!r} / {e.right_name!r}"
            f"  weight {weight}  queue {e.queue_rank if e.in_queue else '-'}"
        )
        lines.append(f"      {e.levels}" + (f"  — {e.detail}" if e.detail else ""))
    return "\n".join(lines)
