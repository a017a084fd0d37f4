"""The company mentions as Arrow: the dbt model ``int_company_mentions`` read from Postgres.

psycopg's ``COPY ... TO STDOUT`` streams CSV straight into pyarrow (the DuckDB postgres extension
cannot be downloaded here). The query adds the corpus-level features the model needs beside the
mention's own columns (rare words, distinctive names, shared websites, former names, the
countries a name's region words name).
"""

from __future__ import annotations

import io

import pyarrow as pa

from dedupe.linkage.config import Config, load_config
from loaders.db import Database

MENTIONS_RELATION = "intermediate.int_company_mentions"
COUNTRY_LOOKUP_RELATION = "intermediate.int_country_lookup"

# The mentions model's columns under the names the Splink settings use, plus two corpus-level
# features: whether a name holds a word few other names use, and whether its website domain is
# shared by several differently named companies (then it says nothing about identity).
MENTIONS_SQL = """
with mentions as (
    select * from {relation} where normalised_name <> ''
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
    from names, unnest(name_core_tokens) as token group by token
),
all_token_use as (
    select token, count(*) as names
    from (select distinct normalised_name, name_tokens from mentions) as n,
        unnest(n.name_tokens) as token
    group by token
),
name_rare as (
    select n.normalised_name, array_agg(distinct token) as name_rare_tokens
    from (select distinct normalised_name, name_tokens from mentions) as n,
        unnest(n.name_tokens) as token
    join all_token_use using (token)
    where length(token) >= 4 and all_token_use.names <= %(distinctive)s
    group by n.normalised_name
),
former_names as (
    -- the firm a rename annotation names (`Fabrica Group (formerly Nanofabrica, now part of Nano
    -- Dimension)`), as the matching key of a mention spelled that way anywhere in the export
    select distinct on (m.normalised_name) m.normalised_name, f.normalised_name as formerly_key
    from (select distinct normalised_name, formerly_name from mentions
          where formerly_name is not null) as m
    join (select distinct normalised_name, lower(cleaned_name) as cleaned from mentions) as f
        on f.cleaned = lower(btrim(split_part(m.formerly_name, ',', 1)))
        and f.normalised_name <> m.normalised_name
    order by m.normalised_name, f.normalised_name
),
region_countries as (
    -- the countries the name's region words name (`Pyrogenesis Canada` -> CA)
    select n.normalised_name, array_agg(distinct lookup.country_code) as name_region_countries
    from (select distinct normalised_name, name_region_tokens from mentions) as n,
        unnest(n.name_region_tokens) as token
    join {country_lookup} as lookup on lookup.lookup_key = token
    group by n.normalised_name
),
specificity as (
    -- per spelling: `PRINT-ME 3D` (words `print me`) is not distinctive, `PrintMe-3D` is
    select names.normalised_name, names.name_core_tokens,
        min(token_use.names) as rarest_token_names
    from names, unnest(names.name_core_tokens) as token join token_use using (token)
    group by names.normalised_name, names.name_core_tokens
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
    array_append(coalesce(name_rare.name_rare_tokens, '{{}}'), normalised_name)
        as name_rare_tokens,
    array_to_string(array(select distinct t from unnest(name_core_tokens) as t order by t), ' ')
        as name_core_key,
    name_core_tokens[1] as name_first_token,
    -- the core words run together (`fenghua zhuoli` -> `fenghuazhuoli`), when long enough to
    -- tell a firm (a blocking key and a comparison)
    case when length(array_to_string(name_core_tokens, '')) >= 8
        then array_to_string(name_core_tokens, '') end as name_core_concat,
    coalesce(region_countries.name_region_countries, '{{}}') as name_region_countries,
    coalesce(specificity.rarest_token_names <= %(distinctive)s, false) as name_is_distinctive,
    -- blocking key: the core name, only when it is distinctive (small blocks at any scale)
    case when specificity.rarest_token_names <= %(distinctive)s then
        array_to_string(array(select distinct t from unnest(name_core_tokens) as t order by t), ' ')
    end as name_core_block,
    case when domain_use.names <= %(shared_domain)s then mentions.website_domain end as domain,
    country_code
from mentions
left join domain_use using (website_domain)
left join specificity using (normalised_name, name_core_tokens)
left join name_rare using (normalised_name)
left join region_countries using (normalised_name)
left join former_names using (normalised_name)
"""
MENTION_TYPES = {
    "mention_key": pa.string(),
    "source_file": pa.string(),
    "source_name": pa.string(),
    "website_url": pa.string(),
    "name_norm": pa.string(),
    "name_tokens": pa.list_(pa.string()),
    "name_core_tokens": pa.list_(pa.string()),
    "name_region_tokens": pa.list_(pa.string()),
    "name_qualifier_tokens": pa.list_(pa.string()),
    "alias_key": pa.string(),
    "bracket_key": pa.string(),
    "unit_part_key": pa.string(),
    "brand_part_key": pa.string(),
    "parent_key": pa.string(),
    "formerly_key": pa.string(),
    "name_fold": pa.string(),
    "name_rare_tokens": pa.list_(pa.string()),
    "name_core_key": pa.string(),
    "name_first_token": pa.string(),
    "name_core_concat": pa.string(),
    "name_region_countries": pa.list_(pa.string()),
    "name_is_distinctive": pa.bool_(),
    "name_core_block": pa.string(),
    "domain": pa.string(),
    "country_code": pa.string(),
}

