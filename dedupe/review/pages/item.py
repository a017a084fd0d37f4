"""A queue item: both sides of the pair with every source row behind them, the evidence, what
each decision would make of the clusters and golden records, and the form that records one."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from dedupe import decisions as steward
from dedupe.review import chart, preview, queries, state
from dedupe.review.inputs import check_choice, check_note, parse_filters

bp = Blueprint("item", __name__)


def _neighbours(ranks: list[int], rank: int) -> dict:
    """Where ``rank`` stands in the filtered list, and the items before and after it."""
    position = ranks.index(rank) if rank in ranks else None
    following = ranks[position + 1 :] if position is not None else []
    return {
        "position": (position + 1) if position is not None else None,
        "listed": len(ranks),
        "prev_rank": ranks[position - 1] if position else None,
        "next_rank": following[0] if following else None,
    }


def _sides(c, it: dict) -> tuple[list[str], list[dict], dict]:
    """The clusters either side is in: their feature ids, every mention with its raw row, and
    the mentions split into left, right and the rest."""
    cluster_ids = sorted({it["cluster_id_l"], it["cluster_id_r"]})
    scope = queries.cluster_features(c, cluster_ids)
    rows = queries.mentions(c, scope)
    raw = queries.raw_rows(c, rows)
    for m in rows:
        m["raw"] = raw.get((m["source_file"], int(m["source_row"])), {})
    pair = (it["feature_id_l"], it["feature_id_r"])
    sides = {
        "left": [m for m in rows if m["feature_id"] == it["feature_id_l"]],
        "right": [m for m in rows if m["feature_id"] == it["feature_id_r"]],
        "rest": [m for m in rows if m["feature_id"] not in pair],
    }
    return scope, rows, sides


def _previews(c, it: dict, scope: list[str], rows: list[dict], threshold: float) -> dict:
    """Per choice (same, different): the golden records the next run would build."""
    feature_of = {m["mention_key"]: m["feature_id"] for m in rows}
    edges = queries.model_edges(c, scope, threshold)
    current = steward.current(state.store())
    pair = (it["mention_key_l"], it["mention_key_r"])
    previews = {}
    for choice, decision in (("same", "match"), ("different", "no_match")):
        result = preview.outcome(decision, pair, scope, edges, feature_of, current)
        groups = [
            [m["mention_key"] for m in rows if m["feature_id"] in component]
            for component in result.components
        ]
        previews[choice] = queries.golden_preview(c, groups)
    return previews


@bp.get("/item/<int:rank>")
def show(rank: int):
    filters = parse_filters(request.args)
    c = state.conn()
    run = queries.run_info(c)
    it = queries.item(c, rank)
    if it is None:
        abort(404, f"queue item {rank} is not in the last run's queue ({run.run_id})")
    history, known = state.states()
    ranks = [i["rank"] for i in queries.queue(c, filters)]
    scope, rows, sides = _sides(c, it)
    both = sides["left"] + sides["right"]
    company_ids = sorted({m["company_id"] for m in both if m["company_id"]})
    key = state.pair_key(it)
    ev = queries.evidence(c, it["feature_id_l"], it["feature_id_r"])
    return render_template(
        "item.html",
        run=run,
        item=it,
        filters=filters,
        query=urlencode(filters.args()),
        **_neighbours(ranks, rank),
        **sides,
        evidence=ev,
        chart=chart.waterfall(ev, run.match_threshold) if ev else None,
        previews=_previews(c, it, scope, rows, run.match_threshold),
        golden_now=queries.companies(c, company_ids),
        state=state.state_of(it, known),
        history=[d for d in history if d.pair == key],
        undoable=steward.undoable(state.current_reviewer(), state.store()),
        progress=state.progress(queries.queue(c), known),
    )


@bp.post("/item/<int:rank>/decide")
def decide(rank: int):
    filters = parse_filters(request.form)
    decision = check_choice(request.form.get("choice", ""))
    note = check_note(request.form.get("note", ""))
    c = state.conn()
    it = queries.item(c, rank)
    if it is None:
        abort(404, f"queue item {rank} is not in the last run's queue")
    recorded = steward.append(
        steward.Decision(
            it["mention_key_l"],
            it["mention_key_r"],
            decision,
            state.current_reviewer(),
            steward.now(),
            note,
        ),
        state.store(),
    )
    label = state.DECISION_LABELS[recorded.decision]
    flash(f"#{rank} {it['name_l']} / {it['name_r']}: recorded “{label}” — u undoes it", "ok")
    _, known = state.states()
    listed = queries.queue(c, filters)
    after = [i for i in listed if i["rank"] > rank] + [i for i in listed if i["rank"] < rank]
    nxt = next((i["rank"] for i in after if state.state_of(i, known).status == "open"), None)
    if nxt is None:
        return redirect(url_for("queue.index", **filters.args()))
    return redirect(url_for("item.show", rank=nxt, **filters.args()))
