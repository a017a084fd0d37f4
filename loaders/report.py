"""The run report: ``$AMX_HOME/runs/<run_id>/report.html`` and its JSON twin ``report.json``.

One self-contained file a person opens after a run: inline CSS, plots drawn as inline SVG by the
few lines below (no JavaScript, no fonts, no network; it works from a mail attachment). The JSON
holds the same figures for machines. Sections: outcome, stage timings, dbt tests, per-sheet
reconciliation, quality scorecard, validation warnings with example rows, linkage statistics,
health deltas, publication state and the run's migration-log events.

The audit tables describe the last *build*. When a run did not build (``amx load``, a failure
before the build), the report says so above those sections.
"""

from __future__ import annotations

import html
import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from loaders import publish
from loaders.db import Database
from loaders.settings import amx_home

if TYPE_CHECKING:
    from loaders.pipeline import RunSummary

EXAMPLES_PER_RULE = 3


def run_dir(run_id: str) -> Path:
    path = amx_home() / "runs" / run_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_report(db: Database, summary: RunSummary) -> Path:
    """Write report.json and report.html for ``summary``; returns the HTML path."""
    data = collect(db, summary)
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
            "warnings": build.warnings if build else [],
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
        data["linkage"] = _linkage(conn, summary.run_id)
        data["health"] = (
            _rows(conn, "select * from audit.data_health order by metric")
            if _exists(conn, "audit.data_health")
            else []
        )
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
    return data


def _warnings(conn: psycopg.Connection) -> list[dict]:
    if not _exists(conn, "audit.validation_warnings"):
        return []
    rules = _rows(
        conn,
        "select rule, min(rule_description) as description, count(*) as rows"
        " from audit.validation_warnings group by rule order by count(*) desc, rule",
    )
    with_raw = _exists(conn, "intermediate.int_raw_rows")
    for rule in rules:
        rule["examples"] = _rows(
            conn,
            "select w.sheet, w.source_row, w.row_outcome"
            + (", r.raw_record" if with_raw else "")
            + " from audit.validation_warnings w"
            + (
                " left join intermediate.int_raw_rows r"
                " on r.sheet_file = w.sheet and r.source_row = w.source_row"
                if with_raw
                else ""
            )
            + " where w.rule = %s order by w.sheet, w.source_row limit %s",
            (rule["rule"], EXAMPLES_PER_RULE),
        )
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
border-bottom:1px solid #d8dce6;padding-bottom:.2rem}
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


