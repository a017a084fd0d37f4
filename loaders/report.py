"""The run report: ``$AMX_HOME/runs/<run_id>/report.html`` and its JSON twin ``report.json``.

One self-contained file a person opens after a run: inline CSS, plots drawn as inline SVG by the
few lines below (no JavaScript, no fonts, no network; it works from a mail attachment). The JSON
holds the same figures for machines. Sections: what to do next, stage timings, dbt tests in words
with the rows they found, quarantined rows with their reason, per-sheet reconciliation, quality
scorecard, validation warnings with example rows, linkage statistics, health deltas (against the
run live before; "no baseline" on a first run), publication state and the run's migration-log
events. The page is ``templates/report.html`` (Jinja, autoescaped).

The audit tables describe the last *build*. When a run did not build (``amx load``, a failure
before the build), the report says so above those sections.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import jinja2
import psycopg
from markupsafe import Markup

from loaders import publish
from loaders.db import Database
from loaders.settings import amx_home
from loaders.summary import RunSummary

EXAMPLES_PER_RULE = 3
QUARANTINE_LISTED = 500  # rows listed in the page; audit.rejected_rows holds every one


def run_dir(run_id: str) -> Path:
    path = amx_home() / "runs" / run_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_report(db: Database, summary: RunSummary) -> Path:
    """Write report.json and report.html for ``summary``; returns the HTML path."""
    data = collect(db, summary)
    summary.next_steps = data["next_steps"]
    directory = run_dir(summary.run_id)
    (directory / "report.json").write_text(
        json.dumps(data, indent=2, default=str, ensure_ascii=False), encoding="utf-8"
    )
    path = directory / "report.html"
    path.write_text(render_html(data), encoding="utf-8")
    return path


# --- figures --------------------------------------------------------------------------------


def _exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (name,)).fetchone()[0]


def _rows(conn: psycopg.Connection, query: str, params: tuple = ()) -> list[dict]:
    cur = conn.execute(query, params)
    names = [d.name for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _outcome(summary: RunSummary) -> str:
    if summary.failed_stage:
        return f"failed at {summary.failed_stage}"
    if summary.published is not None:
        return "published"
    return "completed, not published"


def collect(db: Database, summary: RunSummary) -> dict:
    build = summary.build
    data: dict = {
        "run_id": summary.run_id,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "outcome": _outcome(summary),
        "failed_stage": summary.failed_stage,
        "error": summary.error,
        "source": str(summary.source),
        "load_id": summary.load_id,
        "built_in_this_run": "build" in summary.stage_seconds,
        "stages": [
            {"stage": s, "seconds": round(sec, 3), "rows": summary.stage_rows.get(s)}
            for s, sec in summary.stage_seconds.items()
        ],
        "raw_rows": summary.rows,
        "schema_drift": summary.drift,
        "tests": {
            "status_counts": build.status_counts if build else {},
            "summary": test_summary(build.status_counts) if build else "not run",
            "warnings": build.warnings if build else [],
            "results": [asdict(t) for t in build.tests] if build else [],
        },
        "publish": (
            {
                "seconds": round(summary.published.seconds, 3),
                "previous_run_id": summary.published.previous_run_id,
                "row_counts": summary.published.row_counts,
            }
            if summary.published
            else None
        ),
    }
    with db.connect() as conn:
        data["reconciliation"] = (
            _rows(conn, "select * from audit.reconciliation order by sheet")
            if _exists(conn, "audit.reconciliation")
            else []
        )
        data["quality_scorecard"] = (
            _rows(conn, "select * from audit.quality_scorecard order by dimension, metric")
            if _exists(conn, "audit.quality_scorecard")
            else []
        )
        data["validation_warnings"] = _warnings(conn)
        data["quarantine"] = _quarantine(conn)
        data["linkage"] = _linkage(conn, summary.run_id)
        data["health"] = [
            {**h, "status": _health_status(h["previous_value"], h["change_pct"])}
            for h in (
                _rows(conn, "select * from audit.data_health order by metric")
                if _exists(conn, "audit.data_health")
                else []
            )
        ]
        data["events"] = (
            _rows(
                conn,
                "select at, event, stage, seconds, rows, detail from audit.migration_log"
                " where run_id = %s order by id",
                (summary.run_id,),
            )
            if _exists(conn, "audit.migration_log")
            else []
        )
    data["publication"] = publish.status(db)
    data["next_steps"] = next_steps(data)
    return data


# dbt's result statuses in words: models and seeds report "success", tests pass / warn / fail
_STATUS_WORDS = {
    "success": "models and seeds built",
    "pass": "tests passed",
    "warn": "tests warn",
    "fail": "tests failed",
    "error": "errors",
    "skipped": "skipped",
    "runtime error": "runtime errors",
}


def test_summary(counts: dict[str, int]) -> str:
    order = list(_STATUS_WORDS)
    ranked = sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    return ", ".join(f"{n:,} {_STATUS_WORDS.get(k, k)}" for k, n in ranked) or "nothing run"


def _health_status(previous: object, change_pct: object) -> str:
    """A first run has nothing to compare with: it says so instead of passing."""
    if previous is None:
        return "no baseline"
    return "WARN" if change_pct is not None and change_pct < -5 else "PASS"


def next_steps(data: dict) -> list[str]:
    """What the operator does after this run, most urgent first."""
    steps = []
    if data["failed_stage"]:
        steps.append(
            f"fix what stopped the {data['failed_stage']} stage (the error above; `amx --debug"
            " run` shows the traceback), then run again; production was not changed"
        )
    if data["quarantine"]["total"]:
        steps.append(
            f"look at the {data['quarantine']['total']:,} quarantined row(s) listed in the report:"
            " correct them in the next delivery or accept that they stay out"
        )
    if data["tests"]["results"]:
        steps.append(
            f"read the {len(data['tests']['results'])} test warning(s) in the report, with example"
            " rows"
        )
    waiting = (data["linkage"] or {}).get("review_queue") or 0
    if waiting:
        steps.append(
            f"{waiting:,} linkage decision(s) wait for a steward: `amx review`, then"
            " `amx link apply`"
        )
    if data["built_in_this_run"] and data["publish"] is None and not data["failed_stage"]:
        steps.append("publish this build with `amx run --stages publish`")
    return steps


def _quarantine(conn: psycopg.Connection) -> dict:
    if not _exists(conn, "audit.rejected_rows"):
        return {"total": 0, "rows": []}
    total = conn.execute("select count(*) from audit.rejected_rows").fetchone()[0]
    rows = _rows(
        conn,
        "select sheet, source_row, rule, offending_value, rule_description as reason, raw_record"
        " from audit.rejected_rows order by sheet, source_row, rule limit %s",
        (QUARANTINE_LISTED,),
    )
    return {"total": total, "rows": rows}


def _warnings(conn: psycopg.Connection) -> list[dict]:
    if not _exists(conn, "audit.validation_warnings"):
        return []
    rules = _rows(
        conn,
        "select rule, min(rule_description) as description, count(*) as rows"
        " from audit.validation_warnings group by rule order by count(*) desc, rule",
    )
    # every rule's first rows in one query, so the landed rows are read once, not once a rule
    # (int_raw_rows has no index: at 100x, 1.7 million rows and 1 s a read)
    with_raw = _exists(conn, "intermediate.int_raw_rows")
    examples = _rows(
        conn,
        "select w.rule, w.sheet, w.source_row, w.row_outcome"
        + (", r.raw_record" if with_raw else "")
        + " from (select rule, sheet, source_row, row_outcome, row_number() over"
        " (partition by rule order by sheet, source_row) as n"
        " from audit.validation_warnings) w"
        + (
            " left join intermediate.int_raw_rows r"
            " on r.sheet_file = w.sheet and r.source_row = w.source_row"
            if with_raw
            else ""
        )
        + " where w.n <= %s order by w.rule, w.sheet, w.source_row",
        (EXAMPLES_PER_RULE,),
    )
    by_rule: dict[str, list[dict]] = {}
    for example in examples:
        by_rule.setdefault(example.pop("rule"), []).append(example)
    for rule in rules:
        rule["examples"] = by_rule.get(rule["rule"], [])
    return rules


def _linkage(conn: psycopg.Connection, run_id: str) -> dict:
    if not _exists(conn, "linkage.runs"):
        return {}
    runs = _rows(
        conn,
        "select run_id, mentions, feature_rows, scored_pairs, matched_pairs, clusters,"
        " review_items, decisions, artefacts, finished_at from linkage.runs"
        " order by (run_id = %s) desc, finished_at desc limit 1",
        (run_id,),
    )
    if not runs:
        return {}
    result = runs[0]
    result["of_this_run"] = result["run_id"] == run_id
    if _exists(conn, "linkage.clusters"):
        result["cluster_sizes"] = _rows(
            conn,
            "select size, count(*) as clusters from (select cluster_id, count(*) as size"
            " from linkage.clusters group by cluster_id) s group by size order by size",
        )
    if _exists(conn, "linkage.match_pairs"):
        result["match_weight_histogram"] = _rows(
            conn,
            "select floor(match_weight / 2) * 2 as weight_from, count(*) as pairs"
            " from linkage.match_pairs group by 1 order by 1",
        )
    if _exists(conn, "linkage.review_queue"):
        result["review_queue"] = conn.execute(
            "select count(*) from linkage.review_queue"
        ).fetchone()[0]
    return result


# --- HTML -----------------------------------------------------------------------------------

CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:72rem;
color:#1d2330;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;
border-bottom:1px solid #d8dce6;padding-bottom:.2rem}h3{font-size:1rem;margin:1rem 0 .2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:13px}
th,td{padding:.25rem .6rem;border-bottom:1px solid #e7e9ef;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:.6rem;font-weight:600;font-size:12px}
.PASS,.published{background:#dcf5e3;color:#145c2c}.WARN{background:#fff1cc;color:#7a5200}
.FAIL,.failed{background:#fde0de;color:#8a1c12}.other{background:#e6e9f2;color:#333}
.note{color:#5a6275}.grid{display:flex;flex-wrap:wrap;gap:2rem}
pre{background:#f4f5f8;padding:.5rem;overflow:auto;max-width:60rem;font-size:12px}
.wide{overflow-x:auto;max-width:100%}code{font-size:12px}
svg text{font:11px system-ui,sans-serif;fill:#333}
"""
JSON_CELL_CHARS = 300  # a raw record or an event's detail, cut in the page (whole in the JSON)

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float | Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)[:JSON_CELL_CHARS]
    return str(value)


