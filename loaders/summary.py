"""What one ``amx run`` did: written stage by stage by ``loaders/pipeline.py``, read by the run
report (``loaders/report.py``) and the CLI's summary. Its own module so that the report needs
nothing of the pipeline that writes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from loaders import dbt_runner, publish

Announcer = Callable[[str], None]  # says one line of what the run is doing
# stage, dbt nodes done, dbt nodes in the stage, the node that just finished
StageProgress = Callable[[str, int, int, str], None]


@dataclass
class RunSummary:
    source: Path
    run_id: str = ""
    load_id: str | None = None
    rows: dict[str, int] = field(default_factory=dict)  # raw table -> rows landed
    stage_seconds: dict[str, float] = field(default_factory=dict)
    stage_rows: dict[str, int] = field(default_factory=dict)
    drift: list[str] = field(default_factory=list)
    build: dbt_runner.BuildResult | None = None
    link: object | None = None  # dedupe.linkage.storage.LinkResult
    published: publish.PublishResult | None = None
    failed_stage: str | None = None
    error: str | None = None
    report_path: Path | None = None
    next_steps: list[str] = field(default_factory=list)  # what the operator does next
