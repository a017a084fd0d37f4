"""The company mentions as Arrow: the dbt model ``int_company_mentions`` read from Postgres.

psycopg's ``COPY ... TO STDOUT`` streams the model's columns as CSV straight into pyarrow (the
DuckDB postgres extension cannot be downloaded here). DuckDB then adds the corpus-level features
the model needs beside the mention's own columns (rare words, distinctive names, shared websites,
former names, the countries a name's region words name): set-based work over the whole corpus that
DuckDB runs on every core, where Postgres ran it as one single-threaded query (at 100x the
export's size, 63 s of the read's 69).
"""

from __future__ import annotations

import io

import duckdb
import pyarrow as pa

from dedupe.linkage.config import Config, load_config
from loaders.db import Database

MENTIONS_RELATION = "intermediate.int_company_mentions"
COUNTRY_LOOKUP_RELATION = "intermediate.int_country_lookup"

TEXT = pa.string()
WORDS = pa.list_(pa.string())

# Columns the linkage takes from the model as they are: the lineage, the words, the alias keys.
LINEAGE_TYPES = {"mention_key": TEXT, "source_file": TEXT, "source_name": TEXT, "website_url": TEXT}
WORDS_AND_KEYS_TYPES = {
    "name_tokens": WORDS,
    "name_core_tokens": WORDS,
    "name_region_tokens": WORDS,
    "name_qualifier_tokens": WORDS,
    "alias_key": TEXT,
    "bracket_key": TEXT,
    "unit_part_key": TEXT,
    "brand_part_key": TEXT,
    "parent_key": TEXT,
}

# The mentions model's columns read from Postgres: what a mention says of itself.
MODEL_TYPES = {
    **LINEAGE_TYPES,
    "normalised_name": TEXT,
    "cleaned_name": TEXT,
    "formerly_name": TEXT,
    **WORDS_AND_KEYS_TYPES,
    "website_domain": TEXT,
    "country_code": TEXT,
}

