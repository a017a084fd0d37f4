"""What the ``amx`` commands print: one-line errors, the run's lines and progress, its summary."""

from __future__ import annotations

import traceback

import typer
from rich.console import Console
from rich.table import Table

console = Console(stderr=False, highlight=False)
err = Console(stderr=True, highlight=False)
STATE = {"debug": False}
LIVE = {"live": None, "printed": {}}  # the spinner on a terminal; plain lines printed per stage
PROGRESS_LINES = 4  # plain progress lines per stage when not on a terminal (CI, logs)


def fail(exc: BaseException) -> None:
    """One line a user can act on; the traceback only with --debug."""
    if STATE["debug"]:
        traceback.print_exception(exc)
    err.print(f"[bold red]error:[/] {exc}", markup=True, soft_wrap=True)
    raise typer.Exit(code=1)


def announce(message: str) -> None:
    """Plain lines in CI and logs; on a terminal the spinner shows the stage too."""
    console.print(f"amx: {message}", markup=False)
    if LIVE["live"] is not None:
        LIVE["live"].update(f"amx run: {message}")


def progress(stage: str, done: int, total: int, node: str) -> None:
    """dbt nodes of a long stage as they finish: the spinner's line on a terminal (every node),
    a few plain lines elsewhere (each quarter of the stage)."""
    if LIVE["live"] is not None:
        LIVE["live"].update(f"amx run: {stage}: {done}/{total} dbt nodes ({node})")
        return
    quarter = done * PROGRESS_LINES // max(total, 1)
    if quarter > LIVE["printed"].get(stage, 0):
        LIVE["printed"][stage] = quarter
        console.print(f"amx: {stage}: {done}/{total} dbt nodes done", markup=False)


def database():
    from loaders.db import resolve_database

    return resolve_database()


def test_counts(counts: dict[str, int]) -> str:
    from loaders.report import test_summary

    return test_summary(counts)


def print_summary(summary) -> None:
    table = Table(title=f"amx run {summary.run_id}", show_footer=True)
    table.add_column("sheet (raw table)", footer="all")
    table.add_column("rows", justify="right", footer=f"{sum(summary.rows.values()):,}")
    for name, rows in summary.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    stages = Table(title="stages")
    stages.add_column("stage")
    stages.add_column("seconds", justify="right")
    for name, seconds in summary.stage_seconds.items():
        stages.add_row(name, f"{seconds:.2f}")
    console.print(stages)
    if summary.link is not None:
        lk = summary.link
        console.print(
            f"linkage: {lk.mentions:,} mentions -> {lk.clusters:,} companies"
            f" ({lk.matched_pairs:,} matched pairs of {lk.scored_pairs:,} scored)"
        )
    if summary.build is not None:
        console.print(f"dbt build: {test_counts(summary.build.status_counts)}")
        for t in summary.build.tests:
            console.print(
                f"  {t.status}: {t.words} — {t.failures if t.failures is not None else '?'}"
                f" row(s) ({t.name})",
                markup=False,
            )
    for d in summary.drift:
        console.print(f"schema drift: {d}")
    if summary.published is not None:
        console.print(
            f"published run {summary.run_id} in {summary.published.seconds:.2f} s"
            f" (previous: {summary.published.previous_run_id or 'none'};"
            " `amx rollback` puts it back)"
        )
    elif "build" in summary.stage_seconds:
        console.print("built and tested in the shadow schema; not published")
    if summary.report_path is not None:
        console.print(f"report: {summary.report_path}", markup=False, soft_wrap=True)
    for step in summary.next_steps:
        console.print(f"next: {step}", markup=False, soft_wrap=True)
