"""Distinct feature rows: the mentions collapsed where every feature the model reads is equal.

Repeats of one normalised mention (the same name, website, country and alias keys) are scored
once. The collapse runs in the run's DuckDB, which keeps both tables: ``mentions`` (every mention
with its ``feature_id``) and ``features`` (one row per ``feature_id``, with whether a master row
backs it, whether it is an anchor and how many mentions it stands for).
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
        select feature_id, any_value(name_norm) as name_norm,
               any_value(name_tokens) as name_tokens,
               any_value(name_core_tokens) as name_core_tokens,
               any_value(name_region_tokens) as name_region_tokens,
               any_value(name_qualifier_tokens) as name_qualifier_tokens,
               any_value(alias_key) as alias_key, any_value(bracket_key) as bracket_key,
               any_value(unit_part_key) as unit_part_key,
               any_value(brand_part_key) as brand_part_key,
               any_value(parent_key) as parent_key,
               any_value(formerly_key) as formerly_key,
               any_value(name_fold) as name_fold,
               any_value(name_rare_tokens) as name_rare_tokens,
               nullif(any_value(name_core_key), '') as name_core_key,
               any_value(name_first_token) as name_first_token,
               any_value(name_core_concat) as name_core_concat,
               any_value(name_region_countries) as name_region_countries,
               bool_or(name_is_distinctive) as name_is_distinctive,
               any_value(name_core_block) as name_core_block,
               any_value(domain) as domain, any_value(country_code) as country_code,
               bool_or(source_file = '{MASTER_FILE}') as in_master,
               bool_or(source_file in ('{MASTER_FILE}', '{EXISTING_FILE}'))
                   and (any_value(domain) is not null or any_value(country_code) is not null)
                   as is_anchor,
               count(*) as mentions,
               count(*) filter (where source_file <> '{MASTER_FILE}') as other_sheet_mentions,
               min(mention_key) as representative_mention,
               arg_min(source_name, mention_key) as display_name,
               arg_min(website_url, mention_key) as display_website
        from mentions group by feature_id order by feature_id
        """
    )
    return con.sql("select * from features order by feature_id").to_arrow_table()
