"""The steward review page (Flask, server-rendered; a little vanilla JS for keyboard shortcuts).

Reads the last linkage run from the database and writes decisions only through the decision
store (``dedupe.decisions``): nothing here changes a cluster; the next ``amx link apply`` or
``amx run`` does. Every form posts a per-process token, so another site open in the same browser
cannot record decisions; every input is checked against a closed set or a pattern.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import (
    Flask,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import SecurityError

from dedupe import decisions as steward
from dedupe.review import chart, preview, queries
from loaders.db import Database, resolve_database

CHOICES = {"same": "match", "different": "no_match", "skip": "skip"}
DECISION_LABELS = {
    "match": "same company",
    "no_match": "different companies",
    "skip": "skipped",
    "retract": "retracted",
}
NOTE_MAX = 500
REVIEWER_RE = re.compile(r"^[\w.@+-](?:[\w .@+-]{0,62}[\w.@+-])?$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


class InputError(ValueError):
    """A request value outside what the page offers; the message says which."""


def check_reviewer(value: str) -> str:
    value = (value or "").strip()
    if not REVIEWER_RE.match(value):
        raise InputError(
            f"reviewer {value!r}: use 1-64 letters, digits, spaces or . @ + - _ (no leading space)"
        )
    return value


def check_note(value: str) -> str:
    note = " ".join((value or "").split())  # one line in the CSV, whatever was typed
    if len(note) > NOTE_MAX:
        raise InputError(f"note: at most {NOTE_MAX} characters ({len(note)} given)")
    if note.startswith(steward.UNDO_MARK):
        note = note[len(steward.UNDO_MARK) :].strip()  # that prefix belongs to undo rows
    return note


def parse_filters(args) -> queries.Filters:
    """Filters from a query string; empty means none, anything else must be a known value."""
    band = args.get("band") or None
    sheet = args.get("sheet") or None
    country = (args.get("country") or "").strip().upper() or None
    kind = args.get("kind") or None
    if band is not None and band not in queries.BANDS:
        raise InputError(f"band {band!r} is not one of {', '.join(queries.BANDS)}")
    if sheet is not None and sheet not in queries.RAW_TABLE:
        raise InputError(f"sheet {sheet!r} is not a sheet of the export")
    if country is not None and not COUNTRY_RE.match(country):
        raise InputError(f"country {country!r} is not a two-letter ISO code")
    if kind is not None and kind not in queries.KINDS:
        raise InputError(f"kind {kind!r} is not one of {', '.join(queries.KINDS)}")
    return queries.Filters(band=band, sheet=sheet, country=country, kind=kind)


@dataclass
class PairState:
    """What the decision store says about a queued pair now."""

    status: str  # open | decided | skipped
    decision: steward.Decision | None = None  # the current decision, or the latest skip

    @property
    def label(self) -> str:
        if self.decision is None:
            return "open"
        text = DECISION_LABELS[self.decision.decision]
        return f"{text} ({self.decision.reviewer})"


def pair_states(history: list[steward.Decision]) -> dict[tuple[str, str], PairState]:
    """Per pair: decided (a current match / no_match), skipped (latest row a skip), else open."""
    latest_any: dict[tuple[str, str], steward.Decision] = {}
    for d in steward.in_order(history):
        latest_any[d.pair] = d
    current = {}
    for d in steward.in_order(history):
        if d.decision != "skip":
            current[d.pair] = d
    states = {}
    for pair, last in latest_any.items():
        now = current.get(pair)
        if now is not None and now.decision in ("match", "no_match"):
            states[pair] = PairState("decided", now)
        elif last.decision == "skip":
            states[pair] = PairState("skipped", last)
    return states


def _key(item: dict) -> tuple[str, str]:
    return tuple(sorted((item["mention_key_l"], item["mention_key_r"])))  # type: ignore[return-value]


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
# Every response: never inside a frame (clickjacking a decision), no sniffing, no referrer.
SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def create_app(
    db: Database | None = None,
    *,
    reviewer: str = "steward",
    decisions_path: Path | None = None,
    trusted_hosts: tuple[str, ...] = LOCAL_HOSTS,
) -> Flask:
    """The review app over ``db`` (default: the database in use), recording as ``reviewer``.

    Only requests whose ``Host`` is one of ``trusted_hosts`` are served (400 otherwise): a page
    elsewhere that rebinds its own name to 127.0.0.1 (DNS rebinding) cannot read or post here.
    """
    app = Flask(__name__)
    app.config.update(
        TRUSTED_HOSTS=list(trusted_hosts),
        SECRET_KEY=secrets.token_hex(32),
        SESSION_COOKIE_SAMESITE="Strict",
        AMX_DB=db,
        AMX_REVIEWER=check_reviewer(reviewer),
        AMX_DECISIONS_PATH=decisions_path,
        AMX_TOKEN=secrets.token_urlsafe(24),
    )

    app.jinja_env.filters["sheet"] = _sheet_label

    def database() -> Database:
        if app.config["AMX_DB"] is None:
            app.config["AMX_DB"] = resolve_database()
        return app.config["AMX_DB"]

    def store() -> Path:
        return app.config["AMX_DECISIONS_PATH"] or steward.decisions_path()

    def conn():
        if "conn" not in g:
            g.conn = database().connect(autocommit=True)
        return g.conn

    def current_reviewer() -> str:
        return session.get("reviewer") or app.config["AMX_REVIEWER"]

    @app.teardown_appcontext
    def _close(_exc) -> None:
        connection = g.pop("conn", None)
        if connection is not None:
            connection.close()

    @app.errorhandler(InputError)
    def _bad_input(exc: InputError):
        return render_template("error.html", message=str(exc), code=400), 400

    @app.errorhandler(steward.DecisionError)
    def _bad_decision(exc: steward.DecisionError):
        return render_template("error.html", message=str(exc), code=400), 400

    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.before_request
    def _check_host():
        """First of all: a request for any other host name gets a bare 400 (no page, no link)."""
        try:
            request.host  # noqa: B018 - Werkzeug checks it against TRUSTED_HOSTS
        except SecurityError:
            return Response("untrusted Host header\n", status=400, mimetype="text/plain")
        return None

    @app.before_request
    def _check_token() -> None:
        if request.method == "POST":
            sent = request.form.get("token", "")
            if not hmac.compare_digest(sent, app.config["AMX_TOKEN"]):
                abort(400, "the form's token is missing or stale: reload the page")
        if request.endpoint not in ("static", None) and not queries.linkage_ready(conn()):
            abort(
                503,
                "no linkage run in this database yet: run `amx run` (or `amx link run`) first",
            )

    @app.errorhandler(400)
    @app.errorhandler(404)
    @app.errorhandler(503)
    def _refused(exc):
        return render_template("error.html", message=exc.description, code=exc.code), exc.code

    @app.context_processor
    def _common() -> dict:
        return {
            "token": app.config["AMX_TOKEN"],
            "reviewer": current_reviewer(),
            "labels": DECISION_LABELS,
            "bands": queries.BAND_LABELS,
            "kinds": queries.KINDS,
            "store_path": store(),
        }

    def _states() -> tuple[list[steward.Decision], dict[tuple[str, str], PairState]]:
        history = steward.read_history(store())
        return history, pair_states(history)

    def _progress(items: list[dict], states: dict) -> dict:
        status = [states.get(_key(i), PairState("open")).status for i in items]
        decided, skipped = status.count("decided"), status.count("skipped")
        return {
            "total": len(items),
            "reviewed": decided,
            "skipped": skipped,
            "remaining": len(items) - decided,
        }

    @app.get("/")
    def index():
        filters = parse_filters(request.args)
        c = conn()
        run = queries.run_info(c)
        history, states = _states()
        everything = queries.queue(c)
        items = queries.queue(c, filters) if filters.args() else everything
        for i in items:
            i["state"] = states.get(_key(i), PairState("open"))
        report = queries.decision_report(c)
        reported = {(tuple(sorted((r["mention_key_l"], r["mention_key_r"]))), r["decided_at"])
                    for r in report}  # fmt: skip
        pending = [
            d for d in steward.current(store()).values() if (d.pair, d.decided_at) not in reported
        ]
        return render_template(
            "queue.html",
            run=run,
            items=items,
            filters=filters,
            facets=queries.facets(c),
            progress=_progress(everything, states),
            shown=_progress(items, states),
            changed=[r for r in report if r["status"] == "applied"],
            not_applying=[r for r in report if r["status"] != "applied"],
            pending=pending,
            history_rows=len(history),
            first_open=next((i["rank"] for i in items if i["state"].status == "open"), None),
        )

    @app.get("/item/<int:rank>")
    def show_item(rank: int):
        filters = parse_filters(request.args)
        c = conn()
        run = queries.run_info(c)
        it = queries.item(c, rank)
        if it is None:
            abort(404, f"queue item {rank} is not in the last run's queue ({run.run_id})")
        history, states = _states()
        listed = queries.queue(c, filters)
        ranks = [i["rank"] for i in listed]
        position = ranks.index(rank) if rank in ranks else None
        prev_rank = ranks[position - 1] if position else None
        following = ranks[position + 1 :] if position is not None else []
        next_rank = following[0] if following else None

        cluster_ids = sorted({it["cluster_id_l"], it["cluster_id_r"]})
        scope = queries.cluster_features(c, cluster_ids)
        rows = queries.mentions(c, scope)
        raw = queries.raw_rows(c, rows)
        for m in rows:
            m["raw"] = raw.get((m["source_file"], int(m["source_row"])), {})
        left = [m for m in rows if m["feature_id"] == it["feature_id_l"]]
        right = [m for m in rows if m["feature_id"] == it["feature_id_r"]]
        rest = [m for m in rows if m["feature_id"] not in (it["feature_id_l"], it["feature_id_r"])]

        feature_of = {m["mention_key"]: m["feature_id"] for m in rows}
        edges = queries.model_edges(c, scope, run.match_threshold)
        current = steward.current(store())
        pair = (it["mention_key_l"], it["mention_key_r"])
        previews = {}
        for choice, decision in (("same", "match"), ("different", "no_match")):
            result = preview.outcome(decision, pair, scope, edges, feature_of, current)
            previews[choice] = [
                preview.golden_record([m for m in rows if m["feature_id"] in component])
                for component in result.components
            ]
        company_ids = sorted({m["company_id"] for m in left + right if m["company_id"]})
        key = _key(it)
        ev = queries.evidence(c, it["feature_id_l"], it["feature_id_r"])
        return render_template(
            "item.html",
            run=run,
            item=it,
            filters=filters,
            query=urlencode(filters.args()),
            position=(position + 1) if position is not None else None,
            listed=len(ranks),
            prev_rank=prev_rank,
            next_rank=next_rank,
            left=left,
            right=right,
            rest=rest,
            evidence=ev,
            chart=chart.waterfall(ev, run.match_threshold) if ev else None,
            previews=previews,
            golden_now=queries.companies(c, company_ids),
            state=states.get(key, PairState("open")),
            history=[d for d in history if d.pair == key],
            undoable=steward.undoable(current_reviewer(), store()),
            progress=_progress(queries.queue(c), states),
        )

    @app.post("/item/<int:rank>/decide")
    def decide(rank: int):
        filters = parse_filters(request.form)
        choice = request.form.get("choice", "")
        if choice not in CHOICES:
            raise InputError(f"choice {choice!r} is not one of {', '.join(CHOICES)}")
        note = check_note(request.form.get("note", ""))
        c = conn()
        it = queries.item(c, rank)
        if it is None:
            abort(404, f"queue item {rank} is not in the last run's queue")
        recorded = steward.append(
            steward.Decision(
                it["mention_key_l"],
                it["mention_key_r"],
                CHOICES[choice],
                current_reviewer(),
                steward.now(),
                note,
            ),
            store(),
        )
        label = DECISION_LABELS[recorded.decision]
        flash(f"#{rank} {it['name_l']} / {it['name_r']}: recorded “{label}” — u undoes it", "ok")
        _, states = _states()
        listed = queries.queue(c, filters)
        after = [i for i in listed if i["rank"] > rank] + [i for i in listed if i["rank"] < rank]
        nxt = next(
            (i["rank"] for i in after if states.get(_key(i), PairState("open")).status == "open"),
            None,
        )
        if nxt is None:
            return redirect(url_for("index", **filters.args()))
        return redirect(url_for("show_item", rank=nxt, **filters.args()))

    @app.post("/undo")
    def undo():
        filters = parse_filters(request.form)
        try:
            row = steward.undo(current_reviewer(), store())
        except steward.DecisionError as exc:
            flash(str(exc), "error")
            return redirect(_local(request.form.get("back")) or url_for("index", **filters.args()))
        flash(f"undone: {row.note[len(steward.UNDO_MARK) :].strip()} -> now {row.decision}", "ok")
        for i in queries.queue(conn()):
            if _key(i) == row.pair:
                return redirect(url_for("show_item", rank=i["rank"], **filters.args()))
        return redirect(url_for("index", **filters.args()))

    @app.post("/reviewer")
    def set_reviewer():
        session["reviewer"] = check_reviewer(request.form.get("reviewer", ""))
        return redirect(_local(request.form.get("back")) or url_for("index"))

    return app


def _sheet_label(source_file: str) -> str:
    """``COMPANY___Print_services_global.json`` -> ``Print_services_global`` (full on hover)."""
    return source_file.removeprefix("COMPANY___").removesuffix(".json")


def _local(target: str | None) -> str | None:
    """Only same-site paths are followed after a form (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def serve(app: Flask, host: str, port: int, announce=print) -> None:
    """Serve with Werkzeug's threaded server (a local tool: two stewards at once at most few)."""
    from werkzeug.serving import make_server

    if host not in app.config["TRUSTED_HOSTS"]:  # an explicit --host is a name it may be called
        app.config["TRUSTED_HOSTS"].append(host)
    server = make_server(host, port, app, threaded=True)
    shown = f"[{host}]" if ":" in host else host
    announce(f"amx review: http://{shown}:{server.server_port}/  (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
