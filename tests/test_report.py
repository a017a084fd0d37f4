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
    "stages", "tests", "reconciliation", "scorecard", "warnings", "linkage", "health",
    "publication", "events",
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


def test_amx_run_prints_the_report_path(database):
    from loaders.cli import app
    from loaders.settings import DEFAULT_SOURCE

    # the CLI under test points at the test's own server through AMX_DATABASE_URL, a configured
    # database: the delivery must be named
    result = CliRunner().invoke(app, ["run", "--stages", "load", "--source", str(DEFAULT_SOURCE)])
    assert result.exit_code == 0, result.output
    path = Path(re.search(r"report: (\S+report\.html)", result.output).group(1))
    assert path.is_file()


def test_bar_chart_draws_one_bar_per_value():
    svg = bar_chart(["a", "b", "c"], [1, 5, 2], title="t")
    assert svg.startswith("<svg") and svg.count("<rect") == 3
