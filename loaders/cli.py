"""``amx``: the command line of the AM Explorer vendor-data pipeline."""

from __future__ import annotations

import logging
import os
import sys
import traceback
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from loaders.settings import DEFAULT_SOURCE, quiet_telemetry

quiet_telemetry()
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")

app = typer.Typer(
    help="Land the vendor export, link companies and build the production tables.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # plain click help: no type column (`--debug <bool>`), fits 80 columns
)
db_app = typer.Typer(help="The database in use (AMX_DATABASE_URL, else the embedded one).")
app.add_typer(db_app, name="db")
link_app = typer.Typer(help="Company linkage with Splink (dedupe/).")
app.add_typer(link_app, name="link")

console = Console(stderr=False, highlight=False)
err = Console(stderr=True, highlight=False)
_state = {"debug": False}


def _fail(exc: BaseException) -> None:
    """One line a user can act on; the traceback only with --debug."""
    if _state["debug"]:
        traceback.print_exception(exc)
    err.print(f"[bold red]error:[/] {exc}", markup=True, soft_wrap=True)
    raise typer.Exit(code=1)


_status = {"live": None, "printed": {}}
PROGRESS_LINES = 4  # plain progress lines per stage when not on a terminal (CI, logs)


def _announce(message: str) -> None:
    """Plain lines in CI and logs; on a terminal the spinner shows the stage too."""
    console.print(f"amx: {message}", markup=False)
    if _status["live"] is not None:
        _status["live"].update(f"amx run: {message}")


def _progress(stage: str, done: int, total: int, node: str) -> None:
    """dbt nodes of a long stage as they finish: the spinner's line on a terminal (every node),
    a few plain lines elsewhere (each quarter of the stage)."""
    if _status["live"] is not None:
        _status["live"].update(f"amx run: {stage}: {done}/{total} dbt nodes ({node})")
        return
    quarter = done * PROGRESS_LINES // max(total, 1)
    if quarter > _status["printed"].get(stage, 0):
        _status["printed"][stage] = quarter
        console.print(f"amx: {stage}: {done}/{total} dbt nodes done", markup=False)


@app.callback()
def main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and the libraries' INFO logs.")
    ] = False,
) -> None:
    _state["debug"] = debug
    if debug:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
        logging.getLogger().setLevel(logging.INFO)


def _database():
    from loaders.db import resolve_database

    return resolve_database()


@app.command()
def run(
    source: Annotated[
        Path | None,
        typer.Option(
            "--source",
            metavar="DIR",
            help="Directory holding the 11 vendor JSON files (default: data/sample, embedded"
            " database only).",
        ),
    ] = None,
    stages: Annotated[
        str,
        typer.Option(
            "--stages",
            metavar="LIST",
            help="Comma-separated subset of load,mentions,link,build,publish (default: all).",
        ),
    ] = "",
    allow_shrink: Annotated[
        bool,
        typer.Option(
            "--allow-shrink",
            help="Publish even when a mart or a sheet would lose more than the allowed share"
            " (AMX_MAX_SHRINK, default 0.2) of its live rows.",
        ),
    ] = False,
) -> None:
    """Load, link, build and test; publish if the tests pass.

    Every stage runs unless --stages names a subset; the build goes to a shadow schema and
    reaches production in one swap only when its tests passed.
    """
    from loaders import pipeline

    chosen = tuple(s.strip() for s in stages.split(",") if s.strip()) or pipeline.STAGES
    unknown = [s for s in chosen if s not in pipeline.STAGES]
    if unknown:
        _fail(ValueError(f"unknown stage(s) {', '.join(unknown)}; use {','.join(pipeline.STAGES)}"))
    _run_pipeline(source, stages=chosen, allow_shrink=allow_shrink)


def _source_for(source: Path | None, stages: tuple[str, ...]) -> Path:
    """The sample is a default for the embedded database only: a configured database (the real
    one, say) gets a delivery only when the operator names it."""
    if source is not None:
        return source
    if os.environ.get("AMX_DATABASE_URL") and "load" in stages:
        raise ValueError(
            "AMX_DATABASE_URL is set: name the delivery with --source DIR (the sample is a default"
            " for the embedded database only)"
        )
    return DEFAULT_SOURCE


def _run_pipeline(
    source: Path | None,
    *,
    build: bool = True,
    stages: tuple[str, ...] = (),
    allow_shrink: bool = False,
) -> None:  # build=False: only the load (`amx load`)
    from loaders import pipeline

    summary = None
    try:
        source = _source_for(source, (stages or pipeline.STAGES) if build else ("load",))
        db = _database()
        with console.status("amx run", spinner="dots") if console.is_terminal else _null() as live:
            _status["live"] = live if console.is_terminal else None
            _status["printed"] = {}
            summary = pipeline.run(
                db,
                source,
                build=build,
                stages=stages or pipeline.STAGES,
                announce=_announce,
                progress=_progress,
                allow_shrink=allow_shrink,
            )
    except Exception as exc:  # user-facing errors are one line; see --debug
        report_path = getattr(exc, "amx_report_path", None)
        if report_path:
            err.print(f"report: {report_path}", markup=False, soft_wrap=True)
        _fail(exc)
        return
    _print_summary(summary)


