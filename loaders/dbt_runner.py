"""Run dbt in-process (``dbtRunner``) against the database in use.

A run invokes dbt more than once (the mentions part before linkage, the rest after it). dbt's
parse costs seconds on every invocation, so :class:`DbtSession` parses the project once and hands
the manifest to each invocation. Reference seeds (26,000 rows of place names, common words and
public suffixes) change a few times a year: a session loads a seed only when its file, the seeds'
YAML or the project's config changed since it was last loaded into this database, or its table is
missing (``audit.seed_loads`` records what was loaded).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from loaders.db import Database
from loaders.settings import DBT_PROJECT_DIR, PROFILES_DIR

SEED_DIR = DBT_PROJECT_DIR / "seeds"
SEED_SCHEMA = "reference"  # dbt_project.yml: seeds +schema
# Everything besides the CSV itself that decides what a seed's table looks like.
SEED_CONFIG_FILES = (SEED_DIR / "_seeds.yml", DBT_PROJECT_DIR / "dbt_project.yml")


class BuildError(RuntimeError):
    """dbt reported errors; the message lists the failing nodes."""


EXAMPLE_ROWS = 3  # failing rows shown per warning or failing test


@dataclass
class TestOutcome:
    """A test that warned or failed, said in words, with a few of the rows it found."""

    name: str
    status: str
    words: str
    failures: int | None
    message: str
    examples: list[dict] = field(default_factory=list)


@dataclass
class BuildResult:
    seconds: float
    status_counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    tests: list[TestOutcome] = field(default_factory=list)
    seeds: set[str] = field(default_factory=set)  # seeds this build loaded


def describe_test(node) -> str:
    """A test in words: its description when the YAML gives one, else what the generic test
    checks, on which column of which model."""
    if getattr(node, "description", ""):
        return node.description.strip()
    meta = getattr(node, "test_metadata", None)
    if meta is None:  # a singular test: its file name is its sentence
        return node.name.replace("_", " ")
    kwargs = meta.kwargs or {}
    model = (getattr(node, "attached_node", None) or "").split(".")[-1] or "?"
    column = kwargs.get("column_name")
    target = f"{model}.{column}" if column else model
    sentences = {
        "not_null": f"{target} is never empty",
        "unique": f"{target} is unique",
        "accepted_values": f"{target} is one of {kwargs.get('values')}",
        "relationships": f"every {target} exists in {_ref_name(kwargs.get('to'))}"
        f".{kwargs.get('field')}",
    }
    if meta.name in sentences:
        return sentences[meta.name]
    details = ", ".join(
        f"{k} {_unjinja(v)}" for k, v in kwargs.items() if k not in ("column_name", "model") and v
    )
    return f"{target}: {meta.name.replace('_', ' ')}" + (f" ({details})" if details else "")


def _unjinja(value: object) -> str:
    """A test argument as an operator reads it: ``{{ var('unit_price_max_usd') }}`` ->
    ``unit_price_max_usd`` (dbt keeps the arguments unrendered on the node)."""
    return re.sub(r"\{\{\s*var\(\s*['\"](\w+)['\"]\s*\)\s*\}\}", r"\1", str(value))


def _ref_name(ref: object) -> str:
    """``ref('companies')`` as written in a test's YAML -> ``companies``."""
    text = str(ref or "?")
    return text.split("'")[1] if text.count("'") >= 2 else text


def _examples(db: Database, compiled_sql: str | None) -> list[dict]:
    """The first rows a test's query finds (the rows behind a warning), best effort: a test
    whose query cannot run alone still gets its sentence and count."""
    if not compiled_sql:
        return []
    try:
        with db.connect() as conn:
            cur = conn.execute(
                f"select * from ({compiled_sql}) as failing limit {EXAMPLE_ROWS}"  # noqa: S608
            )
            names = [d.name for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    except Exception:  # the count and the sentence stand without examples
        return []


def dbt_available() -> bool:
    return (DBT_PROJECT_DIR / "dbt_project.yml").exists()


def _common_args(vars_: dict | None) -> list[str]:
    verbose = os.environ.get("AMX_DBT_VERBOSE") == "1"
    args = [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(PROFILES_DIR),
        "--no-quiet" if verbose else "--quiet",
        # dbt_project/logs/dbt.log keeps dbt's lines, errors and warnings; at debug level it
        # would also format every statement and connection event, about a tenth of a build's
        # Python time. AMX_DBT_VERBOSE=1 writes the debug log (and prints dbt's lines).
        "--log-level-file",
        "debug" if verbose else "info",
    ]
    if vars_:
        args += ["--vars", json.dumps(vars_, sort_keys=True)]
    return args


Progress = Callable[[int, int, str], None]  # nodes done, nodes in the invocation, last node


def _node_counter(progress: Progress):
    """A dbt event callback that counts finished nodes (models, seeds, tests) as they finish;
    dbt's start lines carry the invocation's node count."""
    state = {"done": 0, "total": 0}

    def on_event(msg) -> None:
        name = msg.info.name
        if name == "LogStartLine":
            state["total"] = max(state["total"], msg.data.total)
        elif name == "NodeFinished":
            state["done"] += 1
            total = max(state["total"], state["done"])
            progress(state["done"], total, msg.data.node_info.node_name)

    return on_event


def run_dbt(
    db: Database,
    args: list[str],
    *,
    vars_: dict | None = None,
    manifest=None,
    progress: Progress | None = None,
) -> BuildResult:
    """Invoke ``dbt <args>`` with the project's profile; raise BuildError on any error.

    ``manifest`` (from :meth:`DbtSession.parse`) skips dbt's parse; it must have been parsed with
    the same ``vars_``. ``progress`` hears of every node as it finishes.
    """
    from dbt.cli.main import dbtRunner

    os.environ.update(db.dbt_env())
    started = time.perf_counter()
    callbacks = [_node_counter(progress)] if progress else []
    res = dbtRunner(manifest=manifest, callbacks=callbacks).invoke([*args, *_common_args(vars_)])
    seconds = time.perf_counter() - started
    result = BuildResult(seconds=seconds)
    for r in getattr(res.result, "results", None) or []:
        status = str(r.status)
        result.status_counts[status] = result.status_counts.get(status, 0) + 1
        name = getattr(r.node, "name", "?")
        if status == "success" and getattr(r.node, "resource_type", None) == "seed":
            result.seeds.add(name)
        if status == "warn":
            result.warnings.append(f"{name}: {r.message or r.failures}")
        elif status in ("error", "fail", "runtime error"):
            result.failures.append(f"{name}: {r.message or r.failures}")
        if status in ("warn", "fail") and getattr(r.node, "resource_type", None) == "test":
            result.tests.append(
                TestOutcome(
                    name=name,
                    status=status,
                    words=describe_test(r.node),
                    failures=r.failures,
                    message=r.message or "",
                    examples=_examples(db, getattr(r.node, "compiled_code", None)),
                )
            )
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
        tests=first.tests + second.tests,
        seeds=first.seeds | second.seeds,
    )


