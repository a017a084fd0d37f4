"""``amx link train``: estimate the model's parameters and write ``dedupe/model.json``.

u (how often levels occur among non-matches) is estimated by random sampling, with a fixed seed,
on the distinct rows of the master list only: the other sheets repeat the master's names many
times, so random pairs drawn from all mentions would be full of true matches. m (how often levels
occur among matches) is estimated by EM over two blocking rules, each training the comparisons it
does not block on. Levels EM cannot identify are then bounded (see ``_bound_m``) and the reason
is written into the JSON's comparison descriptions.

With labelled pairs (``amx link train --labels DIR``: the ``match`` pairs of a labels directory,
plus the steward's current ``match`` decisions), m of every level not fixed by judgement is then
estimated from those pairs instead: the share of known duplicates at each level, which EM on
unlabelled pairs can only guess.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from dedupe import decisions as steward
from dedupe.labels import load_labels
from dedupe.linkage.features import FEATURE_COLUMNS, collapse
from dedupe.linkage.mentions import read_mentions
from dedupe.model import MODEL_PATH, settings
from loaders.db import Database

SEED = 20261124
U_MAX_PAIRS = 2e6
# EM can push m of a rare level to ~0 (a mismatch then vetoes any match) or learn m(exact name)
# below m(fuzzy name). Floors keep every level's evidence finite.
M_FLOOR = 0.005
# A level that random sampling never observed among non-matches gets this u (its evidence is then
# m / U_UNOBSERVED, bounded instead of undefined).
U_UNOBSERVED = 1e-6


def _bound_m(model: dict) -> dict:
    """Floor estimated m (no level may veto); give unobserved levels a bounded m and u."""
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for level in levels:
            m = level.get("m_probability")
            if level.get("fix_m_probability"):
                continue  # set by judgement in dedupe/model.py, with the reason beside it
            if m is None or m < M_FLOOR:
                level["m_probability"] = M_FLOOR
            if level.get("u_probability") is None:
                level["u_probability"] = U_UNOBSERVED
    return model


def _one_row_per_name(table: pa.Table) -> pa.Table:

    con = duckdb.connect()
    con.register("t", table)
    return con.sql(
        "select * from t qualify row_number() over (partition by name_norm order by feature_id) = 1"
    ).to_arrow_table()


def label_pairs(
    mention_feature: dict[str, str], pairs: list[tuple[str, str, str]]
) -> list[tuple[str, str]]:
    """(feature_id_l, feature_id_r) of labelled duplicate pairs given as (where, mention, mention).

    Two mentions of one feature row (identical spellings) say nothing about any level and are
    left out; a mention the data does not hold is an error naming the label.
    """
    result: set[tuple[str, str]] = set()
    for where, left, right in pairs:
        missing = [k for k in (left, right) if k not in mention_feature]
        if missing:
            raise ValueError(
                f"{where}: {', '.join(missing)} not among the mentions (other export?)"
            )
        fl, fr = sorted((mention_feature[left], mention_feature[right]))
        if fl != fr:
            result.add((fl, fr))
    return sorted(result)


def train(
    features: pa.Table, out: Path = MODEL_PATH, labelled: list[tuple[str, str]] | None = None
) -> dict:
    """Train on distinct feature rows (``in_master`` marks master-list rows); write the JSON.

    ``labelled``: pairs of feature ids known to be one company; m is then estimated from them.
    """
    from splink import DuckDBAPI, Linker, block_on

    master = features.filter(pc.field("in_master"))
    cols = FEATURE_COLUMNS
    # u on the master list alone, one row per distinct name: random pairs drawn from it are
    # (nearly all) non-matches, which random-sampled u assumes.
    one_per_name = _one_row_per_name(master.select(cols))
    u_linker = Linker(DuckDBAPI().register(one_per_name), settings(), log_level=None)
    u_linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
    with_u = u_linker.misc.save_model_to_json()
    # The prior and m on every distinct mention: that is the population the model scores.
    linker = Linker(DuckDBAPI().register(features.select(cols)), with_u, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name_norm"), block_on("domain")], recall=0.8
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("domain"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_norm"))
    if labelled:
        labels = pa.table(
            {
                "feature_id_l": pa.array([left for left, _ in labelled], pa.string()),
                "feature_id_r": pa.array([right for _, right in labelled], pa.string()),
            }
        )
        linker.training.estimate_m_from_pairwise_labels(
            linker.table_management.register_table(labels, "amx_labelled_pairs", overwrite=True)
        )
    model = _bound_m(linker.misc.save_model_to_json())
    out.write_text(json.dumps(model, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return model


def known_matches(labels: Path) -> list[tuple[str, str, str]]:
    """(where, mention, mention) of every pair known to be one company: the hand labels' match
    pairs and the steward's current match decisions."""
    known = [
        (f"{labels / 'pairs.csv'} {p.pair_id}", p.left, p.right)
        for p in load_labels(labels).pairs
        if p.label == "match"
    ]
    known += [
        (f"steward decision {d.mention_key_l} / {d.mention_key_r}", *key)
        for key, d in steward.current().items()
        if d.decision == "match"
    ]
    return known


def train_on_database(
    db: Database, labels: Path | None = None, out: Path = MODEL_PATH
) -> tuple[int, int]:
    """Train on the mentions built in ``db`` (m also from ``labels``' match pairs and the
    steward's match decisions, when given); write the model. (feature rows, labelled pairs)."""

    con = duckdb.connect()
    features = collapse(con, read_mentions(db, con))
    labelled = None
    if labels is not None:
        mention_feature = dict(
            con.execute("select mention_key, feature_id from mentions").fetchall()
        )
        labelled = label_pairs(mention_feature, known_matches(labels))
    train(features, out, labelled=labelled)
    return features.num_rows, len(labelled or [])
