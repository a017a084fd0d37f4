"""What a linkage run writes to Postgres: the ``linkage`` tables, replaced, and the run, appended.

``linkage.features`` (every distinct feature row with its cluster), ``linkage.clusters`` (every
mention), ``linkage.match_pairs`` (every stored pair, with each comparison's level and Bayes
factor), ``linkage.review_queue`` and its pairs, ``linkage.decision_report``, all replaced in one
transaction with the row appended to ``linkage.runs``.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass, field

import duckdb
import pyarrow as pa
from psycopg import sql

from dedupe.linkage.clustering import DecisionOutcome
from dedupe.linkage.config import Config
from dedupe.linkage.prediction import COMPARISONS
from loaders.db import Database


@dataclass
class LinkResult:
    """A run's figures: what ``link`` returns, and its row of ``linkage.runs``."""

    run_id: str
    model_hash: str
    mentions: int
    feature_rows: int
    scored_pairs: int
    matched_pairs: int
    clusters: int
    review_items: int
    decisions: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    artefacts: dict[str, str] = field(default_factory=dict)


FEATURE_TABLE_COLUMNS = [
    "feature_id", "name_norm", "domain", "country_code", "in_master", "is_anchor", "mentions",
    "other_sheet_mentions", "representative_mention", "cluster_id", "run_id",
]  # fmt: skip
PAIR_COLUMNS = [
    "feature_id_l", "feature_id_r", "mention_key_l", "mention_key_r", "name_norm_l",
    "name_norm_r", "match_weight", "match_probability",
    *(f"{kind}_{c}" for c in COMPARISONS for kind in ("gamma", "bf", "level")),
    "model_hash", "run_id",
]  # fmt: skip

RUNS_DDL = """
create schema if not exists linkage;
create table if not exists linkage.runs (
    run_id text primary key, model_hash text not null, config jsonb not null,
    mentions bigint not null, feature_rows bigint not null, scored_pairs bigint not null,
    matched_pairs bigint not null, clusters bigint not null, review_items bigint not null,
    decisions jsonb not null, seconds jsonb not null, artefacts jsonb not null,
    finished_at timestamptz not null default now()
);
comment on table linkage.runs is
    'Append-only: one row per linkage run (model, thresholds, counts).';
"""

# table -> (columns, primary key, comment); the key is added once the rows are in (at 100x,
# clusters' 1,742,100 rows: 5.3-5.6 s with the key during the COPY, 3.4-4.3 s after it)
TABLES = {
    "features": (
        "feature_id text not null, name_norm text not null, domain text, country_code text,"
        " in_master boolean not null, is_anchor boolean not null, mentions int not null,"
        " other_sheet_mentions int not null, representative_mention text not null,"
        " cluster_id text not null, run_id text not null",
        ("feature_id",),
        "Distinct mention spellings (identical normalised features collapsed) as scored; anchors"
        " are master rows with a website or country, which companies are built around.",
    ),
    "clusters": (
        "mention_key text not null, feature_id text not null, cluster_id text not null,"
        " run_id text not null",
        ("mention_key",),
        "One row per company mention: the cluster (company) it belongs to.",
    ),
    "match_pairs": (
        "feature_id_l text not null, feature_id_r text not null, mention_key_l text not null,"
        " mention_key_r text not null, name_norm_l text, name_norm_r text,"
        " match_weight float8 not null, match_probability float8 not null,"
        " gamma_name int, bf_name float8, level_name text,"
        " gamma_domain int, bf_domain float8, level_domain text,"
        " gamma_country_code int, bf_country_code float8, level_country_code text,"
        " model_hash text not null, run_id text not null",
        ("feature_id_l", "feature_id_r"),
        "Scored pairs of distinct mention spellings (each side shown by a representative"
        " mention), with every comparison's level and Bayes factor.",
    ),
    "review_queue": (
        "rank int not null, item_kind text not null, mention_key_l text not null,"
        " mention_key_r text not null, feature_id_l text not null, feature_id_r text not null,"
        " name_l text, name_r text, country_l text, country_r text, website_l text,"
        " website_r text, match_probability float8 not null, p_wrong float8 not null,"
        " cluster_id_l text not null, cluster_id_r text not null, impact int not null,"
        " priority float8 not null, pairs_in_group int not null, group_key text not null,"
        " run_id text not null",
        ("rank",),
        "Questions for a steward, most useful first: automatic decisions likely to be wrong"
        " (P(wrong) x log2(1 + rows the answer moves)); pairs of the same two spellings are one"
        " item. Names as written, with countries and websites.",
    ),
    "review_queue_pairs": (
        "rank int not null, feature_id_l text not null, feature_id_r text not null,"
        " run_id text not null",
        ("feature_id_l", "feature_id_r"),
        "Every scored pair each review-queue item stands for (a decision on the item settles"
        " them all).",
    ),
    "decision_report": (
        "mention_key_l text not null, mention_key_r text not null, decision text not null,"
        " reviewer text not null, decided_at text not null, status text not null,"
        " detail text not null, run_id text not null",
        (),
        "What became of each current steward decision in this run (applied, no_effect, stale,"
        " conflict).",
    ),
}


