"""Benchmarks (not tests): figures to quote, never pass/fail.

``make bench`` replicates the sample export to the full export's size (17,927 rows, per-sheet
proportions of the sample) and times the load stage on the embedded database.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from loaders.db import resolve_database
from loaders.land import land
from loaders.settings import DEFAULT_SOURCE, quiet_telemetry
from loaders.vendor_files import read_delivery

FULL_EXPORT_ROWS = 17_927


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


def bench_load() -> None:
    quiet_telemetry()
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


if __name__ == "__main__":
    bench_load()
