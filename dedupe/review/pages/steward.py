"""The steward's own actions, from any page: undo their last decision, say who is reviewing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for

from dedupe import decisions as steward
from dedupe.review import queries, state
from dedupe.review.inputs import check_reviewer, local_path, parse_filters

bp = Blueprint("steward", __name__)


@bp.post("/undo")
def undo():
    filters = parse_filters(request.form)
    try:
        row = steward.undo(state.current_reviewer(), state.store())
    except steward.DecisionError as exc:
        flash(str(exc), "error")
        back = local_path(request.form.get("back"))
        return redirect(back or url_for("queue.index", **filters.args()))
    flash(f"undone: {row.note[len(steward.UNDO_MARK) :].strip()} -> now {row.decision}", "ok")
    for i in queries.queue(state.conn()):
        if state.pair_key(i) == row.pair:
            return redirect(url_for("item.show", rank=i["rank"], **filters.args()))
    return redirect(url_for("queue.index", **filters.args()))


@bp.post("/reviewer")
def set_reviewer():
    session["reviewer"] = check_reviewer(request.form.get("reviewer", ""))
    return redirect(local_path(request.form.get("back")) or url_for("queue.index"))
