{#- One row per published funding round. Amounts in millions of USD; amounts written in another
    currency were converted with the yearly FX seed, the original amount and currency kept. -#}
-- depends_on: {{ ref('companies') }}

with

fundings as (

    select * from {{ ref('int_fundings_conformed') }}
    where row_outcome = 'published'

),

final as (

    select
        {{ source_row_id() }} as id,
        company_id,
        investment_year,
        investment_month,
        investment_date,
        'month' as date_precision,
        cast(amount_millions_usd as numeric(18, 6)) as amount_millions_usd,
        cast(original_amount_millions as numeric(18, 6)) as original_amount_millions,
        case when original_amount_millions is not null then original_currency end as original_currency,
        funding_round,
        funding_round_raw,
        lead_investor,
        country_code,
        source_file,
        source_row
    from fundings

)

select * from final