READ_WORK_MEM = "128MB"
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


def _copy_query(config: Config) -> str:
    """The mentions query as CSV text for COPY: list columns encoded (``LIST_SEPARATOR``)."""
    query = MENTIONS_SQL.format(
        relation=MENTIONS_RELATION, country_lookup=COUNTRY_LOOKUP_RELATION
    ) % {
        "distinctive": int(config.distinctive_max_names),
        "shared_domain": int(config.shared_domain_max_names),
    }
    columns = []
    for name, kind in MENTION_TYPES.items():
        if pa.types.is_list(kind):
            columns.append(
                f"case when cardinality({name}) = 0 then ''"
                f" else chr(31) || array_to_string({name}, chr(31)) end as {name}"
            )
        else:
            columns.append(name)
    return f"select {', '.join(columns)} from ({query}) as mentions"


def _decode_lists(table: pa.Table) -> pa.Table:
    import pyarrow.compute as pc

    for i, (name, kind) in enumerate(MENTION_TYPES.items()):
        if not pa.types.is_list(kind):
            continue
        text = table.column(name)
        parts = pc.split_pattern(pc.utf8_slice_codeunits(text, 1), LIST_SEPARATOR)
        empty = pa.scalar([], type=kind)
        lists = pc.if_else(pc.equal(text, ""), empty, parts).cast(kind)
        table = table.set_column(i, name, lists)
    return table


def read_mentions(db: Database, config: Config | None = None) -> pa.Table:
    """The mentions model as Arrow (one row per company-name mention in every sheet).

    Read with ``COPY ... TO STDOUT`` as CSV straight into pyarrow's CSV reader, never as Python
    tuples (at 100x the export's size those cost gigabytes and minutes). Every value is quoted
    (``FORCE_QUOTE *``), so an empty string (quoted) stays apart from NULL (unquoted, empty).
    """
    import pyarrow.csv as pacsv

    config = config or load_config()
    schema = pa.schema(list(MENTION_TYPES.items()))
    text_types = {
        name: (pa.string() if pa.types.is_list(kind) else kind)
        for name, kind in MENTION_TYPES.items()
    }
    with db.connect() as conn, conn.transaction():
        # room to hash the corpus' distinct names in memory instead of spilling them to disk
        conn.execute(f"set local work_mem = '{READ_WORK_MEM}'")
        statement = (
            f"copy ({_copy_query(config)}) to stdout"
            " with (format csv, header false, force_quote *, encoding 'UTF8')"
        )
        with conn.cursor().copy(statement) as copy:
            reader = pacsv.open_csv(
                io.BufferedReader(_CopyStream(copy), buffer_size=1 << 20),
                read_options=pacsv.ReadOptions(
                    column_names=list(MENTION_TYPES), block_size=16 << 20
                ),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types=text_types,
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                    true_values=["t"],
                    false_values=["f"],
                ),
            )
            table = reader.read_all()
    return _decode_lists(table).cast(schema)