def seed_fingerprints() -> dict[str, str]:
    """seed name -> sha256 of its CSV and of the files that configure every seed."""
    config = hashlib.sha256()
    for path in SEED_CONFIG_FILES:
        config.update(path.read_bytes())
    return {
        path.stem: hashlib.sha256(config.digest() + path.read_bytes()).hexdigest()
        for path in sorted(SEED_DIR.glob("*.csv"))
    }


_SEED_LOADS_DDL = """
create schema if not exists audit;
create table if not exists audit.seed_loads (
    seed text primary key,
    fingerprint text not null,
    loaded_at timestamptz not null default now()
)
"""


def current_seeds(db: Database, fingerprints: dict[str, str]) -> set[str]:
    """Seeds whose table exists and was loaded from files with these fingerprints."""
    with db.connect() as conn:
        conn.execute(_SEED_LOADS_DDL)
        rows = conn.execute(
            """
            select l.seed, l.fingerprint
            from audit.seed_loads l
            join information_schema.tables t
              on t.table_schema = %s and t.table_name = l.seed
            """,
            (SEED_SCHEMA,),
        ).fetchall()
    return {seed for seed, fp in rows if fingerprints.get(seed) == fp}


def record_seeds(db: Database, fingerprints: dict[str, str], seeds: set[str]) -> None:
    if not seeds:
        return
    with db.connect() as conn:
        conn.execute(_SEED_LOADS_DDL)
        with conn.cursor() as cur:
            cur.executemany(
                """
                insert into audit.seed_loads (seed, fingerprint) values (%s, %s)
                on conflict (seed) do update
                set fingerprint = excluded.fingerprint, loaded_at = now()
                """,
                [(seed, fingerprints[seed]) for seed in sorted(seeds)],
            )


class DbtSession:
    """One parse, many invocations; seeds loaded only when they changed.

    ``build(select=..., exclude=...)`` runs ``dbt build`` with the unchanged seeds excluded (their
    tests ran when they were loaded) and unit tests excluded (they prove SQL logic on fixed rows,
    not the delivery: ``make test`` runs them, a production run need not).
    """

    def __init__(self, db: Database, vars_: dict | None = None) -> None:
        self.db = db
        self.vars = vars_
        self._manifest = None
        self.fingerprints = seed_fingerprints()
        self.fresh_seeds = current_seeds(db, self.fingerprints)
        self.seconds = 0.0

    def parse(self):
        if self._manifest is None:
            from dbt.cli.main import dbtRunner

            os.environ.update(self.db.dbt_env())
            started = time.perf_counter()
            res = dbtRunner().invoke(["parse", *_common_args(self.vars)])
            self.seconds += time.perf_counter() - started
            if not res.success or res.result is None:
                raise BuildError(f"dbt parse failed: {res.exception or 'see dbt_project/logs'}")
            self._manifest = res.result
        return self._manifest

    def build(
        self,
        *,
        select: list[str] | None = None,
        exclude: list[str] | None = None,
        progress: Progress | None = None,
    ):
        manifest = self.parse()
        skipped = [f"path:seeds/{name}.csv" for name in sorted(self.fresh_seeds)]
        # the parse wrote target/manifest.json (publish reads it); the build's results come back
        # in memory: writing the manifest and run_results.json again costs a second per run
        args = ["build", "--exclude-resource-type", "unit_test", "--no-write-json"]
        if select:
            args += ["--select", *select]
        excluded = [*(exclude or []), *skipped]
        if excluded:
            args += ["--exclude", *excluded]
        result = run_dbt(self.db, args, vars_=self.vars, manifest=manifest, progress=progress)
        # the seeds dbt's own selector picked and loaded, as the build reports them (a build with
        # a failing seed raised above: nothing is recorded for it)
        loaded = (result.seeds & set(self.fingerprints)) - self.fresh_seeds
        record_seeds(self.db, self.fingerprints, loaded)
        self.fresh_seeds |= loaded
        return result