@app.command()
def load(
    source: Annotated[
        Path | None, typer.Option("--source", metavar="DIR", help="See `amx run`.")
    ] = None,
) -> None:
    """Only land the export into the raw schema."""
    _run_pipeline(source, build=False)


@app.command()
def build(
    allow_shrink: Annotated[bool, typer.Option("--allow-shrink", help="See `amx run`.")] = False,
) -> None:
    """Rebuild from what is in raw, test, publish.

    Runs mentions, build and publish; the linkage is the last run's.
    """
    _run_pipeline(
        DEFAULT_SOURCE, stages=("mentions", "build", "publish"), allow_shrink=allow_shrink
    )


@app.command()
def rollback() -> None:
    """Put the previous production marts back.

    A second rollback undoes the first.
    """
    from loaders import publish

    try:
        result = publish.rollback(_database())
    except Exception as exc:
        _fail(exc)
        return
    console.print(
        f"rolled back: live is now run {result['live_run_id'] or 'unrecorded'}"
        f" ({sum(result['row_counts'].values()):,} rows),"
        f" previous is {result['previous_run_id'] or 'unrecorded'}"
        f"; {result['seconds']:.2f} s",
        markup=False,
    )


@app.command()
def status() -> None:
    """Live and previous production: runs and row counts."""
    from loaders import publish

    try:
        info = publish.status(_database())
    except Exception as exc:
        _fail(exc)
        return
    # every cell on one line: a run id cut at the terminal's edge is a run id nobody can use
    table = Table(title="production marts")
    table.add_column("", no_wrap=True)
    table.add_column("run id", overflow="fold", min_width=26)
    table.add_column("published at", no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    names = sorted(set(info["live"]["row_counts"]) | set(info["previous"]["row_counts"]))
    for state in ("live", "previous"):
        s = info[state]
        at = f"{s['published_at']:%Y-%m-%d %H:%M %Z}" if s["published_at"] else "—"
        table.add_row(state, s["run_id"] or "—", at, f"{sum(s['row_counts'].values()):,}")
    console.print(table)
    console.print(
        f"live is schema {info['live']['schema']}, previous is {info['previous']['schema']}",
        markup=False,
    )
    counts = Table(title="rows per table")
    counts.add_column("table")
    counts.add_column("live", justify="right")
    counts.add_column("previous", justify="right")
    for name in names:
        live, prev = info["live"]["row_counts"].get(name), info["previous"]["row_counts"].get(name)
        counts.add_row(
            name, "—" if live is None else f"{live:,}", "—" if prev is None else f"{prev:,}"
        )
    console.print(counts)
    if info["last_action"]:
        console.print(
            f"last change: {info['last_action']} at {info['last_action_at']:%Y-%m-%d %H:%M:%S %Z}"
        )


@app.command()
def backup(
    out: Annotated[
        Path | None, typer.Option("--out", help="Directory (default $AMX_HOME/backups).")
    ] = None,
) -> None:
    """Dump the live production marts to a file.

    Uses the pg_dump that matches the server; `amx restore FILE` puts it back.
    """
    from loaders import publish

    try:
        path = publish.backup(_database(), out)
    except Exception as exc:
        _fail(exc)
        return
    console.print(f"backup written: {path} ({path.stat().st_size:,} bytes)", markup=False)


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A .dump written by `amx backup`.")],
) -> None:
    """Replace the live production marts with a backup.

    One transaction: the marts are either all restored or untouched.
    """
    from loaders import publish

    try:
        result = publish.restore(_database(), file)
    except Exception as exc:
        _fail(exc)
        return
    console.print(
        f"restored run {result['run_id']}: {sum(result['row_counts'].values()):,} rows"
        f" in {result['seconds']:.2f} s",
        markup=False,
    )


