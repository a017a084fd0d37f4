"""One linkage run, step by step and timed: read -> predict -> cluster -> dashboards -> write.

Every step's own work lives in its module (``mentions``, ``features``, ``prediction``,
``clustering``, ``queue``, ``storage``); this one opens the run's DuckDB, passes each step's
output to the next, applies the stewards' current decisions and records the run's figures.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from dedupe import decisions as steward
from dedupe.linkage import storage
from dedupe.linkage.clustering import (
    DecisionOutcome,
    anchored_components,
    apply_decisions,
    check_cannot_links,
    edge_graph,
    group_key,
    stable_cluster_keys,
    with_singletons,
)
from dedupe.linkage.config import Config, load_config
from dedupe.linkage.features import collapse
from dedupe.linkage.mentions import read_mentions
from dedupe.linkage.prediction import Scored, explain, model_hash, predict, write_dashboards
from dedupe.linkage.queue import review_queue
from dedupe.linkage.storage import LinkResult
from loaders.db import Database
from loaders.settings import amx_home

DUCKDB_MEMORY_LIMIT = "2GB"


def _duckdb() -> duckdb.DuckDBPyConnection:
    """The run's DuckDB: bounded memory, spilling to ``$AMX_HOME/duckdb_tmp``, every core."""
    spill = amx_home() / "duckdb_tmp"
    spill.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(
        config={
            "memory_limit": DUCKDB_MEMORY_LIMIT,
            "temp_directory": str(spill),
            "threads": os.cpu_count() or 1,
        }
    )


@dataclass
class _Clustered:
    """The cluster step's output: companies, their keys, the steward queue, decision outcomes."""

    outcomes: list[DecisionOutcome]
    components: list[set[str]]
    keys: dict[str, str]  # feature -> cluster key
    queue: list[dict]
    queue_pairs: list[dict]


def _column_map(table: pa.Table, key: str, value: str) -> dict:
    return dict(zip(table.column(key).to_pylist(), table.column(value).to_pylist(), strict=True))


def _decided_features(con: duckdb.DuckDBPyConnection, current: dict) -> dict[str, str]:
    """mention -> feature row, for the mentions the stewards' decisions name (not every mention)."""
    decided_keys = sorted({k for pair in current for k in pair})
    con.register("decided_in", pa.table({"mention_key": pa.array(decided_keys, pa.string())}))
    feature_of = dict(
        con.execute(
            "select mention_key, feature_id from mentions"
            " where mention_key in (select mention_key from decided_in)"
        ).fetchall()
    )
    con.unregister("decided_in")
    return feature_of


def _same_question(
    pairs: pa.Table, name_of: dict[str, str]
) -> dict[tuple[str, ...], list[tuple[str, str]]]:
    """``group_key`` -> the scored pairs of those two spellings (one decision settles them all)."""
    same_question: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for fl, fr in zip(pairs.column("feature_id_l").to_pylist(),
                      pairs.column("feature_id_r").to_pylist(), strict=True):  # fmt: skip
        same_question.setdefault(group_key(name_of[fl], name_of[fr], fl, fr), []).append((fl, fr))
    return same_question


def _cluster(
    con: duckdb.DuckDBPyConnection, features: pa.Table, pairs: pa.Table, config: Config
) -> _Clustered:
    """Matched pairs and steward decisions -> companies with stable keys, and the review queue."""
    current = steward.current()
    feature_of = _decided_features(con, current)
    graph = edge_graph(pairs, config.match_threshold)
    name_of: dict[str, str] = {}
    same_question: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    if current:  # only a decision reads every scored pair by its spellings (808,633 at 100x)
        name_of = _column_map(features, "feature_id", "name_norm")
        same_question = _same_question(pairs, name_of)
    outcomes = apply_decisions(graph, feature_of, current, same_question, name_of)
    is_anchor = _column_map(features, "feature_id", "is_anchor")
    components = with_singletons(con, anchored_components(graph, is_anchor), graph)
    check_cannot_links(outcomes, feature_of, components)
    keys = stable_cluster_keys(features, components)
    queue, queue_pairs = review_queue(graph, pairs, features, keys, config, set(current))
    return _Clustered(outcomes, components, keys, queue, queue_pairs)


def _figures(
    run_id: str,
    config: Config,
    mentions: int,
    features: pa.Table,
    pairs: pa.Table,
    clustered: _Clustered,
    seconds: dict[str, float],
) -> LinkResult:
    """The run's figures, with how many decisions ended in each status; ``seconds`` is the run's
    own dict, so the laps still to come (dashboards, write) are recorded in it too."""
    mh = model_hash()
    statuses: dict[str, int] = {}
    for o in clustered.outcomes:
        statuses[o.status] = statuses.get(o.status, 0) + 1
    return LinkResult(
        run_id=run_id,
        model_hash=mh,
        mentions=mentions,
        feature_rows=features.num_rows,
        scored_pairs=pairs.num_rows,
        matched_pairs=sum(p >= config.match_threshold for p in
                          pairs.column("match_probability").to_pylist()),
        clusters=len(clustered.components),
        review_items=len(clustered.queue),
        decisions=statuses,
        seconds=seconds,
    )  # fmt: skip


def _try_dashboards(scored: Scored, features: pa.Table, keys: dict[str, str], run_id: str) -> dict:
    try:
        return write_dashboards(scored, features, keys, amx_home() / "runs" / run_id)
    except Exception as exc:  # the dashboards are a convenience: say so, don't fail the run
        return {"error": f"dashboards not written: {exc}"}


def link(db: Database, *, run_id: str | None = None, dashboards: bool = True) -> LinkResult:
    """One linkage run over the mentions in the database; returns its figures."""
    config = load_config()
    run_id = run_id or time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    seconds: dict[str, float] = {}

    def lap(name: str, started: float) -> None:
        seconds[name] = round(time.perf_counter() - started, 3)

    t = time.perf_counter()
    con = _duckdb()
    mentions = read_mentions(db, con, config)
    lap("read", t)

    t = time.perf_counter()
    features = collapse(con, mentions)
    mention_count = mentions.num_rows
    del mentions  # in DuckDB now
    scored = predict(con, features, config)
    pairs = explain(con, scored, run_id)
    lap("predict", t)

    t = time.perf_counter()
    clustered = _cluster(con, features, pairs, config)
    lap("cluster", t)

    result = _figures(run_id, config, mention_count, features, pairs, clustered, seconds)
    if dashboards:
        t = time.perf_counter()
        result.artefacts = _try_dashboards(scored, features, clustered.keys, run_id)
        lap("dashboards", t)

    t = time.perf_counter()
    clusters, feature_rows = storage.cluster_tables(
        con, clustered.keys, run_id, mention_count, features.num_rows
    )
    storage.write(
        db, result, config, features=feature_rows, clusters=clusters, pairs=pairs,
        queue=clustered.queue, queue_pairs=clustered.queue_pairs, outcomes=clustered.outcomes,
    )  # fmt: skip
    lap("write", t)
    return result