def _numeric_columns(rows: list[dict], columns: list[str]) -> set[str]:
    """Columns right-aligned as figures: every value a number (booleans are not figures)."""
    return {
        c
        for c in columns
        if all(isinstance(r.get(c), int | float | Decimal | None) for r in rows)
        and any(r.get(c) is not None for r in rows)
        and not all(isinstance(r.get(c), bool | None) for r in rows)
    }


_env.filters.update(cell=_cell, numeric_columns=_numeric_columns, basename=lambda p: Path(p).name)


def bar_chart(
    labels: list[str], values: list[float], *, title: str, horizontal: bool = False
) -> Markup:
    """A bar chart as inline SVG (no xmlns needed inside HTML, no external anything)."""
    if not values:
        return Markup("")
    top = max(values) or 1.0
    template = _env.get_template("bar_chart.svg")
    if horizontal:
        bar, gap, label_w, plot_w = 18, 6, 110, 380
        bars = [
            {"label": label, "value": value, "y": 24 + i * (bar + gap),
             "w": max(1.0, plot_w * value / top)}
            for i, (label, value) in enumerate(zip(labels, values, strict=True))
        ]  # fmt: skip
        return Markup(template.render(
            horizontal=True, title=title, bars=bars, bar=bar, label_w=label_w,
            width=label_w + plot_w + 60, height=len(values) * (bar + gap) + 30,
        ))  # fmt: skip
    n = len(values)
    plot_h, bar_w = 150, max(6, min(40, 520 // n))
    every = 1 if n <= 24 else math.ceil(n / 24)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = max(1.0, plot_h * value / top) if value else 0
        bars.append({"label": label, "value": value, "x": 40 + i * (bar_w + 2),
                     "y": 24 + plot_h - h, "h": h, "labelled": i % every == 0})  # fmt: skip
    return Markup(template.render(
        horizontal=False, title=title, bars=bars, bar_w=bar_w, plot_h=plot_h, top=top,
        width=40 + n * (bar_w + 2) + 10, height=plot_h + 60,
    ))  # fmt: skip


def render_html(data: dict) -> str:
    outcome = data["outcome"]
    badge = "published" if outcome == "published" else "failed" if data["failed_stage"] else "other"
    lk = data["linkage"] or {}
    return _env.get_template("report.html").render(
        d=data,
        css=Markup(CSS),
        badge=badge,
        stage_chart=bar_chart(
            [s["stage"] for s in data["stages"]],
            [s["seconds"] for s in data["stages"]],
            title="seconds per stage",
            horizontal=True,
        ),
        linkage_figures=_linkage_figures(lk),
        cluster_chart=_cluster_chart(lk),
        weight_chart=_weight_chart(lk),
        publication=[
            {
                "state": k,
                "schema": data["publication"][k]["schema"],
                "run_id": data["publication"][k]["run_id"],
                "published_at": data["publication"][k]["published_at"],
                "rows": sum(data["publication"][k]["row_counts"].values()),
            }
            for k in ("live", "previous")
        ],
        events=data["events"],
    )


def _linkage_figures(lk: dict) -> list[dict]:
    if not lk:
        return []
    return [
        {"figure": "mentions", "value": lk["mentions"]},
        {"figure": "distinct feature rows", "value": lk["feature_rows"]},
        {"figure": "scored pairs", "value": lk["scored_pairs"]},
        {"figure": "matched pairs", "value": lk["matched_pairs"]},
        {"figure": "clusters (companies)", "value": lk["clusters"]},
        {"figure": "review queue", "value": lk.get("review_queue", lk["review_items"])},
    ]


def _cluster_chart(lk: dict) -> Markup:
    capped: dict[str, int] = {}
    for row in lk.get("cluster_sizes") or []:
        key = str(row["size"]) if row["size"] < 10 else "10+"
        capped[key] = capped.get(key, 0) + row["clusters"]
    return bar_chart(list(capped), list(capped.values()), title="clusters by size (mentions)")


def _weight_chart(lk: dict) -> Markup:
    hist = lk.get("match_weight_histogram") or []
    if hist:  # empty bins drawn as empty, so the axis stays linear
        got = {int(h["weight_from"]): h["pairs"] for h in hist}
        lo, hi = min(got), max(got)
        hist = [{"weight_from": w, "pairs": got.get(w, 0)} for w in range(lo, hi + 1, 2)]
    return bar_chart(
        [f"{float(h['weight_from']):g}" for h in hist],
        [h["pairs"] for h in hist],
        title="scored pairs by match weight (bins of 2)",
    )
