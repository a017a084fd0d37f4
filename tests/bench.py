"""Benchmarks (not tests): figures to quote, never pass/fail.

    make bench                        # load stage at the full export's size, linkage at 1x
    python -m tests.bench link 100    # linkage of a 100x synthetic export (~520,000 companies)

Each benchmark uses its own ``$AMX_HOME`` under /tmp (its own embedded database) unless
``AMX_DATABASE_URL`` is set.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from loaders.settings import DEFAULT_SOURCE, quiet_telemetry

FULL_EXPORT_ROWS = 17_927
FULL_EXPORT_COMPANIES = 5_188


def scaled_export(target: Path, total_rows: int = FULL_EXPORT_ROWS) -> int:
    """Write the sample's files with their rows repeated to ``total_rows`` rows in all."""
    files = {
        p.name: json.loads(p.read_text(encoding="utf-8")) for p in DEFAULT_SOURCE.glob("*.json")
    }
    sample_rows = sum(len(rows) for rows in files.values())
    written = 0
    for name, rows in files.items():
        n = round(len(rows) * total_rows / sample_rows)
        out = [rows[i % len(rows)] for i in range(n)]
        (target / name).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
        written += n
    return written


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def bench_load() -> None:
    from loaders.db import resolve_database
    from loaders.land import land
    from loaders.vendor_files import read_delivery

    db = resolve_database()
    with tempfile.TemporaryDirectory() as tmp:
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
    from dedupe.generate import generate_export
    from dedupe.link import link
    from loaders import dbt
    from loaders.db import resolve_database
    from loaders.land import land
    from loaders.vendor_files import read_delivery

    db = resolve_database()
    companies = round(FULL_EXPORT_COMPANIES * scale)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        generate_export(companies, 1, Path(tmp))
        generated = time.perf_counter() - started
        started = time.perf_counter()
        landed = land(db, read_delivery(Path(tmp)))
        loaded = time.perf_counter() - started
    started = time.perf_counter()
    dbt.run_dbt(db, ["build", "--select", "+int_company_mentions"])
    built = time.perf_counter() - started
    started = time.perf_counter()
    result = link(db, dashboards=False)
    linked = time.perf_counter() - started
    print(f"linkage at {scale:g}x: {companies:,} companies, {sum(landed.rows.values()):,} rows")
    print(f"  generate {generated:.1f} s, load {loaded:.1f} s, dbt mentions {built:.1f} s")
    print(
        f"  link {linked:.1f} s ({', '.join(f'{k} {v:.1f}' for k, v in result.seconds.items())})"
        f"; peak RSS of this process {_peak_rss_gb():.2f} GB"
    )
    print(
        f"  {result.mentions:,} mentions, {result.feature_rows:,} feature rows,"
        f" {result.scored_pairs:,} stored pairs, {result.clusters:,} clusters"
    )


if __name__ == "__main__":
    quiet_telemetry()
    os.environ.setdefault("AMX_HOME", tempfile.mkdtemp(prefix="amx_bench_"))
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("load", "all"):
        bench_load()
    if what in ("link", "all"):
        bench_link(float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