# The model's columns under the names the Splink settings use, plus the corpus-level features:
# whether a name holds a word few other names use, and whether its website domain is shared by
# several differently named companies (then it says nothing about identity). DuckDB SQL over the
# tables ``model_mentions`` and ``country_lookup``; list aggregates are sorted, as Postgres'
# `array_agg(distinct …)` sorted them, so a feature row is the same whatever the read order.
MENTIONS_SQL = """
with mentions as (
    select * from model_mentions where normalised_name <> ''
),
domain_use as (
    select website_domain, count(distinct normalised_name) as names
    from mentions where website_domain is not null group by website_domain
),
names as (
    select distinct normalised_name, name_core_tokens from mentions
),
token_use as (
    select token, count(*) as names
    from (select unnest(name_core_tokens) as token from names) as t group by token
),
name_token_rows as (
    select normalised_name, unnest(name_tokens) as token
    from (select distinct normalised_name, name_tokens from mentions) as n
),
all_token_use as (
    select token, count(*) as names from name_token_rows group by token
),
name_rare as (
    select n.normalised_name, list_sort(list_distinct(list(n.token))) as name_rare_tokens
    from name_token_rows as n join all_token_use using (token)
    where length(n.token) >= 4 and all_token_use.names <= $distinctive
    group by n.normalised_name
),
former_names as (
    -- the firm a rename annotation names (`Fabrica Group (formerly Nanofabrica, now part of Nano
    -- Dimension)`), as the matching key of a mention spelled that way anywhere in the export: the
    -- first such key in byte order when several spellings clean to that name
    select m.normalised_name, min(f.normalised_name) as formerly_key
    from (select distinct normalised_name, formerly_name from mentions
          where formerly_name is not null) as m
    join (select distinct normalised_name, lower(cleaned_name) as cleaned from mentions) as f
        on f.cleaned = lower(trim(split_part(m.formerly_name, ',', 1), ' '))
        and f.normalised_name <> m.normalised_name
    group by m.normalised_name
),
region_countries as (
    -- the countries the name's region words name (`Pyrogenesis Canada` -> CA)
    select n.normalised_name,
        list_sort(list_distinct(list(lookup.country_code))) as name_region_countries
    from (select normalised_name, unnest(name_region_tokens) as token
          from (select distinct normalised_name, name_region_tokens from mentions)) as n
    join country_lookup as lookup on lookup.lookup_key = n.token
    group by n.normalised_name
),
specificity as (
    -- per spelling: `PRINT-ME 3D` (words `print me`) is not distinctive, `PrintMe-3D` is
    select t.normalised_name, t.name_core_tokens, min(token_use.names) as rarest_token_names
    from (select normalised_name, name_core_tokens, unnest(name_core_tokens) as token
          from names) as t
    join token_use using (token)
    group by t.normalised_name, t.name_core_tokens
)
select
    mention_key, source_file, source_name, website_url,
    normalised_name as name_norm,
    name_tokens,
    name_core_tokens,
    name_region_tokens,
    name_qualifier_tokens,
    alias_key,
    bracket_key,
    unit_part_key,
    brand_part_key,
    parent_key,
    former_names.formerly_key,
    -- the name with the letters OCR confuses folded together (`Al Bulld` = `AI Build`)
    translate(normalised_name, 'l1', 'ii') as name_fold,
    -- blocking keys: the name's words (any kind, 4+ letters) that few other names use, so that
    -- `Great Simple` meets `Zhongshan Great Simple Technology` and `Romar Enginering` its twin
    -- (plus the name itself, so that `Polly Polymer` meets `Suzhou Pollypolymer …`)
    list_append(coalesce(name_rare.name_rare_tokens, []::varchar[]), normalised_name)
        as name_rare_tokens,
    coalesce(array_to_string(list_sort(list_distinct(name_core_tokens)), ' '), '')
        as name_core_key,
    name_core_tokens[1] as name_first_token,
    -- the core words run together (`fenghua zhuoli` -> `fenghuazhuoli`), when long enough to
    -- tell a firm (a blocking key and a comparison)
    case when length(array_to_string(name_core_tokens, '')) >= 8
        then array_to_string(name_core_tokens, '') end as name_core_concat,
    coalesce(region_countries.name_region_countries, []::varchar[]) as name_region_countries,
    coalesce(specificity.rarest_token_names <= $distinctive, false) as name_is_distinctive,
    -- blocking key: the core name, only when it is distinctive (small blocks at any scale)
    case when specificity.rarest_token_names <= $distinctive then
        array_to_string(list_sort(list_distinct(name_core_tokens)), ' ')
    end as name_core_block,
    case when domain_use.names <= $shared_domain then mentions.website_domain end as domain,
    country_code
from mentions
left join domain_use using (website_domain)
left join specificity using (normalised_name, name_core_tokens)
left join name_rare using (normalised_name)
left join region_countries using (normalised_name)
left join former_names using (normalised_name)
"""

# The columns of the mentions the linkage reads, as ``MENTIONS_SQL`` gives them.
MENTION_TYPES = {
    **LINEAGE_TYPES,
    "name_norm": TEXT,
    **WORDS_AND_KEYS_TYPES,
    "formerly_key": TEXT,
    "name_fold": TEXT,
    "name_rare_tokens": WORDS,
    "name_core_key": TEXT,
    "name_first_token": TEXT,
    "name_core_concat": TEXT,
    "name_region_countries": WORDS,
    "name_is_distinctive": pa.bool_(),
    "name_core_block": TEXT,
    "domain": TEXT,
    "country_code": TEXT,
}

# list columns travel as text: '' is an empty list, else each element preceded by this separator
# (lossless for empty elements; names hold no control characters: the staging models strip them)
LIST_SEPARATOR = "\x1f"


