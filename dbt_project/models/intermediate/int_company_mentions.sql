{#-
    One row per company-name mention: each master row, and each company-name field of the other
    sheets (M&A acquired and acquiring separately). Rows whose name is empty are not mentions; their
    sheet model quarantines them. This is the input of company resolution (and of the Splink
    linkage issue): the name is cleaned, annotations are split into their own columns, and the
    matching key and tokens are derived with the rules in macros/company_names.sql.

    Most names are written many times (a firm in several sheets, a sheet's rows repeating it), so
    every rule that reads only the name runs once per distinct spelling (`spellings` ... `spelled`),
    every website rule once per distinct website and the country lookup once per distinct value;
    the mentions then join them back. Set-based SQL Postgres may run in parallel.

    The steps of the name rules (`repaired` ... `keyed`) and of the website rules are
    `materialized`: each step's columns are computed once and stored. Inlined, every reference to
    a column of an earlier step would repeat its regular expressions (`unglued_name` is read ten
    times): 3x slower at 10x the export's size, same output.
-#}

with

company_information as (

    select * from {{ ref('stg_vendor__company_information') }}

),

company_roles as (

    select * from {{ ref('stg_vendor__company_roles') }}

),

print_services_global as (

    select * from {{ ref('stg_vendor__print_services_global') }}

),

am_systems_mfrs as (

    select * from {{ ref('stg_vendor__am_systems_mfrs') }}

),

print_services_pricing as (

    select * from {{ ref('stg_vendor__print_services_pricing') }}

),

fundings_and_investments as (

    select * from {{ ref('stg_vendor__fundings_and_investments') }}

),

mergers_acquisitions as (

    select * from {{ ref('stg_vendor__mergers_acquisitions') }}

),

existing_company_mentions as (

    select * from {{ ref('int_existing_company_mentions') }}

),

country_lookup as (

    select * from {{ ref('int_country_lookup') }}

),

public_suffixes as (

    select * from {{ ref('public_suffixes') }}

),

mentions as materialized (

    -- one select per name field, all of one shape: (CTE, source_field, name, role, country,
    -- website, owner). The last, production's companies, are linked like any mention, so that a
    -- company they form keeps its production id (int_existing_company_mentions). Materialized:
    -- the staging views clean each name as it is read, and the filter below would clean it
    -- twice more.
    {%- set name_fields = [
        ('company_information', "'company_name'", 'company_name', "'master'",
            'headquarters_raw', 'website_raw', 'parent_company_name'),
        ('company_roles', "'company_name'", 'company_name', "'listed_role'", 'null', 'null', 'null'),
        ('print_services_global', "'company_name'", 'company_name', "'print_service_bureau'",
            'country_raw', 'null', 'null'),
        ('am_systems_mfrs', "'company_name'", 'company_name', "'system_manufacturer'",
            'country_raw', 'null', 'null'),
        ('print_services_pricing', "'company_name'", 'company_name', "'quoting_service'",
            'country_raw', 'null', 'null'),
        ('fundings_and_investments', "'company_name'", 'company_name', "'funded_company'",
            'country_raw', 'null', 'null'),
        ('mergers_acquisitions', "'acquired_company'", 'acquired_company_name',
            "'acquired_company'", 'country_raw', 'null', 'null'),
        ('mergers_acquisitions', "'acquiring_company'", 'acquiring_company_name',
            "'acquiring_company'", 'null', 'null', 'null'),
        ('existing_company_mentions', 'source_field', 'source_name', 'role', 'country_raw',
            'website_raw', 'null'),
    ] %}
    {%- for cte, field, name, role, country, website, owner in name_fields %}
    select
        source_file, source_row, {{ field }} as source_field, {{ name }} as source_name,
        {{ role }} as role, {{ country }} as country_raw, {{ website }} as website_raw,
        {{ owner }} as owner_name
    from {{ cte }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

named_mentions as (

    select * from mentions
    where source_name is not null
        -- a name this long is no name: its row is quarantined (company_name_too_long)
        and length(source_name) < {{ var('company_name_max_length') }}

),

spellings as (

    select distinct source_name from named_mentions

),

repaired as materialized (

    select
        source_name,
        {{ fix_mojibake('source_name') }} as repaired_name
    from spellings

),

unglued as materialized (

    select
        *,
        -- a legal form glued to the word before it (`TechnologiesGmbH`, `ItaliaS.r.l.`): the
        -- missing space is put back so the form is recognised and dropped like any other
        regexp_replace(
            repaired_name,
            '([a-z])((?:GmbH|S\.r\.l\.|S\.p\.A\.|S\.A\.|B\.V\.|Ltd\.?|Inc\.?|LLC|LLP|PLC|Corp\.?|Co\., Ltd)(?:[^A-Za-z]|$))',
            '\1 \2', 'g'
        ) as unglued_name
    from repaired

),

{#- The annotations a name may carry, each pattern written once: `annotated` reads what each
    says, `stripped` drops them all from the name. In brackets: a ticker `(NYSE: DDD)` and the
    prefixed ones `(part of X)`, `(acquired by X)`, `(formerly X)`, `(trading as X)`, `(via X)`;
    after the name: `powered by X`, ` – closed`, a booth number glued to the last word; before it:
    `by X` (a seller). -#}
{%- set ticker %}[A-Za-z]{2,8} ?: ?[A-Za-z0-9.]+{% endset -%}
{%- set part_of %}(?:now )?part of {% endset -%}
{%- set acquired_by %}acquired by {% endset -%}
{%- set formerly %}formerly {% endset -%}
{%- set trading_as %}(?:trading as|t/a|dba) {% endset -%}
{%- set via %}via {% endset -%}
{%- set bracket_prefixes = [part_of, acquired_by, formerly, trading_as, via] -%}
{%- set powered_by %}\s+powered by {% endset -%}
{%- set seller %}^by {% endset -%}
{%- set closed_mark %}\s*[–—-]+\s*closed\s*${% endset -%}
{%- set booth %}[0-9]{3,5}{% endset %}

annotated as materialized (

    select
        *,
        -- annotations that are not part of the name
        substring(unglued_name from '\(({{ ticker }})\)') as ticker_tag,
        substring(unglued_name from '(?i)\({{ part_of }}([^)]+)\)') as part_of_firm,
        substring(unglued_name from '(?i)\({{ acquired_by }}([^)]+)\)') as acquired_by_firm,
        -- `AMbitious powered by toolcraft`: the brand, run by another firm
        substring(unglued_name from '(?i){{ powered_by }}(.+)$') as powered_by_firm,
        substring(unglued_name from '(?i)\({{ formerly }}([^)]+)\)') as formerly_name,
        substring(unglued_name from '(?i)\({{ trading_as }}([^)]+)\)') as trading_as_name,
        substring(unglued_name from '(?i)\({{ via }}([^)]+)\)') as marketplace_name,
        substring(unglued_name from '(?i){{ seller }}(.+)$') as seller_name,
        unglued_name ~* '{{ closed_mark }}' as is_marked_closed,
        -- a trailing exhibitor booth number glued to the last word (`Name1066`)
        substring(unglued_name from '[A-Za-z.]({{ booth }})$') as booth_number
    from unglued

),

{%- set without_annotations -%}
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        unglued_name,
        '(?i)\s*\((?:{{ ticker }}|{{ bracket_prefixes | join('[^)]+|') }}[^)]+)\)', '', 'g'),
        '(?i){{ seller }}', ''),
        '(?i){{ powered_by }}.+$', ''),
        '(?i){{ closed_mark }}', ''),
        '([A-Za-z.]){{ booth }}$', '\1')
{%- endset %}

