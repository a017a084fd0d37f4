"""The steward review page (Flask, server-rendered; a little vanilla JS for keyboard shortcuts).

Reads the last linkage run from the database and writes decisions only through the decision
store (``dedupe.decisions``): nothing here changes a cluster; the next ``amx link apply`` or
``amx run`` does. Every form posts a per-process token, so another site open in the same browser
cannot record decisions; every input is checked against a closed set or a pattern.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from flask import Flask, Response, abort, current_app, render_template, request
from werkzeug.exceptions import SecurityError

from dedupe import decisions as steward
from dedupe.review import queries, state
from dedupe.review.inputs import InputError, check_reviewer
from dedupe.review.pages import BLUEPRINTS
from loaders.db import Database

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
    app.teardown_appcontext(state.close)
    app.before_request(_check_host)  # first of all
    app.before_request(_check_token)
    app.after_request(_security_headers)
    app.context_processor(_common)
    app.register_error_handler(InputError, _bad_input)
    app.register_error_handler(steward.DecisionError, _bad_input)
    for code in (400, 404, 503):
        app.register_error_handler(code, _refused)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app


def _check_host():
    """A request for any other host name gets a bare 400 (no page, no link)."""
    try:
        request.host  # noqa: B018 - Werkzeug checks it against TRUSTED_HOSTS
    except SecurityError:
        return Response("untrusted Host header\n", status=400, mimetype="text/plain")
    return None


def _check_token() -> None:
    """Every form carries the per-process token; every page needs a linkage run."""
    if request.method == "POST":
        sent = request.form.get("token", "")
        if not hmac.compare_digest(sent, current_app.config["AMX_TOKEN"]):
            abort(400, "the form's token is missing or stale: reload the page")
    if request.endpoint not in ("static", None) and not queries.linkage_ready(state.conn()):
        abort(
            503,
            "no linkage run in this database yet: run `amx run` (or `amx link run`) first",
        )


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _common() -> dict:
    return {
        "token": current_app.config["AMX_TOKEN"],
        "reviewer": state.current_reviewer(),
        "labels": state.DECISION_LABELS,
        "bands": queries.BAND_LABELS,
        "kinds": queries.KINDS,
        "store_path": state.store(),
    }


def _bad_input(exc: Exception):
    """An ``InputError`` or a ``DecisionError``: the page says what was wrong."""
    return render_template("error.html", message=str(exc), code=400), 400


def _refused(exc):
    return render_template("error.html", message=exc.description, code=exc.code), exc.code


def _sheet_label(source_file: str) -> str:
    """``COMPANY___Print_services_global.json`` -> ``Print_services_global`` (full on hover)."""
    return source_file.removeprefix("COMPANY___").removesuffix(".json")


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