def _e(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float | Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return html.escape(str(value))


def _table(rows: list[dict], columns: list[str] | None = None) -> str:
    if not rows:
        return '<p class="note">nothing recorded</p>'
    columns = columns or list(rows[0])
    numeric = {
        c
        for c in columns
        if all(isinstance(r.get(c), int | float | Decimal | None) for r in rows)
        and any(r.get(c) is not None for r in rows)
        and not all(isinstance(r.get(c), bool | None) for r in rows)
    }

    def cell(c: str, v: object) -> str:
        if c == "status" and v in ("PASS", "WARN", "FAIL"):
            return f'<td><span class="badge {v}">{v}</span></td>'
        klass = ' class="n"' if c in numeric else ""
        if isinstance(v, dict | list):
            v = json.dumps(v, ensure_ascii=False, default=str)
        return f"<td{klass}>{_e(v)}</td>"

    head = "".join(f"<th{' class=n' if c in numeric else ''}>{_e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(cell(c, r.get(c)) for c in columns) + "</tr>" for r in rows)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="wide">{table}</div>'


def bar_chart(
    labels: list[str], values: list[float], *, title: str, horizontal: bool = False
) -> str:
    """A bar chart as inline SVG (no xmlns needed inside HTML, no external anything)."""
    if not values:
        return ""
    top = max(values) or 1.0
    if horizontal:
        bar, gap, label_w, plot_w = 18, 6, 110, 380
        height = len(values) * (bar + gap) + 30
        parts = [f'<text x="0" y="14" font-weight="600">{_e(title)}</text>']
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            y = 24 + i * (bar + gap)
            w = max(1.0, plot_w * value / top)
            parts.append(f'<text x="0" y="{y + 13}">{_e(label)}</text>')
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" fill="#4c6ef5">'
                f"<title>{_e(label)}: {_e(value)}</title></rect>"
            )
            parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{_e(value)}</text>')
        width = label_w + plot_w + 60
    else:
        n = len(values)
        plot_h, bar_w = 150, max(6, min(40, 520 // n))
        width, height = 40 + n * (bar_w + 2) + 10, plot_h + 60
        parts = [f'<text x="0" y="14" font-weight="600">{_e(title)}</text>']
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            x = 40 + i * (bar_w + 2)
            h = max(1.0, plot_h * value / top) if value else 0
            y = 24 + plot_h - h
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar_w}" height="{h:.1f}" fill="#12b886">'
                f"<title>{_e(label)}: {_e(value)}</title></rect>"
            )
            if n <= 24 or i % math.ceil(n / 24) == 0:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{plot_h + 38}" text-anchor="middle">'
                    f"{_e(label)}</text>"
                )
        parts.append(f'<text x="0" y="32">{_e(top)}</text>')
        parts.append(f'<line x1="38" y1="{24 + plot_h}" x2="{width}" y2="{24 + plot_h}" '
                     'stroke="#999"/>')  # fmt: skip
    return (
        f'<svg role="img" aria-label="{_e(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">' + "".join(parts) + "</svg>"
    )