stripped as materialized (

    select
        *,
        -- the whitespace the removals leave behind, trimmed and collapsed (null if nothing is left)
        {{ clean_text(without_annotations) }} as name_without_annotations
    from annotated

),

without_trailing_alias as materialized (

    select
        *,
        -- a trailing parenthetical that is not an annotation is an alias or acronym
        substring(name_without_annotations from '\(([^()]+)\)\s*$') as parenthetical_alias,
        regexp_replace(name_without_annotations, '\s*\(([^()]+)\)\s*$', '') as base_name,
        substring(
            regexp_replace(name_without_annotations, '\s*\(([^()]+)\)\s*$', '')
            from '^(.*?)\s[–—|]\s'
        ) as before_dash,
        substring(
            regexp_replace(name_without_annotations, '\s*\(([^()]+)\)\s*$', '')
            from '\s[–—|]\s(.+)$'
        ) as after_dash
    from stripped

),

aliased as materialized (

    select
        *,
        -- `ACRONYM – Long legal name` (or the reverse; the long name has several words, so
        -- `NVIDIA – NVentures`, a unit of NVIDIA, is not read as one): the acronym is an alias.
        -- Any other `Name – Other` names a division or brand of Name: a firm of its own, so both
        -- parts stay in the name (`Acme – Rapido` is not `Acme`).
        case
            when before_dash ~ '^[A-Z0-9&]{2,6}$' and after_dash ~ '\S\s+\S' then before_dash
            when after_dash ~ '^[A-Z0-9&]{2,6}$' and before_dash ~ '\S\s+\S' then after_dash
        end as dash_alias,
        coalesce(
            nullif(btrim(
                regexp_replace(
                    case
                        when before_dash ~ '^[A-Z0-9&]{2,6}$' and after_dash ~ '\S\s+\S'
                            then after_dash
                        when after_dash ~ '^[A-Z0-9&]{2,6}$' and before_dash ~ '\S\s+\S'
                            then before_dash
                        else regexp_replace(base_name, '\s[–—|]\s', ' ', 'g')
                    end,
                    '[\s,;:]+$', ''
                )
            ), ''),
            nullif(name_without_annotations, ''),
            repaired_name
        ) as cleaned_name
    from without_trailing_alias

),

