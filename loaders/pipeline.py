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


STAGES = ("load", "mentions", "link", "build")
# Linkage reads the mentions model, so dbt runs in two parts: the mentions model with everything
# upstream of it (seeds, staging) and their tests, then the rest of the graph (resolution, marts,
# audit), which reads linkage.clusters. Nothing is built twice.
MENTIONS_SELECTOR = "+int_company_mentions"


def run(
    db: Database,
    source: Path,
    *,
    build: bool = True,
    stages: tuple[str, ...] = STAGES,
    report: Reporter = lambda _msg: None,
) -> RunSummary:
    """Run the stages in order; stop at the first failure (earlier stages stay committed).

    ``build=False`` runs only the load. ``stages`` picks a subset (e.g. load, mentions, link).
    """
    summary = RunSummary(source=source)
    stages = stages if build else ("load",)
    if "load" in stages:
        with _stage(summary, "load", report):
            delivery = read_delivery(source)
            result = land(db, delivery)
            summary.load_id = result.load_id
            summary.rows = result.rows
            summary.drift = [f"{d.file_name}: {d.kind}: {d.detail}" for d in delivery.drift]
    if not dbt.dbt_available():
        return summary
    from dedupe.link import link, model_available

    if "mentions" in stages:
        with _stage(summary, "mentions", report):
            summary.build = dbt.run_dbt(db, ["build", "--select", MENTIONS_SELECTOR])
    if "link" in stages:
        if model_available():
            with _stage(summary, "link", report):
                summary.link = link(db)
        else:
            report("link: skipped, no trained model (run `amx link train`)")
    if "build" in stages:
        with _stage(summary, "build", report):
            rest = dbt.run_dbt(db, ["build", "--exclude", MENTIONS_SELECTOR])
            summary.build = dbt.merge(summary.build, rest)
    return summary
