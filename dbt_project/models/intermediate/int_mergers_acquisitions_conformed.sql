{#- One row per deal (M_A.json): both companies resolved, month-precision date, deal size 0 = undisclosed -> null. -#}

with

deals as (

    select * from {{ ref('stg_vendor__mergers_acquisitions') }}

),

mentions as (

    select * from {{ ref('int_company_mentions') }}
    where source_file = {{ sheet_file('mergers_acquisitions') }}

),

resolution as (

    select * from {{ ref('int_company_resolution') }}

),

country_lookup as (

    select * from {{ ref('int_country_lookup') }}

),

joined as (

    select
        deals.*,
        acquired.cleaned_name as acquired_company_clean_name,
        acquired_resolution.company_key as acquired_company_key,
        acquired_resolution.company_id as acquired_company_id,
        acquiring.cleaned_name as acquiring_company_clean_name,
        acquiring.ticker_tag as acquiring_company_ticker,
        acquiring_resolution.company_key as acquiring_company_key,
        acquiring_resolution.company_id as acquiring_company_id,
        country_lookup.country_code,
        'month' as date_precision,
        -- `0` is how the sheet writes "undisclosed"
        nullif(deals.deal_size_millions_usd_as_written, 0) as deal_size_millions_usd
    from deals
    left join mentions as acquired
        on acquired.source_row = deals.source_row and acquired.source_field = 'acquired_company'
    left join resolution as acquired_resolution
        on acquired_resolution.mention_key = acquired.mention_key
    left join mentions as acquiring
        on acquiring.source_row = deals.source_row and acquiring.source_field = 'acquiring_company'
    left join resolution as acquiring_resolution
        on acquiring_resolution.mention_key = acquiring.mention_key
    left join country_lookup on country_lookup.lookup_key = {{ country_key('deals.country_raw') }}

),

validated as (

    select
        *,
        {{ quarantine_checks([
            ('company_name_too_long', 'greatest(length(acquired_company_name), length(acquiring_company_name)) >= ' ~ var('company_name_max_length'), 'left(case when length(acquired_company_name) >= ' ~ var('company_name_max_length') ~ ' then acquired_company_name else acquiring_company_name end, 80)'),
            ('acquired_company_missing', 'acquired_company_id is null', 'acquired_company_name'),
            ('acquiring_company_missing', 'acquiring_company_id is null', 'acquiring_company_name'),
            ('deal_date_invalid', 'announcement_date is null or announcement_date > current_date', 'deal_date_raw'),
            ('deal_size_invalid', '(deal_size_raw is not null and deal_size_millions_usd_as_written is null) or deal_size_millions_usd_as_written < 0', 'deal_size_raw'),
        ]) }},
        {{ warning_checks([
            ('country_unmapped', 'country_raw is not null and country_code is null'),
        ]) }}
    from joined

),

deduplicated as (

    select
        *,
        {{ row_outcome('row_fingerprint') }}
    from validated

),

final as (

    select
        *,
        {{ row_outcome_columns() }}
    from deduplicated

)

select * from final
