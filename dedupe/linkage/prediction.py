"""Splink's part of a run: the stored pairs scored and explained, and its dashboards.

The trained model (``dedupe/model.json``) scores every blocked pair of feature rows in the run's
DuckDB; each stored pair is then joined to its representative mentions, with every comparison's
level (as the model labels it) and Bayes factor. Splink's comparison viewer and cluster studio
are written as self-contained HTML.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from dedupe.linkage.config import Config
from dedupe.linkage.features import FEATURE_COLUMNS
from dedupe.model import MODEL_PATH

COMPARISONS = ("name", "domain", "country_code")


def model_available(path: Path = MODEL_PATH) -> bool:
    return path.exists()


def model_hash(path: Path = MODEL_PATH) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@dataclass
class Scored:
    linker: object
    predictions: object  # SplinkDataFrame (a table in the run's DuckDB), kept for the dashboards


def predict(
    con: duckdb.DuckDBPyConnection, features: pa.Table, config: Config, model: Path = MODEL_PATH
) -> Scored:
    """Every blocked pair of feature rows, scored; deterministic for a given model JSON.

    Splink works in the run's own DuckDB connection, so its predictions are joined and written
    from there without copying every retained column into Python.
    """
    from splink import DuckDBAPI, Linker

    api = DuckDBAPI(connection=con)
    # log_level=None: Splink's INFO lines follow the caller's logging (shown with `amx --debug`)
    linker = Linker(api.register(features.select(FEATURE_COLUMNS)), str(model), log_level=None)
    predictions = linker.inference.predict(threshold_match_probability=config.store_min)
    return Scored(linker, predictions)


def _level_labels(model: Path = MODEL_PATH) -> dict[str, dict[int, str]]:
    """comparison -> gamma value -> the level's label, from the model JSON."""
    spec = json.loads(model.read_text(encoding="utf-8"))
    labels: dict[str, dict[int, str]] = {}
    for comparison in spec["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        by_gamma = {
            len(non_null) - 1 - i: lv.get("label_for_charts", "") for i, lv in enumerate(non_null)
        }
        by_gamma[-1] = "null"
        labels[comparison["output_column_name"]] = by_gamma
    return labels


def explain(con: duckdb.DuckDBPyConnection, scored: Scored, run_id: str) -> pa.Table:
    """Pairs with both representative mentions, each comparison's level and Bayes factor."""
    table = scored.predictions.physical_name
    columns = {r[0] for r in con.sql(f"describe {table}").fetchall()}
    labels = _level_labels()
    parts = []
    for c in COMPARISONS:
        tf = f" + coalesce(s.mw_tf_adj_{c}, 0)" if f"mw_tf_adj_{c}" in columns else ""
        cases = " ".join(
            f"when {gamma} then '{label.replace(chr(39), chr(39) * 2)}'"
            for gamma, label in labels[c].items()
        )
        parts.append(
            f"s.gamma_{c} as gamma_{c}, power(2, s.mw_{c}{tf}) as bf_{c},"
            f" case s.gamma_{c} {cases} else '' end as level_{c}"
        )
    return con.sql(
        f"""
        select s.feature_id_l, s.feature_id_r,
               fl.representative_mention as mention_key_l,
               fr.representative_mention as mention_key_r,
               s.name_norm_l, s.name_norm_r,
               s.match_weight, s.match_probability, {", ".join(parts)},
               '{model_hash()}' as model_hash, '{run_id}' as run_id
        from {table} s
        join features fl on fl.feature_id = s.feature_id_l
        join features fr on fr.feature_id = s.feature_id_r
        order by s.feature_id_l, s.feature_id_r
        """
    ).to_arrow_table()


def write_dashboards(
    scored: Scored, features: pa.Table, keys: dict[str, str], run_dir: Path
) -> dict:
    """Splink's comparison viewer and cluster studio (self-contained HTML, work offline)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    vis = scored.linker.visualisations
    viewer = run_dir / "comparison_viewer.html"
    vis.comparison_viewer_dashboard(scored.predictions, str(viewer), overwrite=True)
    clustered = features.select(FEATURE_COLUMNS).append_column(
        "cluster_id", pa.array([keys[f] for f in features.column("feature_id").to_pylist()])
    )
    api = scored.linker._db_api  # the linker's own API: its tables live there
    studio = run_dir / "cluster_studio.html"
    vis.cluster_studio_dashboard(
        scored.predictions, api.register(clustered), str(studio),
        sampling_method="by_cluster_size", sample_size=20, overwrite=True,
    )  # fmt: skip
    return {"comparison_viewer": str(viewer), "cluster_studio": str(studio)}
