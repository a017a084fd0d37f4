"""The linkage run's thresholds and limits, read from ``dedupe/linkage.toml``.

Every run records them in ``linkage.runs.config``, where dbt's linkage tests read them back.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

CONFIG_PATH = Path(__file__).resolve().parents[1] / "linkage.toml"


@dataclass(frozen=True)
class Config:
    match_threshold: float
    review_low: float
    store_min: float
    distinctive_max_names: int
    shared_domain_max_names: int
    weak_edge_below: float
    max_cluster_feature_rows: int
    review_max_items: int
    review_min_p_wrong: float
    review_name_cap_bits: float
    review_conflict_cap_bits: float
    review_name_floor_bits: float


def load_config(path: Path = CONFIG_PATH) -> Config:
    with path.open("rb") as fh:
        return Config(**tomllib.load(fh))
