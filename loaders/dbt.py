"""Run dbt in-process (``dbtRunner``) against the database in use."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from loaders.db import Database
from loaders.settings import DBT_PROJECT_DIR, PROFILES_DIR


class BuildError(RuntimeError):
    """dbt reported errors; the message lists the failing nodes."""


@dataclass
class BuildResult:
    seconds: float
    status_counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def dbt_available() -> bool:
    return (DBT_PROJECT_DIR / "dbt_project.yml").exists()


def run_dbt(db: Database, args: list[str], *, vars_: dict | None = None) -> BuildResult:
    """Invoke ``dbt <args>`` with the project's profile; raise BuildError on any error."""
    import json
    import time

    from dbt.cli.main import dbtRunner

    os.environ.update(db.dbt_env())
    cli = [
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(PROFILES_DIR),
        "--quiet" if os.environ.get("AMX_DBT_VERBOSE") != "1" else "--no-quiet",
    ]
    if vars_:
        cli += ["--vars", json.dumps(vars_)]
    started = time.perf_counter()
    res = dbtRunner().invoke(cli)
    seconds = time.perf_counter() - started
    result = BuildResult(seconds=seconds)
    for r in getattr(res.result, "results", None) or []:
        status = str(r.status)
        result.status_counts[status] = result.status_counts.get(status, 0) + 1
        name = getattr(r.node, "name", "?")
        if status == "warn":
            result.warnings.append(f"{name}: {r.message or r.failures}")
        elif status in ("error", "fail", "runtime error"):
            result.failures.append(f"{name}: {r.message or r.failures}")
    if res.exception is not None:
        raise BuildError(f"dbt {' '.join(args)} could not run: {res.exception}")
    if not res.success or result.failures:
        listed = "\n  ".join(result.failures[:20]) or "see dbt_project/logs/dbt.log"
        raise BuildError(f"dbt {' '.join(args)} failed:\n  {listed}")
    return result


def merge(first: BuildResult | None, second: BuildResult) -> BuildResult:
    """One result for a build run in parts."""
    if first is None:
        return second
    counts = dict(first.status_counts)
    for k, v in second.status_counts.items():
        counts[k] = counts.get(k, 0) + v
    return BuildResult(
        seconds=first.seconds + second.seconds,
        status_counts=counts,
        warnings=first.warnings + second.warnings,
        failures=first.failures + second.failures,
    )
