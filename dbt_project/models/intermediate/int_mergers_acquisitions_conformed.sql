{#- One row per deal (M_A.json): both companies resolved, month-precision date, deal size 0 = undisclosed -> null. -#}

with

deals as (

    select * from {{ ref('stg_vendor__mergers_acquisitions') }}

),

companies as (

    {{ sheet_companies('mergers_acquisitions') }}

),

country_lookup as (

    select * from {{ ref('int_country_lookup') }}

),

joined as (

    select
        deals.*,
        acquired.cleaned_name as acquired_company_clean_name,
        acquired.company_key as acquired_company_key,
        acquired.company_id as acquired_company_id,
        acquiring.cleaned_name as acquiring_company_clean_name,
        acquiring.ticker_tag as acquiring_company_ticker,
        acquiring.company_key as acquiring_company_key,
        acquiring.company_id as acquiring_company_id,
        country_lookup.country_code,
        'month' as date_precision,
        -- `0` is how the sheet writes "undisclosed"
        nullif(deals.deal_size_millions_usd_as_written, 0) as deal_size_millions_usd
    from deals
    left join companies as acquired
        on acquired.source_row = deals.source_row and acquired.source_field = 'acquired_company'
    left join companies as acquiring
        on acquiring.source_row = deals.source_row and acquiring.source_field = 'acquiring_company'
    left join country_lookup on country_lookup.lookup_key = {{ country_key('deals.country_raw') }}

),

final as (

    {{ sheet_row_outcomes('joined',
        quarantine=[
            ('company_name_too_long', 'greatest(length(acquired_company_name), length(acquiring_company_name)) >= ' ~ var('company_name_max_length'), 'left(case when length(acquired_company_name) >= ' ~ var('company_name_max_length') ~ ' then acquired_company_name else acquiring_company_name end, 80)'),
            ('acquired_company_missing', 'acquired_company_id is null', 'acquired_company_name'),
            ('acquiring_company_missing', 'acquiring_company_id is null', 'acquiring_company_name'),
            ('deal_date_invalid', 'announcement_date is null or announcement_date > current_date', 'deal_date_raw'),
            ('deal_size_invalid', '(deal_size_raw is not null and deal_size_millions_usd_as_written is null) or deal_size_millions_usd_as_written < 0', 'deal_size_raw'),
        ],
        warnings=unmapped_warnings(['country']),
        partition_by='row_fingerprint') }}

)

select * from final
