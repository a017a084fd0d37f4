"""The queue page: every item of the last run's review queue by priority, filtered, with the
steward's progress and what the last run made of the decisions."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from dedupe import decisions as steward
from dedupe.review import queries, state
from dedupe.review.inputs import parse_filters

bp = Blueprint("queue", __name__)


@bp.get("/")
def index():
    filters = parse_filters(request.args)
    c = state.conn()
    history, known = state.states()
    everything = queries.queue(c)
    items = queries.queue(c, filters) if filters.args() else everything
    for i in items:
        i["state"] = state.state_of(i, known)
    report = queries.decision_report(c)
    reported = {(state.pair_key(r), r["decided_at"]) for r in report}
    pending = [
        d for d in steward.current(state.store()).values() if (d.pair, d.decided_at) not in reported
    ]
    return render_template(
        "queue.html",
        run=queries.run_info(c),
        items=items,
        filters=filters,
        facets=queries.facets(c),
        progress=state.progress(everything, known),
        shown=state.progress(items, known),
        changed=[r for r in report if r["status"] == "applied"],
        not_applying=[r for r in report if r["status"] != "applied"],
        pending=pending,
        history_rows=len(history),
        first_open=next((i["rank"] for i in items if i["state"].status == "open"), None),
    )
