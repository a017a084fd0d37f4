"""Peak memory of a benchmark: this process's max RSS, and the summed PSS of amx, its children
and the database server, sampled while a run goes on."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared memory (Postgres' buffers) split among the processes that
    map it, so the sum over processes does not count it once per backend."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(roots: set[int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    seen, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo += children.get(pid, [])
    return seen


class MemorySampler:
    """Peak of the summed PSS of this process, its children and the database server (the
    postmaster of ``pgdata`` and its backends), sampled twice a second."""

    def __init__(self, pgdata: Path | None = None) -> None:
        import threading

        self.pgdata = pgdata
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _roots(self) -> set[int]:
        roots = {os.getpid()}
        pid_file = self.pgdata / "postmaster.pid" if self.pgdata else None
        if pid_file and pid_file.exists():
            roots.add(int(pid_file.read_text().split()[0]))
        return roots

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            total = sum(_pss_kb(pid) for pid in _descendants(self._roots()))
            self.peak_kb = max(self.peak_kb, total)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_gb(self) -> float:
        return self.peak_kb / 1024 / 1024
