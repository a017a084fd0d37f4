"""``amx link``: run, train, evaluate the company linkage; apply the steward's decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from loaders.cli.output import console, database, fail, test_counts
from loaders.settings import DEFAULT_SOURCE

link_app = typer.Typer(help="Company linkage with Splink (dedupe/).")


@link_app.command("run")
def link_run() -> None:
    """Score and cluster the mentions already built in the database (no dbt build)."""
    from dedupe.linkage.run import link

    try:
        result = link(database())
    except Exception as exc:
        fail(exc)
        return
    console.print(
        f"linkage run {result.run_id}: {result.mentions:,} mentions, {result.feature_rows:,}"
        f" distinct feature rows, {result.scored_pairs:,} scored pairs, {result.matched_pairs:,}"
        f" matched, {result.clusters:,} clusters; seconds "
        + ", ".join(f"{k} {v:.2f}" for k, v in result.seconds.items()),
        markup=False,
    )


@link_app.command("train")
def link_train(
    labels: Annotated[
        Path | None,
        typer.Option(
            "--labels",
            help="directory of hand labels (pairs.csv): estimate m from its match pairs and the"
            " steward's current match decisions",
        ),
    ] = None,
) -> None:
    """Re-estimate the model on the mentions in the database; writes dedupe/model.json."""
    from dedupe.model import MODEL_PATH
    from dedupe.train import train_on_database

    try:
        rows, labelled = train_on_database(database(), labels)
    except Exception as exc:
        fail(exc)
        return
    console.print(
        f"trained on {rows:,} distinct feature rows"
        + (f", m from {labelled:,} labelled pairs" if labelled else "")
        + f" -> {MODEL_PATH}"
    )


@link_app.command("evaluate")
def link_evaluate(
    truth: Annotated[
        Path | None, typer.Option("--truth", help="truth.csv written by amx generate")
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option("--labels", help="directory of hand labels (pairs.csv, mentions.csv)"),
    ] = None,
    thresholds: Annotated[
        str, typer.Option(help="Comma-separated match-probability thresholds to compare.")
    ] = "0.3,0.5,0.7,0.8,0.9,0.95,0.99",
) -> None:
    """Score the last run: per threshold against a truth file (--truth), or the published
    companies against hand labels of the real export (--labels)."""
    from dedupe.evaluate import evaluate, format_table, load_truth
    from dedupe.linkage.clustering import clusterings_at
    from dedupe.linkage.config import load_config

    if (truth is None) == (labels is None):
        fail(ValueError("give exactly one of --truth FILE or --labels DIR"))
        return
    if labels is not None:
        from dedupe.labels import format_report, load_labels, score

        try:
            report = score(database(), load_labels(labels))
        except Exception as exc:
            fail(exc)
            return
        print(format_report(report))
        return
    try:
        values = sorted({float(t) for t in thresholds.split(",")} | {load_config().match_threshold})
        truth_map = load_truth(truth)
        by_threshold = clusterings_at(database(), values)
    except Exception as exc:
        fail(exc)
        return
    for scope, title in ((None, "all mentions"), ("master", "master list only")):
        console.print(f"\n{title} (configured threshold {load_config().match_threshold:g})")
        rows = [(t, evaluate(truth_map, pred, scope=scope)) for t, pred in by_threshold.items()]
        print(format_table(rows))


@link_app.command("apply")
def link_apply() -> None:
    """Apply steward decisions: re-cluster, rebuild in the shadow schema, publish if tests pass."""
    from loaders import pipeline

    try:
        summary = pipeline.run(database(), DEFAULT_SOURCE, stages=("link", "build", "publish"))
    except Exception as exc:
        fail(exc)
        return
    result = summary.link
    if result is not None:
        outcomes = ", ".join(f"{n} {s}" for s, n in sorted(result.decisions.items())) or "none"
        console.print(
            f"linkage run {result.run_id}: {result.clusters:,} companies; decisions: {outcomes};"
            f" {result.review_items:,} left in the review queue",
            markup=False,
        )
    console.print(f"dbt build: {test_counts(summary.build.status_counts)}; published")
    console.print(f"report: {summary.report_path}", markup=False, soft_wrap=True)
