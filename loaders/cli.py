"""``amx``: the command line of the AM Explorer vendor-data pipeline."""

from __future__ import annotations

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
)
db_app = typer.Typer(help="The database in use (AMX_DATABASE_URL, else the embedded one).")
app.add_typer(db_app, name="db")

console = Console(stderr=False, highlight=False)
err = Console(stderr=True, highlight=False)
_state = {"debug": False}


def _fail(exc: BaseException) -> None:
    """One line a user can act on; the traceback only with --debug."""
    if _state["debug"]:
        traceback.print_exception(exc)
    err.print(f"[bold red]error:[/] {exc}", markup=True, soft_wrap=True)
    raise typer.Exit(code=1)


_status = {"live": None}


def _report(message: str) -> None:
    """Plain lines in CI and logs; on a terminal the spinner shows the stage too."""
    console.print(f"amx: {message}", markup=False)
    if _status["live"] is not None:
        _status["live"].update(f"amx run: {message}")


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    _state["debug"] = debug


def _database():
    from loaders.db import resolve_database

    return resolve_database()


@app.command()
def run(
    source: Annotated[
        Path, typer.Option("--source", help="Directory holding the 11 vendor JSON files.")
    ] = DEFAULT_SOURCE,
    build: Annotated[bool, typer.Option(help="Run dbt build after loading.")] = True,
) -> None:
    """Run every stage: load the export into raw, then build and test production with dbt."""
    from loaders import pipeline

    try:
        db = _database()
        with console.status("amx run", spinner="dots") if console.is_terminal else _null() as live:
            _status["live"] = live if console.is_terminal else None
            summary = pipeline.run(db, source, build=build, report=_report)
    except Exception as exc:  # user-facing errors are one line; see --debug
        _fail(exc)
        return
    _print_summary(summary)


@app.command()
def load(
    source: Annotated[Path, typer.Option("--source")] = DEFAULT_SOURCE,
) -> None:
    """Only land the export into the raw schema."""
    run(source=source, build=False)


@app.command()
def build() -> None:
    """Only run dbt build (models and tests) on what is in raw."""
    from loaders import dbt

    try:
        result = dbt.run_dbt(_database(), ["build"])
    except Exception as exc:
        _fail(exc)
        return
    console.print(f"dbt build: {_counts(result.status_counts)} in {result.seconds:.1f} s")


@app.command()
def env() -> None:
    """Print the shell exports that let dbt (and psql) reach the database in use."""
    try:
        db = _database()
    except Exception as exc:
        _fail(exc)
        return
    libpq = {"PGHOST": db.host, "PGPORT": str(db.port), "PGUSER": db.user, "PGDATABASE": db.dbname}
    for key, value in {**db.dbt_env(), **libpq}.items():
        print(f"export {key}='{value}'")
    print("export DBT_PROFILES_DIR='" + str(Path(__file__).parent.parent / "profiles") + "'")
    print("export DBT_SEND_ANONYMOUS_USAGE_STATS=false")


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


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "nothing run"


def _print_summary(summary) -> None:
    table = Table(title=f"amx run — load {summary.load_id}", show_footer=True)
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
    if summary.build is not None:
        console.print(f"dbt build: {_counts(summary.build.status_counts)}")
        for w in summary.build.warnings:
            console.print(f"  warning: {w}")
    for d in summary.drift:
        console.print(f"schema drift: {d}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
