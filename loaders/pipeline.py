"""The stages of ``amx run``, in order and timed: load -> build (-> link, publish later)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from loaders import dbt
from loaders.db import Database
from loaders.land import land
from loaders.vendor_files import read_delivery


@dataclass
class RunSummary:
    source: Path
    load_id: str | None = None
    rows: dict[str, int] = field(default_factory=dict)  # raw table -> rows landed
    stage_seconds: dict[str, float] = field(default_factory=dict)
    drift: list[str] = field(default_factory=list)
    build: dbt.BuildResult | None = None
    link: object | None = None  # dedupe.link.LinkResult


Reporter = Callable[[str], None]


@contextmanager
def _stage(summary: RunSummary, name: str, report: Reporter) -> Iterator[None]:
    report(f"{name}: started")
    started = time.perf_counter()
    yield
    summary.stage_seconds[name] = time.perf_counter() - started
    report(f"{name}: done in {summary.stage_seconds[name]:.2f} s")


def run(
    db: Database,
    source: Path,
    *,
    build: bool = True,
    report: Reporter = lambda _msg: None,
) -> RunSummary:
    """Run every stage that exists; stop at the first failure (earlier stages stay committed)."""
    summary = RunSummary(source=source)
    with _stage(summary, "load", report):
        delivery = read_delivery(source)
        result = land(db, delivery)
        summary.load_id = result.load_id
        summary.rows = result.rows
        summary.drift = [f"{d.file_name}: {d.kind}: {d.detail}" for d in delivery.drift]
    if build and dbt.dbt_available():
        from dedupe.link import link, model_available

        if model_available():
            # Linkage reads the mentions model, so that part of the dbt graph is built first.
            with _stage(summary, "mentions", report):
                dbt.run_dbt(db, ["build", "--select", "+int_company_mentions"])
            with _stage(summary, "link", report):
                summary.link = link(db)
        else:
            report("link: skipped, no trained model (run `amx link train`)")
        with _stage(summary, "build", report):
            summary.build = dbt.run_dbt(db, ["build"])
    return summary
