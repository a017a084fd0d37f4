"""Benchmarks (not tests): figures to quote, never pass/fail.

    make bench                                  # real export and 100x end to end, app queries
    python -m tests.bench real                  # the real export end to end (cold, then warm)
    python -m tests.bench scale 100             # the export's company sheets x100, end to end
    python -m tests.bench load                  # load stage at the full export's size
    python -m tests.bench link 100              # linkage of a 100x synthetic export
    AMX_BENCH_HOME=/tmp/amx-100x python -m tests.bench scale 100   # build once, keep the database
    AMX_BENCH_HOME=/tmp/amx-100x python -m tests.bench queries     # only the app queries, again
    AMX_BENCH_HOME=/tmp/amx-100x python -m tests.bench queries critical pricing   # some of them

Each benchmark uses its own ``$AMX_HOME`` under /tmp (its own embedded database). With
``$AMX_BENCH_HOME`` set, ``scale N`` builds into that directory and keeps it; a later ``scale N``
with the same N reuses the built database instead of rebuilding it, and ``queries`` re-runs only
the app's queries against it (e.g. after ``AMX_HOME=$AMX_BENCH_HOME amx run --stages
build,publish`` has rebuilt the marts). The real export is read from ``$AMX_EXPORT`` (default
``../shared/vendor_export`` beside the repository).
"""