def _section(title: str, body: str, anchor: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{body}</section>'


def render_html(data: dict) -> str:
    outcome = data["outcome"]
    badge = "published" if outcome == "published" else "failed" if data["failed_stage"] else "other"
    stale = (
        ""
        if data["built_in_this_run"]
        else '<p class="note">This run did not build: the audit sections below describe the last'
        " build in the database.</p>"
    )
    sections = []

    stages = data["stages"]
    sections.append(
        _section(
            "Stage timings",
            '<div class="grid">'
            + _table(stages)
            + bar_chart(
                [s["stage"] for s in stages],
                [s["seconds"] for s in stages],
                title="seconds per stage",
                horizontal=True,
            )
            + "</div>",
            "stages",
        )
    )
    tests = data["tests"]
    counts = ", ".join(f"{v} {k}" for k, v in sorted(tests["status_counts"].items()))
    warn_list = "".join(f"<li><code>{_e(w)}</code></li>" for w in tests["warnings"])
    error = f"<pre>{_e(data['error'])}</pre>" if data["error"] else ""
    sections.append(
        _section(
            "dbt tests",
            f"<p>{_e(counts or 'not run')}</p>"
            + (f"<p>warnings:</p><ul>{warn_list}</ul>" if warn_list else "")
            + error,
            "tests",
        )
    )
    sections.append(
        _section(
            "Reconciliation per sheet", stale + _table(data["reconciliation"]), "reconciliation"
        )
    )
    sections.append(
        _section(
            "Quality scorecard",
            _table(
                data["quality_scorecard"],
                [
                    "dimension",
                    "metric",
                    "passing",
                    "total",
                    "value_pct",
                    "target_pct",
                    "critical_pct",
                    "status",
                    "description",
                ],  # fmt: skip
            )
            if data["quality_scorecard"]
            else _table([]),
            "scorecard",
        )
    )
    warnings_html = []
    for rule in data["validation_warnings"]:
        examples = [
            {**ex, "raw_record": json.dumps(ex.get("raw_record"), ensure_ascii=False)[:300]}
            if "raw_record" in ex
            else ex
            for ex in rule["examples"]
        ]
        warnings_html.append(
            f"<h3>{_e(rule['rule'])} — {_e(rule['rows'])} rows</h3>"
            f'<p class="note">{_e(rule["description"])}</p>' + _table(examples)
        )
    sections.append(
        _section(
            "Validation warnings",
            "".join(warnings_html) or '<p class="note">none</p>',
            "warnings",
        )
    )
    sections.append(_section("Linkage", _linkage_html(data["linkage"]), "linkage"))
    sections.append(
        _section(
            "Health deltas",
            _table(
                [
                    {
                        **h,
                        "status": "WARN"
                        if h["change_pct"] is not None and h["change_pct"] < -5
                        else "PASS",
                    }
                    for h in data["health"]
                ]
            )
            + '<p class="note">change against the run live when this one was built; a drop of'
            " more than 5% warns (dbt test <code>data_health_no_drop_over_5_pct</code>).</p>",
            "health",
        )
    )
    pub = data["publication"]
    pub_rows = [
        {
            "state": k,
            "schema": pub[k]["schema"],
            "run_id": pub[k]["run_id"],
            "published_at": pub[k]["published_at"],
            "rows": sum(pub[k]["row_counts"].values()),
        }
        for k in ("live", "previous")
    ]
    sections.append(_section("Publication", _table(pub_rows), "publication"))
    events = [
        {**e, "detail": json.dumps(e["detail"], ensure_ascii=False, default=str)[:300]}
        for e in data["events"]
    ]
    sections.append(_section("Migration log (this run)", _table(events), "events"))

    head = (
        f"<h1>amx run {_e(data['run_id'])} "
        f'<span class="badge {badge}">{_e(outcome)}</span></h1>'
        f'<p class="note">source {_e(data["source"])} · load {_e(data["load_id"])} · report'
        f" written {_e(data['generated_at'])}</p>"
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>amx run {_e(data['run_id'])}</title><style>{CSS}</style></head><body>"
        + head
        + "".join(sections)
        + "</body></html>\n"
    )


def _linkage_html(lk: dict) -> str:
    if not lk:
        return '<p class="note">no linkage run in the database</p>'
    note = "" if lk.get("of_this_run") else '<p class="note">from an earlier run</p>'
    figures = [
        {"figure": "mentions", "value": lk["mentions"]},
        {"figure": "distinct feature rows", "value": lk["feature_rows"]},
        {"figure": "scored pairs", "value": lk["scored_pairs"]},
        {"figure": "matched pairs", "value": lk["matched_pairs"]},
        {"figure": "clusters (companies)", "value": lk["clusters"]},
        {"figure": "review queue", "value": lk.get("review_queue", lk["review_items"])},
    ]
    sizes = lk.get("cluster_sizes") or []
    capped: dict[str, int] = {}
    for row in sizes:
        key = str(row["size"]) if row["size"] < 10 else "10+"
        capped[key] = capped.get(key, 0) + row["clusters"]
    hist = lk.get("match_weight_histogram") or []
    if hist:  # empty bins drawn as empty, so the axis stays linear
        got = {int(h["weight_from"]): h["pairs"] for h in hist}
        lo, hi = min(got), max(got)
        hist = [{"weight_from": w, "pairs": got.get(w, 0)} for w in range(lo, hi + 1, 2)]
    links = "".join(
        f'<li><a href="{_e(Path(p).name)}">{_e(name.replace("_", " "))}</a> (Splink, offline)</li>'
        for name, p in (lk.get("artefacts") or {}).items()
        if lk.get("of_this_run")
    )
    return (
        note
        + '<div class="grid">'
        + _table(figures)
        + bar_chart(list(capped), list(capped.values()), title="clusters by size (mentions)")
        + bar_chart(
            [f"{float(h['weight_from']):g}" for h in hist],
            [h["pairs"] for h in hist],
            title="scored pairs by match weight (bins of 2)",
        )
        + "</div>"
        + (f"<ul>{links}</ul>" if links else "")
    )
