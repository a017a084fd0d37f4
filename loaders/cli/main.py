"""``amx``: the command line of the AM Explorer vendor-data pipeline."""

from __future__ import annotations

import logging
import os
import warnings
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from loaders.cli.link import link_app
from loaders.cli.output import (
    LIVE,
    STATE,
    announce,
    console,
    database,
    err,
    fail,
    print_summary,
    progress,
)
from loaders.settings import DEFAULT_SOURCE, PROJECT_ROOT, quiet_telemetry

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
app.add_typer(link_app, name="link")


@app.callback()
def main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and the libraries' INFO logs.")
    ] = False,
) -> None:
    STATE["debug"] = debug
    if debug:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
        logging.getLogger().setLevel(logging.INFO)


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
        fail(ValueError(f"unknown stage(s) {', '.join(unknown)}; use {','.join(pipeline.STAGES)}"))
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
        db = database()
        with (
            console.status("amx run", spinner="dots")
            if console.is_terminal
            else nullcontext() as live
        ):
            LIVE["live"] = live if console.is_terminal else None
            LIVE["printed"] = {}
            summary = pipeline.run(
                db,
                source,
                build=build,
                stages=stages or pipeline.STAGES,
                announce=announce,
                progress=progress,
                allow_shrink=allow_shrink,
            )
    except Exception as exc:  # user-facing errors are one line; see --debug
        report_path = getattr(exc, "amx_report_path", None)
        if report_path:
            err.print(f"report: {report_path}", markup=False, soft_wrap=True)
        fail(exc)
        return
    print_summary(summary)


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
        result = publish.rollback(database())
    except Exception as exc:
        fail(exc)
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
        info = publish.status(database())
    except Exception as exc:
        fail(exc)
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
        path = publish.backup(database(), out)
    except Exception as exc:
        fail(exc)
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
        result = publish.restore(database(), file)
    except Exception as exc:
        fail(exc)
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
        db = database()
    except Exception as exc:
        fail(exc)
        return
    import shlex

    values = {
        **db.dbt_env(),
        **db.libpq_env(),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "profiles"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    for key, value in values.items():
        print(f"export {key}={shlex.quote(value)}")


@db_app.command("url")
def db_url() -> None:
    """Print the database URL in use (starting the embedded server if needed)."""
    try:
        print(database().url)
    except Exception as exc:
        fail(exc)


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
        fail(exc)
        return
    console.print("embedded Postgres stopped" if stopped else "embedded Postgres was not running")


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
        app_ = create_app(database(), reviewer=reviewer or getpass.getuser())
        if host not in ("127.0.0.1", "localhost", "::1"):
            err.print(f"warning: serving on {host}: anyone who reaches it can record decisions")
        serve(app_, host, port, announce=lambda line: console.print(line, markup=False))
    except Exception as exc:
        fail(exc)
