{#-
    One row per company-name mention: each master row, and each company-name field of the other
    sheets (M&A acquired and acquiring separately). Rows whose name is empty are not mentions; their
    sheet model quarantines them. This is the input of company resolution (and of the Splink
    linkage issue): the name is cleaned, annotations are split into their own columns, and the
    matching key and tokens are derived with the rules in macros/company_names.sql.
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

country_lookup as (

    select * from {{ ref('int_country_lookup') }}

),

public_suffixes as (

    select * from {{ ref('public_suffixes') }}

),

mentions as (

    select
        source_file, source_row, 'company_name' as source_field, company_name as source_name,
        'master' as role, headquarters_raw as country_raw, website_raw
    from company_information
    union all
    select
        source_file, source_row, 'company_name', company_name,
        'listed_role', null, null
    from company_roles
    union all
    select
        source_file, source_row, 'company_name', company_name,
        'print_service_bureau', country_raw, null
    from print_services_global
    union all
    select
        source_file, source_row, 'company_name', company_name,
        'system_manufacturer', country_raw, null
    from am_systems_mfrs
    union all
    select
        source_file, source_row, 'company_name', company_name,
        'quoting_service', country_raw, null
    from print_services_pricing
    union all
    select
        source_file, source_row, 'company_name', company_name,
        'funded_company', country_raw, null
    from fundings_and_investments
    union all
    select
        source_file, source_row, 'acquired_company', acquired_company_name,
        'acquired_company', country_raw, null
    from mergers_acquisitions
    union all
    select
        source_file, source_row, 'acquiring_company', acquiring_company_name,
        'acquiring_company', null, null
    from mergers_acquisitions

),

repaired as (

    select
        *,
        {{ fix_mojibake('source_name') }} as repaired_name
    from mentions
    where source_name is not null

),

annotated as (

    select
        *,
        -- annotations that are not part of the name
        substring(repaired_name from '\(([A-Za-z]{2,8} ?: ?[A-Za-z0-9.]+)\)') as ticker_tag,
        substring(repaired_name from '(?i)\((?:now )?part of ([^)]+)\)') as part_of_firm,
        substring(repaired_name from '(?i)\(acquired by ([^)]+)\)') as acquired_by_firm,
        substring(repaired_name from '(?i)\(formerly ([^)]+)\)') as formerly_name,
        substring(repaired_name from '(?i)\((?:trading as|t/a|dba) ([^)]+)\)') as trading_as_name,
        substring(repaired_name from '(?i)\(via ([^)]+)\)') as marketplace_name,
        substring(repaired_name from '(?i)^by (.+)$') as seller_name,
        repaired_name ~* '\s[–—-]\s*closed\s*$' as is_marked_closed,
        -- a trailing exhibitor booth number glued to the last word (`Name1066`)
        substring(repaired_name from '[a-z]([0-9]{3,5})$') as booth_number
    from repaired

),

stripped as (

    select
        *,
        btrim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
            repaired_name,
            '(?i)\s*\((?:[A-Za-z]{2,8} ?: ?[A-Za-z0-9.]+|(?:now )?part of [^)]+|acquired by [^)]+|formerly [^)]+|trading as [^)]+|t/a [^)]+|dba [^)]+|via [^)]+)\)', '', 'g'),
            '(?i)^by ', ''),
            '(?i)\s[–—-]\s*closed\s*$', ''),
            '([a-z])[0-9]{3,5}$', '\1'),
            '\s+', ' ', 'g')) as name_without_annotations
    from annotated

),

aliased as (

    select
        *,
        -- a trailing parenthetical that is not an annotation is an alias or acronym
        substring(name_without_annotations from '\(([^()]+)\)\s*$') as parenthetical_alias,
        -- `ACRONYM – Long legal name`: the part after an en or em dash is an alias
        substring(
            regexp_replace(name_without_annotations, '\s*\(([^()]+)\)\s*$', '')
            from '\s[–—]\s(.+)$'
        ) as dash_alias,
        coalesce(
            nullif(btrim(
                regexp_replace(
                    regexp_replace(
                        regexp_replace(name_without_annotations, '\s*\(([^()]+)\)\s*$', ''),
                        '\s[–—]\s.+$', ''
                    ),
                    '[\s,;:]+$', ''
                )
            ), ''),
            nullif(name_without_annotations, ''),
            repaired_name
        ) as cleaned_name
    from stripped

),

keyed as (

    select
        *,
        -- a name without any letter or digit still identifies something: keep it as written
        coalesce(
            {{ company_name_key('cleaned_name') }},
            {{ company_name_key('repaired_name') }},
            lower(repaired_name)
        ) as normalised_name,
        string_to_array({{ company_name_core_words('cleaned_name') }}, ' ') as name_tokens
    from aliased

),

located as (

    select
        keyed.*,
        country_lookup.country_code,
        {{ website_problem('keyed.website_raw', 'public_suffixes') }} as website_problem
    from keyed
    left join country_lookup
        on country_lookup.lookup_key = {{ country_key('keyed.country_raw') }}

),

final as (

    select
        ---------- ids
        source_file || ':' || source_row || ':' || source_field as mention_key,
        source_file,
        source_row,
        source_field,
        role,

        ---------- names
        source_name,
        cleaned_name,
        normalised_name,
        name_tokens,

        ---------- annotations split off the name
        parenthetical_alias,
        dash_alias,
        trading_as_name,
        formerly_name,
        coalesce(part_of_firm, acquired_by_firm) as parent_firm_annotation,
        case
            when part_of_firm is not null then 'part_of'
            when acquired_by_firm is not null then 'acquired_by'
        end as parent_annotation_kind,
        {{ normalise_ticker('ticker_tag') }} as ticker_tag,
        booth_number,
        marketplace_name,
        seller_name,
        is_marked_closed,

        ---------- website (master rows only)
        website_raw,
        case when website_problem is null and website_raw is not null
            then {{ canonical_url('website_raw') }} end as website_url,
        case when website_problem is null and website_raw is not null
            then {{ registrable_domain(
                "regexp_replace(" ~ website_host('website_raw') ~ ", '^www[0-9]*\\.', '')",
                'public_suffixes') }} end as website_domain,
        website_problem,

        ---------- country
        country_raw,
        country_code

    from located

)

select * from final
