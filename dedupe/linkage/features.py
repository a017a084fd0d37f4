"""Distinct feature rows: the mentions collapsed where every feature the model reads is equal.

Repeats of one normalised mention (the same name, website, country and alias keys) are scored
once. A feature row takes its words from its first mention (by ``mention_key``): spellings that
normalise alike may still split into words differently (`ATUM 3D`, `Atum3D`), and which one a
row holds must not depend on the order the mentions arrive in. The collapse runs in the run's
DuckDB, which keeps both tables: ``mentions`` (every mention with its ``feature_id``) and
``features`` (one row per ``feature_id``, with whether a master row backs it, whether it is an
anchor and how many mentions it stands for).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from loaders.production import COMPANIES_FILE as EXISTING_FILE
from loaders.sheets import MASTER_FILE

# The columns the Splink model reads from a feature row.
FEATURE_COLUMNS = [
    "feature_id", "name_norm", "name_tokens", "name_core_tokens", "name_region_tokens",
    "name_qualifier_tokens", "alias_key", "bracket_key", "unit_part_key", "brand_part_key",
    "parent_key", "formerly_key", "name_fold",
    "name_rare_tokens",
    "name_core_key", "name_core_block", "name_first_token", "name_core_concat",
    "name_region_countries", "name_is_distinctive", "domain",
    "country_code", "in_master",
]  # fmt: skip


def collapse(con: duckdb.DuckDBPyConnection, mentions: pa.Table) -> pa.Table:
    """Distinct feature rows; ``feature_id`` hashes the features, so it is stable across runs."""
    con.register("mentions_in", mentions)
    con.execute(
        """
        create or replace table mentions as
        select *, md5(concat_ws('|', name_norm, coalesce(domain, ''), coalesce(country_code, ''),
                                coalesce(alias_key, ''), coalesce(bracket_key, ''),
                                coalesce(unit_part_key, ''), coalesce(brand_part_key, ''),
                                coalesce(parent_key, ''), formerly_key))
            as feature_id
        from mentions_in
        """
    )
    con.execute(
        f"""
        create or replace table features as
        with firsts as (
            -- the words of a feature row are its first mention's, whatever order they came in
            select * from mentions
            qualify row_number() over (partition by feature_id order by mention_key) = 1
        ),
        totals as (
            select feature_id,
                   bool_or(name_is_distinctive) as name_is_distinctive,
                   bool_or(source_file = '{MASTER_FILE}') as in_master,
                   bool_or(source_file in ('{MASTER_FILE}', '{EXISTING_FILE}')) as anchor_sheet,
                   count(*) as mentions,
                   count(*) filter (where source_file <> '{MASTER_FILE}') as other_sheet_mentions,
                   -- the first mention's name, and the first website any mention gives
                   arg_min(source_name, mention_key) as display_name,
                   arg_min(website_url, mention_key) as display_website
            from mentions group by feature_id
        )
        select feature_id, f.name_norm, f.name_tokens, f.name_core_tokens, f.name_region_tokens,
               f.name_qualifier_tokens, f.alias_key, f.bracket_key, f.unit_part_key,
               f.brand_part_key, f.parent_key, f.formerly_key, f.name_fold, f.name_rare_tokens,
               nullif(f.name_core_key, '') as name_core_key, f.name_first_token,
               f.name_core_concat, f.name_region_countries, t.name_is_distinctive,
               f.name_core_block, f.domain, f.country_code, t.in_master,
               t.anchor_sheet and (f.domain is not null or f.country_code is not null)
                   as is_anchor,
               t.mentions, t.other_sheet_mentions,
               f.mention_key as representative_mention,
               t.display_name, t.display_website
        from firsts as f join totals as t using (feature_id)
        order by feature_id
        """
    )
    return con.sql("select * from features order by feature_id").to_arrow_table()