cored as materialized (

    select
        *,
        {{ company_name_core_words('cleaned_name') }} as cleaned_core_words
    from aliased

),

keyed as materialized (

    select
        *,
        -- a name without any letter or digit still identifies something: keep it as written
        coalesce(
            {{ company_name_key_of_core_words('cleaned_core_words') }},
            {{ company_name_key('repaired_name') }},
            lower(repaired_name)
        ) as normalised_name,
        string_to_array(cleaned_core_words, ' ') as name_tokens
    from cored

),

name_words as (

    select word, kind from {{ ref('company_name_words') }}

),

word_kinds as (

    -- single-word ISO country names are region words too (`Austin Polymers France`)
    select word, kind from name_words
    union all
    select distinct lower({{ strip_accents('country_name') }}), 'region'
    from {{ ref('countries') }}
    where country_name !~ '[^A-Za-z]'
        and lower({{ strip_accents('country_name') }}) not in (select word from name_words)
    union all
    -- frequent English words are generic too (`Future Additive` names no particular firm)
    select word, 'generic' from {{ ref('common_english_words') }}
    where word not in (select word from name_words)
        and word not in (
            select lower({{ strip_accents('country_name') }}) from {{ ref('countries') }}
        )
    union all
    -- so are cities (`München Powders`, `München Labs`)
    select word, 'place' from {{ ref('place_names') }}
    where word not in (select word from name_words)
        and word not in (select word from {{ ref('common_english_words') }})
        and word not in (
            select lower({{ strip_accents('country_name') }}) from {{ ref('countries') }}
        )

),

classified as (

    -- core tokens identify the firm; region tokens mark a regional arm (so does a city after the
    -- first word: `Akribis Systems (Shanghai)`, while a leading one is the registration prefix
    -- of a Chinese legal name); qualifier tokens are business words that tell
    -- a unit from its parent (`Operations`, `Advanced Ceramics`); filler, legal forms inside the
    -- name and one- or two-letter words are none of these
    select
        keyed.source_name,
        array_agg(token order by position) filter (where word_kinds.kind is null)
            as name_core_tokens,
        array_agg(token order by position) filter (
            where word_kinds.kind = 'region' or (word_kinds.kind = 'place' and position > 1)
        ) as name_region_tokens,
        array_agg(token order by position) filter (
            where word_kinds.kind = 'generic' and length(token) > 2
                and token not in ({{ "'" ~ legal_form_words() | join("', '") ~ "'" }})
        ) as name_qualifier_tokens
    from keyed
    cross join lateral unnest(keyed.name_tokens) with ordinality as t (token, position)
    left join word_kinds on word_kinds.word = t.token
    group by keyed.source_name

),

spelled as (

    -- everything the name alone decides, once per spelling
    select
        keyed.source_name,
        keyed.cleaned_name,
        keyed.normalised_name,
        keyed.name_tokens,
        coalesce(classified.name_core_tokens, '{}') as name_core_tokens,
        coalesce(classified.name_region_tokens, '{}') as name_region_tokens,
        coalesce(classified.name_qualifier_tokens, '{}') as name_qualifier_tokens,
        -- the aliases the name carries, as matching keys: an acronym (`DMAMS` of `Xi'an Zhilong
        -- … – DMAMS`) and a name in brackets (`Btec 3D` of `Btec Additive Manufacturing (Btec
        -- 3D)`; in the master list the brackets often name the owner: `CalRAM (Carpenter
        -- Technology)`, so linkage weighs the two differently)
        {{ company_name_key('keyed.dash_alias') }} as alias_key,
        {{ company_name_key('keyed.parenthetical_alias') }} as bracket_key,
        -- the parts of `Name – Other` (or `Name | Other`) that name this same firm: the second
        -- (`Heidelberg Instruments – Multiphoton Optics` is the unit Multiphoton Optics), and the
        -- first when the second is a legal name (`Dragonfly | Comet Technologies Canada Inc.` is
        -- the brand Dragonfly); `NVIDIA – NVentures` is not NVIDIA
        case when keyed.dash_alias is null then {{ company_name_key('keyed.after_dash') }} end
            as unit_part_key,
        case
            when keyed.dash_alias is null
                and keyed.after_dash ~* '\m(inc|ltd|llc|gmbh|co|corp|corporation|limited|ag|plc|bv|srl|sa)\M'
                then {{ company_name_key('keyed.before_dash') }}
        end as brand_part_key,
        -- the firm the name itself says owns this one (`(part of X)`, `(acquired by X)`,
        -- `powered by X`)
        {{ company_name_key('coalesce(keyed.part_of_firm, keyed.acquired_by_firm, keyed.powered_by_firm)') }}
            as annotated_parent_key,
        keyed.parenthetical_alias,
        keyed.dash_alias,
        keyed.trading_as_name,
        keyed.formerly_name,
        coalesce(keyed.part_of_firm, keyed.acquired_by_firm, keyed.powered_by_firm)
            as parent_firm_annotation,
        case
            when keyed.part_of_firm is not null then 'part_of'
            when keyed.acquired_by_firm is not null then 'acquired_by'
            when keyed.powered_by_firm is not null then 'powered_by'
        end as parent_annotation_kind,
        {{ normalise_ticker('keyed.ticker_tag') }} as ticker_tag,
        keyed.booth_number,
        keyed.marketplace_name,
        keyed.seller_name,
        keyed.is_marked_closed
    from keyed
    left join classified
        on classified.source_name = keyed.source_name

),

