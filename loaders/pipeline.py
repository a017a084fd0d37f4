"""The stages of ``amx run``, in order and timed: load -> mentions -> link -> build -> publish.

The build writes the marts into the shadow schema and runs every dbt test there; publish swaps
them into production only when the build passed (``loaders/publish/``). A run holds the
production lock from start to end, appends its events to ``audit.migration_log`` and leaves a
report in ``$AMX_HOME/runs/<run_id>/`` whether it succeeded or not.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from dedupe.linkage.prediction import model_available
from dedupe.linkage.run import link
from loaders import dbt_runner, publish
from loaders.child import Child
from loaders.db import Database
from loaders.report import write_report as write
from loaders.summary import Announcer, RunSummary, StageProgress

__all__ = ["STAGES", "RunSummary", "run"]


@contextmanager
def _stage(summary: RunSummary, db: Database, name: str, announce: Announcer) -> Iterator[None]:
    announce(f"{name}: started")
    publish.pause_point(name)
    started = time.perf_counter()
    try:
        yield
    except BaseException as exc:
        summary.failed_stage, summary.error = name, str(exc) or type(exc).__name__
        raise
    summary.stage_seconds[name] = time.perf_counter() - started
    publish.log(
        db,
        summary.run_id,
        "stage_finished",
        stage=name,
        seconds=summary.stage_seconds[name],
        rows=summary.stage_rows.get(name),
    )
    announce(f"{name}: done in {summary.stage_seconds[name]:.2f} s")


STAGES = ("load", "mentions", "link", "build", "publish")
# Linkage reads the mentions model, so dbt runs in two parts: the mentions model with everything
# upstream of it (seeds, staging) and their tests, then the rest of the graph (resolution, marts,
# audit), which reads linkage.clusters. Nothing is built twice. The first part also builds
# int_raw_rows (every landed row as a JSON record), which reads only the raw tables: the mentions
# model is one long single-threaded statement, so dbt's second thread builds it meanwhile for
# nothing (at 100x 20-30 s that the build stage no longer spends).
MENTIONS_SELECTOR = "+int_company_mentions"
BEFORE_LINKAGE = [MENTIONS_SELECTOR, "int_raw_rows"]
SHADOW_VARS = {"marts_schema": publish.SHADOW}


def run(
    db: Database,
    source: Path,
    *,
    build: bool = True,
    stages: tuple[str, ...] = STAGES,
    announce: Announcer = lambda _msg: None,
    progress: StageProgress | None = None,
    write_report: bool = True,
    allow_shrink: bool = False,
) -> RunSummary:
    """Run the stages in order; stop at the first failure (earlier stages stay committed).

    ``build=False`` runs only the load. ``stages`` picks a subset (e.g. load, mentions, link):
    ``build`` without ``publish`` leaves the tested marts in the shadow schema. The load stage
    also lands what production holds (``loaders/production.py``). ``allow_shrink`` lets publish
    remove more than ``AMX_MAX_SHRINK`` of a mart's or a sheet's live rows (otherwise it
    refuses). ``progress`` hears of every dbt node as it finishes in the mentions and build
    stages. Raises ``publish.LockedError`` at once when another run holds the production lock.
    """
    summary = RunSummary(source=source, run_id=publish.new_run_id())
    stages = stages if build else ("load",)
    if "publish" in stages and "build" not in stages:
        # only a build of this very run is known to have passed its tests
        raise ValueError("the publish stage needs the build stage in the same run")
    publish.ensure_tables(db)
    with publish.production_lock(db, f"amx run {summary.run_id}"):
        publish.log(db, summary.run_id, "run_started", source=str(source), stages=list(stages))
        failure: BaseException | None = None
        try:
            _run_stages(db, summary, stages, announce, progress, allow_shrink)
        except BaseException as exc:
            failure = exc
            with suppress(Exception):  # e.g. the database went away: keep the run's own error
                publish.log(
                    db,
                    summary.run_id,
                    "failed",
                    stage=summary.failed_stage,
                    error=(summary.error or str(exc))[:4000],
                )
            raise
        finally:
            if write_report:
                try:
                    summary.report_path = write(db, summary)
                except Exception as exc:  # a report must never hide the run's own outcome
                    announce(f"report: could not be written: {exc}")
                if failure is not None and summary.report_path is not None:
                    failure.amx_report_path = summary.report_path  # the CLI prints it
    return summary


def _run_stages(
    db: Database,
    summary: RunSummary,
    stages: tuple[str, ...],
    announce: Announcer,
    progress: StageProgress | None,
    allow_shrink: bool = False,
) -> None:
    run_id = summary.run_id

    def nodes_of(stage: str):
        return (lambda done, total, node: progress(stage, done, total, node)) if progress else None

    # one parse for both dbt parts of the run
    session = dbt_runner.DbtSession(db, SHADOW_VARS) if dbt_runner.dbt_available() else None
    if "load" in stages:
        with _stage(summary, db, "load", announce):
            # the delivery lands in a child process while this one parses the dbt project: two
            # cores, two interpreter locks (a parse error is raised again by the mentions stage)
            child = Child("loaders.land:land_source", db, summary.source)
            try:
                if session is not None and {"mentions", "build"} & set(stages):
                    with suppress(dbt_runner.BuildError):
                        session.parse()
                landed = child.result()
            finally:
                child.stop()
            summary.load_id, summary.rows, summary.drift = landed
            summary.stage_rows["load"] = sum(
                n for table, n in summary.rows.items() if not table.startswith("production__")
            )
    if session is None:
        return
    if "mentions" in stages:
        with _stage(summary, db, "mentions", announce):
            summary.build = session.build(select=BEFORE_LINKAGE, progress=nodes_of("mentions"))
    if "link" in stages:
        if model_available():
            with _stage(summary, db, "link", announce):
                summary.link = link(db, run_id=run_id)
                summary.stage_rows["link"] = summary.link.clusters
        else:
            announce("link: skipped, no trained model (run `amx link train`)")
    if "build" in stages:
        with _stage(summary, db, "build", announce):
            publish.prepare_shadow(db)
            try:
                rest = session.build(exclude=BEFORE_LINKAGE, progress=nodes_of("build"))
            except dbt_runner.BuildError as exc:
                publish.log(db, run_id, "tests", stage="build", passed=False, error=str(exc)[:4000])
                raise
            summary.build = dbt_runner.merge(summary.build, rest)
            # the tested shadow, as it is now: publish swaps only this (loaders/publish/)
            publish.record_build(db, run_id)
            publish.log(
                db,
                run_id,
                "tests",
                stage="build",
                passed=True,
                status_counts=summary.build.status_counts,
                warnings=summary.build.warnings,
            )
    if "publish" in stages:
        with _stage(summary, db, "publish", announce):
            summary.published = publish.publish(db, run_id, allow_shrink=allow_shrink)
            summary.stage_rows["publish"] = sum(summary.published.row_counts.values())
