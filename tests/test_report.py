"""The run report: one self-contained HTML file per run with every section, and a JSON twin."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loaders import pipeline, publish
from loaders.report import bar_chart
from loaders.settings import amx_home

SECTIONS = (
    "next", "stages", "tests", "quarantine", "reconciliation", "scorecard", "warnings", "linkage",
    "health", "publication", "events",
)  # fmt: skip


@pytest.fixture(scope="module")
def live_report(built_db) -> tuple[str, dict]:
    """The report of the run that is live (a full run of the session)."""
    run_id = publish.status(built_db)["live"]["run_id"]
    directory = amx_home() / "runs" / run_id
    html = (directory / "report.html").read_text(encoding="utf-8")
    data = json.loads((directory / "report.json").read_text(encoding="utf-8"))
    return html, data


def test_report_has_every_section(live_report):
    html, data = live_report
    for anchor in SECTIONS:
        assert f'<section id="{anchor}">' in html, anchor
    assert data["outcome"] == "published"
    assert {s["stage"] for s in data["stages"]} >= {"build", "publish"}
    vendor_sheets = [r for r in data["reconciliation"] if not r["sheet"].startswith("public.")]
    assert len(vendor_sheets) == 11  # one row per vendor sheet (and one per production table)
    assert data["quality_scorecard"] and data["health"]
    assert all(rule["examples"] for rule in data["validation_warnings"])
    linkage = data["linkage"]
    assert linkage["scored_pairs"] > 0 and linkage["clusters"] > 0
    assert linkage["cluster_sizes"] and linkage["match_weight_histogram"]
    assert linkage["review_queue"] >= 0


def test_report_tells_the_operator_what_happened_and_what_to_do(live_report, built_db):
    html, data = live_report
    run_id = data["run_id"]
    assert re.search(rf"<h1>amx run {re.escape(run_id)}\b", html)  # the run, not a dlt load id
    # quarantined rows: every one counted, listed with the rule and the reason in words
    with built_db.connect() as conn:
        rejected = conn.execute("select count(*) from audit.rejected_rows").fetchone()[0]
    assert rejected > 0  # the sample holds a lead time of -85 days
    assert data["quarantine"]["total"] == rejected
    assert all(row["reason"] and row["rule"] for row in data["quarantine"]["rows"])
    assert data["quarantine"]["rows"][0]["reason"] in html
    # every warning test said in words, with the rows behind it
    tests = data["tests"]["results"]
    assert tests and f"{len(tests)} tests warn" in data["tests"]["summary"]
    for test in tests:
        assert test["words"] and "{{" not in test["words"]
        assert test["failures"] and test["examples"], test["name"]
        assert test["words"] in html or test["words"].replace("`", "") in html
    # the next steps follow from the run: quarantine, warnings and the steward's queue
    steps = " ".join(data["next_steps"])
    assert "quarantined" in steps and "test warning" in steps
    assert data["linkage"]["review_queue"] > 0 and "`amx review`" in steps


def test_first_run_health_has_no_baseline(live_report):
    _, data = live_report
    for row in data["health"]:
        if row["previous_value"] is None:
            assert row["status"] == "no baseline", row
        else:
            assert row["status"] in ("PASS", "WARN"), row


def test_report_is_self_contained_with_embedded_plots(live_report):
    html, _ = live_report
    assert html.count("<svg") >= 3  # stage timings, cluster sizes, match weights
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert not re.search(r"""\ssrc=|url\(|@import""", html)  # (vendor URLs appear as text)
    for href in re.findall(r'href="([^"]*)"', html):  # only the run's own Splink pages
        assert "/" not in href and ":" not in href, href


def test_a_failed_run_leaves_a_report_naming_the_stage(database, tmp_path):
    with pytest.raises(Exception) as failure:
        pipeline.run(database, tmp_path, stages=("load",))  # an empty delivery directory
    path: Path = failure.value.amx_report_path
    data = json.loads(path.with_name("report.json").read_text(encoding="utf-8"))
    assert data["outcome"] == "failed at load"
    assert data["error"]


def test_amx_run_prints_progress_and_the_report_path(database):
    from loaders.cli import app
    from loaders.settings import DEFAULT_SOURCE

    # the CLI under test points at the test's own server through AMX_DATABASE_URL, a configured
    # database: the delivery must be named
    result = CliRunner().invoke(
        app, ["run", "--stages", "load,mentions", "--source", str(DEFAULT_SOURCE)]
    )
    assert result.exit_code == 0, result.output
    path = Path(re.search(r"report: (\S+report\.html)", result.output).group(1))
    assert path.is_file()
    # not a terminal: a few plain progress lines inside the long dbt stage, up to all its nodes
    done = [
        (int(a), int(b))
        for a, b in re.findall(r"amx: mentions: (\d+)/(\d+) dbt nodes", result.output)
    ]
    assert 2 <= len(done) <= 4 and done == sorted(done), result.output
    assert done[-1][0] == done[-1][1] > 10  # every node of the stage (seeds, staging, tests)


def test_bar_chart_draws_one_bar_per_value():
    svg = bar_chart(["a", "b", "c"], [1, 5, 2], title="t")
    assert svg.startswith("<svg") and svg.count("<rect") == 3


def test_cli_help_and_status_fit_an_80_column_terminal(built_db, monkeypatch):
    from loaders.cli import app

    monkeypatch.setenv("COLUMNS", "80")
    runner = CliRunner()
    help_text = runner.invoke(app, ["--help"], terminal_width=80).output
    assert "<bool>" not in help_text and "[default: False]" not in help_text
    assert max(len(line) for line in help_text.splitlines()) <= 80
    result = runner.invoke(app, ["status"], terminal_width=80)
    assert result.exit_code == 0, result.output
    live = str(publish.status(built_db)["live"]["run_id"])
    assert live in result.output  # the whole run id, never cut with an ellipsis
    assert max(len(line) for line in result.output.splitlines()) <= 80
