"""``python -m tests.bench [what]``: see the package's docstring."""

from __future__ import annotations

import os
import sys
import time

from loaders.settings import quiet_telemetry
from tests.bench.runs import bench_kept_queries, bench_link, bench_load, bench_real, bench_scale


def _print_machine() -> None:
    print(
        f"# {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    )


def main() -> None:
    quiet_telemetry()
    _print_machine()
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what == "load":
        bench_load()
    elif what == "link":
        bench_link(float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
    elif what == "real":
        bench_real()
    elif what == "scale":
        bench_scale(int(sys.argv[2]) if len(sys.argv) > 2 else 100)
    elif what == "queries":
        bench_kept_queries(sys.argv[2:])
    elif what == "all":
        bench_real()
        bench_scale(100)
    else:
        sys.exit(f"unknown benchmark {what!r}: all, real, scale N, queries, load, link N")


if __name__ == "__main__":
    main()