def _copy(conn, table: str, rows: list | pa.Table, columns: list[str]) -> None:
    """COPY rows in; a large Arrow table goes through CSV in chunks, not row by row."""
    if isinstance(rows, pa.Table):
        import pyarrow.csv as pacsv

        target = f"copy linkage.{table} ({', '.join(columns)}) from stdin with (format csv)"
        with conn.cursor().copy(target) as copy:
            for batch in rows.to_batches(max_chunksize=100_000):
                buffer = io.BytesIO()
                pacsv.write_csv(
                    pa.Table.from_batches([batch]), buffer,
                    pacsv.WriteOptions(include_header=False),
                )  # fmt: skip
                copy.write(buffer.getvalue())
        return
    if not rows:
        return
    with conn.cursor().copy(f"copy linkage.{table} ({', '.join(columns)}) from stdin") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns] if isinstance(row, dict) else row)


def cluster_tables(
    con: duckdb.DuckDBPyConnection, keys: dict[str, str], run_id: str, mentions: int, features: int
) -> tuple[pa.Table, pa.Table]:
    """Every mention and every feature row with its cluster (joined in the run's DuckDB, as
    Arrow); raises when one has none: nothing is dropped."""
    con.register(
        "keys_in",
        pa.table({
            "feature_id": pa.array(list(keys), pa.string()),
            "cluster_id": pa.array(list(keys.values()), pa.string()),
        }),
    )  # fmt: skip
    clusters = con.sql(
        f"""select m.mention_key, m.feature_id, k.cluster_id, '{run_id}' as run_id
            from mentions m join keys_in k using (feature_id) order by m.mention_key"""
    ).to_arrow_table()
    feature_rows = con.sql(
        f"""select {", ".join(f"f.{c}" for c in FEATURE_TABLE_COLUMNS[:-2])}, k.cluster_id,
                   '{run_id}' as run_id
            from features f join keys_in k using (feature_id) order by f.feature_id"""
    ).to_arrow_table()
    con.unregister("keys_in")
    if clusters.num_rows != mentions or feature_rows.num_rows != features:
        raise RuntimeError("linkage: a mention or feature row has no cluster (nothing is dropped)")
    return clusters, feature_rows


def write(
    db: Database,
    result: LinkResult,
    config: Config,
    *,
    features: pa.Table,
    clusters: pa.Table,
    pairs: pa.Table,
    queue: list[dict],
    queue_pairs: list[dict],
    outcomes: list[DecisionOutcome],
) -> None:
    """Replace the linkage tables and append the run, in one transaction."""
    for item in queue + queue_pairs:
        item["run_id"] = result.run_id
    outcome_rows = [{**asdict(o), "run_id": result.run_id} for o in outcomes]
    tables = {
        "features": (features, FEATURE_TABLE_COLUMNS),
        "clusters": (clusters, ["mention_key", "feature_id", "cluster_id", "run_id"]),
        "match_pairs": (pairs.select(PAIR_COLUMNS), PAIR_COLUMNS),
        "review_queue": (queue, list(queue[0]) if queue else []),
        "review_queue_pairs": (queue_pairs, ["rank", "feature_id_l", "feature_id_r", "run_id"]),
        "decision_report": (outcome_rows, list(outcome_rows[0]) if outcome_rows else []),
    }
    with db.connect() as conn, conn.transaction():
        conn.execute(RUNS_DDL)
        for name, (ddl, key, comment) in TABLES.items():
            conn.execute(f"drop table if exists linkage.{name}")
            conn.execute(f"create table linkage.{name} ({ddl})")
            conn.execute(
                sql.SQL("comment on table {} is {}").format(
                    sql.Identifier("linkage", name), sql.Literal(comment)
                )
            )
            rows, columns = tables[name]
            _copy(conn, name, rows, columns)
            if key:  # built once over the rows, not entry by entry during the COPY
                conn.execute(f"alter table linkage.{name} add primary key ({', '.join(key)})")
        conn.execute(
            "insert into linkage.runs (run_id, model_hash, config, mentions, feature_rows,"
            " scored_pairs, matched_pairs, clusters, review_items, decisions, seconds,"
            " artefacts) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                result.run_id, result.model_hash, json.dumps(asdict(config)), result.mentions,
                result.feature_rows, result.scored_pairs, result.matched_pairs,
                result.clusters, result.review_items, json.dumps(result.decisions),
                json.dumps(result.seconds), json.dumps(result.artefacts),
            ),
        )  # fmt: skip