@app.command()
def env() -> None:
    """Print shell exports for dbt and psql.

    They reach the database in use (AMX_DATABASE_URL, else the embedded one).
    """
    try:
        db = _database()
    except Exception as exc:
        _fail(exc)
        return
    import shlex

    values = {
        **db.dbt_env(),
        **db.libpq_env(),
        "DBT_PROFILES_DIR": str(Path(__file__).parent.parent / "profiles"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    for key, value in values.items():
        print(f"export {key}={shlex.quote(value)}")


@db_app.command("url")
def db_url() -> None:
    """Print the database URL in use (starting the embedded server if needed)."""
    try:
        print(_database().url)
    except Exception as exc:
        _fail(exc)


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded Postgres (does nothing when AMX_DATABASE_URL is set)."""
    from loaders.db import stop_embedded

    if os.environ.get("AMX_DATABASE_URL"):
        console.print("AMX_DATABASE_URL is set: nothing embedded to stop")
        return
    try:
        stopped = stop_embedded()
    except Exception as exc:
        _fail(exc)
        return
    console.print("embedded Postgres stopped" if stopped else "embedded Postgres was not running")


@link_app.command("run")
def link_run() -> None:
    """Score and cluster the mentions already built in the database (no dbt build)."""
    from dedupe.linkage.run import link

    try:
        result = link(_database())
    except Exception as exc:
        _fail(exc)
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
    import duckdb

    from dedupe import decisions as steward
    from dedupe.labels import load_labels
    from dedupe.linkage.features import collapse
    from dedupe.linkage.mentions import read_mentions
    from dedupe.model import MODEL_PATH
    from dedupe.train import label_pairs, train

    try:
        con = duckdb.connect()
        features = collapse(con, read_mentions(_database()))
        labelled = None
        if labels is not None:
            known = [
                (f"{labels / 'pairs.csv'} {p.pair_id}", p.left, p.right)
                for p in load_labels(labels).pairs
                if p.label == "match"
            ]
            known += [
                (f"steward decision {d.mention_key_l} / {d.mention_key_r}", *key)
                for key, d in steward.current().items()
                if d.decision == "match"
            ]
            mention_feature = dict(
                con.execute("select mention_key, feature_id from mentions").fetchall()
            )
            labelled = label_pairs(mention_feature, known)
        train(features, labelled=labelled)
    except Exception as exc:
        _fail(exc)
        return
    console.print(
        f"trained on {features.num_rows:,} distinct feature rows"
        + (f", m from {len(labelled):,} labelled pairs" if labelled else "")
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
        _fail(ValueError("give exactly one of --truth FILE or --labels DIR"))
        return
    if labels is not None:
        from dedupe.labels import format_report, load_labels, score

        try:
            report = score(_database(), load_labels(labels))
        except Exception as exc:
            _fail(exc)
            return
        print(format_report(report))
        return
    try:
        values = sorted({float(t) for t in thresholds.split(",")} | {load_config().match_threshold})
        truth_map = load_truth(truth)
        by_threshold = clusterings_at(_database(), values)
    except Exception as exc:
        _fail(exc)
        return
    for scope, title in ((None, "all mentions"), ("master", "master list only")):
        console.print(f"\n{title} (configured threshold {load_config().match_threshold:g})")
        rows = [(t, evaluate(truth_map, pred, scope=scope)) for t, pred in by_threshold.items()]
        print(format_table(rows))


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the 11 files to.")],
    companies: Annotated[int, typer.Option("--companies")] = 5188,
    seed: Annotated[int, typer.Option("--seed")] = 1,
) -> None:
    """Write a synthetic export in the vendor's format.

    truth.csv beside it maps every mention to its entity.
    """
    from dedupe.synthetic import generate_export

    out.mkdir(parents=True, exist_ok=True)
    counts = generate_export(companies, seed, out)
    console.print(f"wrote {sum(counts.values()):,} rows in {len(counts)} files to {out}")


@link_app.command("apply")
def link_apply() -> None:
    """Apply steward decisions: re-cluster, rebuild in the shadow schema, publish if tests pass."""
    from loaders import pipeline

    try:
        summary = pipeline.run(_database(), DEFAULT_SOURCE, stages=("link", "build", "publish"))
    except Exception as exc:
        _fail(exc)
        return
    result = summary.link
    if result is not None:
        outcomes = ", ".join(f"{n} {s}" for s, n in sorted(result.decisions.items())) or "none"
        console.print(
            f"linkage run {result.run_id}: {result.clusters:,} companies; decisions: {outcomes};"
            f" {result.review_items:,} left in the review queue",
            markup=False,
        )
    console.print(f"dbt build: {_counts(summary.build.status_counts)}; published")
    console.print(f"report: {summary.report_path}", markup=False, soft_wrap=True)


@app.command()
def review(
    host: Annotated[str, typer.Option(help="Interface to bind (localhost unless told).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=0, max=65535, help="0 picks a free port.")] = 8765,
    reviewer: Annotated[
        str, typer.Option(help="Name recorded with decisions (default: your login).")
    ] = "",
) -> None:
    """Serve the steward review page."""
    import getpass

    from dedupe.review import create_app, serve

    try:
        app_ = create_app(_database(), reviewer=reviewer or getpass.getuser())
        if host not in ("127.0.0.1", "localhost", "::1"):
            err.print(f"warning: serving on {host}: anyone who reaches it can record decisions")
        serve(app_, host, port, announce=lambda line: console.print(line, markup=False))
    except Exception as exc:
        _fail(exc)


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _counts(counts: dict[str, int]) -> str:
    from loaders.report import test_summary

    return test_summary(counts)


def _print_summary(summary) -> None:
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
        console.print(f"dbt build: {_counts(summary.build.status_counts)}")
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