class _CopyStream(io.RawIOBase):
    """The data of a ``COPY ... TO STDOUT`` as a readable binary stream (for pyarrow)."""

    def __init__(self, copy) -> None:
        self._chunks = iter(copy)
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        filled = 0
        while filled < len(buffer):
            if not self._pending:
                try:
                    self._pending = memoryview(next(self._chunks))
                except StopIteration:
                    break
            n = min(len(buffer) - filled, len(self._pending))
            buffer[filled : filled + n] = self._pending[:n]
            self._pending = self._pending[n:]
            filled += n
        return filled


def _copy_query() -> str:
    """The model's columns as CSV text for COPY: list columns encoded (``LIST_SEPARATOR``)."""
    columns = []
    for name, kind in MODEL_TYPES.items():
        if pa.types.is_list(kind):
            columns.append(
                f"case when cardinality({name}) = 0 then ''"
                f" else chr(31) || array_to_string({name}, chr(31)) end"
            )
        else:
            columns.append(name)
    return f"select {', '.join(columns)} from {MENTIONS_RELATION}"


def _decode_lists(table: pa.Table, types: dict[str, pa.DataType]) -> pa.Table:
    import pyarrow.compute as pc

    for i, (name, kind) in enumerate(types.items()):
        if not pa.types.is_list(kind):
            continue
        text = table.column(name)
        parts = pc.split_pattern(pc.utf8_slice_codeunits(text, 1), LIST_SEPARATOR)
        empty = pa.scalar([], type=kind)
        lists = pc.if_else(pc.equal(text, ""), empty, parts).cast(kind)
        table = table.set_column(i, name, lists)
    return table.cast(pa.schema(list(types.items())))


def _read_model(db: Database) -> tuple[pa.Table, pa.Table]:
    """The mentions model's columns and the country lookup, as Arrow.

    Read with ``COPY ... TO STDOUT`` as CSV straight into pyarrow's CSV reader, never as Python
    tuples (at 100x the export's size those cost gigabytes and minutes). Every value is quoted
    (``FORCE_QUOTE *``), so an empty string (quoted) stays apart from NULL (unquoted, empty).
    """
    import pyarrow.csv as pacsv

    with db.connect() as conn, conn.transaction():
        statement = (
            f"copy ({_copy_query()}) to stdout"
            " with (format csv, header false, force_quote *, encoding 'UTF8')"
        )
        with conn.cursor().copy(statement) as copy:
            reader = pacsv.open_csv(
                io.BufferedReader(_CopyStream(copy), buffer_size=1 << 20),
                read_options=pacsv.ReadOptions(column_names=list(MODEL_TYPES), block_size=16 << 20),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.string() for name in MODEL_TYPES},
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),
            )
            model = reader.read_all()
        lookup = conn.execute(
            f"select lookup_key, country_code from {COUNTRY_LOOKUP_RELATION}"
        ).fetchall()
    keys, codes = zip(*lookup, strict=True) if lookup else ((), ())
    country_lookup = pa.table(
        {"lookup_key": pa.array(keys, pa.string()), "country_code": pa.array(codes, pa.string())}
    )
    return _decode_lists(model, MODEL_TYPES), country_lookup


def read_mentions(
    db: Database, con: duckdb.DuckDBPyConnection, config: Config | None = None
) -> pa.Table:
    """The mentions, one row per company-name mention in every sheet, with the corpus features
    (``MENTION_TYPES``); ``con`` (the run's DuckDB) computes them. In no set order: what is built
    from them orders itself (a feature row takes its first mention by ``mention_key``)."""
    config = config or load_config()
    model, country_lookup = _read_model(db)
    con.register("model_mentions", model)
    con.register("country_lookup", country_lookup)
    try:
        table = con.sql(
            MENTIONS_SQL,
            params={
                "distinctive": int(config.distinctive_max_names),
                "shared_domain": int(config.shared_domain_max_names),
            },
        ).to_arrow_table()
    finally:
        con.unregister("model_mentions")
        con.unregister("country_lookup")
    return table.cast(pa.schema(list(MENTION_TYPES.items())))