owners as (

    -- `Owned by / Subsidiary of` of a master row, once per distinct owner
    select
        owner_name,
        {{ company_name_key('owner_name') }} as owner_key
    from (select distinct owner_name from named_mentions where owner_name is not null) as o

),

website_values as materialized (

    -- each website rule once per distinct website (master rows only), each step once: a step's
    -- expression written into every later one would repeat its regular expressions
    select
        website_raw,
        {{ clean_text('website_raw') }} as website_clean
    from (select distinct website_raw from named_mentions where website_raw is not null) as w

),

website_unprefixed as materialized (

    select
        *,
        {{ website_unprefixed('website_clean') }} as website_unprefixed
    from website_values

),

website_bodies as materialized (

    select
        *,
        {{ website_body('website_unprefixed') }} as website_body
    from website_unprefixed

),

website_hosts as materialized (

    select
        *,
        {{ website_host('website_body') }} as website_host
    from website_bodies

),

website_checks as materialized (

    select
        website_raw,
        {{ website_problem('website_clean', 'website_body', 'website_host', 'public_suffixes') }}
            as website_problem,
        {{ canonical_url('website_unprefixed', 'website_body', 'website_host') }} as website_url,
        -- the host without `www.`: registrable_domain reads it a dozen times
        regexp_replace(website_host, '^www[0-9]*\.', '') as bare_host
    from website_hosts

),

websites as (

    select
        website_raw,
        case when website_problem is null then website_url end as website_url,
        case when website_problem is null
            then {{ registrable_domain('bare_host', 'public_suffixes') }} end as website_domain,
        website_problem
    from website_checks

),

countries as (

    select
        c.country_raw,
        country_lookup.country_code
    from (select distinct country_raw from named_mentions where country_raw is not null) as c
    left join country_lookup
        on country_lookup.lookup_key = {{ country_key('c.country_raw') }}

),

final as (

    select
        ---------- ids
        m.source_file || ':' || m.source_row || ':' || m.source_field as mention_key,
        m.source_file,
        m.source_row,
        m.source_field,
        m.role,

        ---------- names
        m.source_name,
        s.cleaned_name,
        s.normalised_name,
        s.name_tokens,
        s.name_core_tokens,
        s.name_region_tokens,
        s.name_qualifier_tokens,
        s.alias_key,
        s.bracket_key,
        s.unit_part_key,
        s.brand_part_key,
        -- the firm that owns this one (`Owned by / Subsidiary of`, else what the name says): a
        -- different company from this one
        case when m.owner_name is not null then owners.owner_key else s.annotated_parent_key end
            as parent_key,

        ---------- annotations split off the name
        s.parenthetical_alias,
        s.dash_alias,
        s.trading_as_name,
        s.formerly_name,
        s.parent_firm_annotation,
        s.parent_annotation_kind,
        s.ticker_tag,
        s.booth_number,
        s.marketplace_name,
        s.seller_name,
        s.is_marked_closed,

        ---------- website (master rows only)
        m.website_raw,
        websites.website_url,
        websites.website_domain,
        websites.website_problem,

        ---------- country
        m.country_raw,
        countries.country_code

    from named_mentions as m
    inner join spelled as s
        on s.source_name = m.source_name
    left join owners
        on owners.owner_name = m.owner_name
    left join websites
        on websites.website_raw = m.website_raw
    left join countries
        on countries.country_raw = m.country_raw

)

select * from final
