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
        -- the app's month is text: the English month name (`February`)
        to_char(investment_date, 'FMMonth') as investment_month,
        investment_month as investment_month_number,
        investment_date,
        'month' as date_precision,
        -- in USD: an amount written in another currency is converted with the yearly FX seed
        cast(amount_millions_usd as numeric(18, 6)) as amount_millions,
        cast(original_amount_millions as numeric(18, 6)) as original_amount_millions,
        case when original_amount_millions is not null then original_currency end as original_currency,
        funding_round,
        funding_round_raw,
        lead_investor,
        country_code,
        countries.country_name as country,
        cast(null as text) as notes,
        'vendor:' || source_file as data_source,
        source_file,
        source_row
    from fundings
    left join {{ ref('countries') }} as countries using (country_code)

),

timestamped as (

    select
        final.*,
        {{ app_timestamps('final', 'previous', ['company_id', 'investment_year', 'investment_month',
            'amount_millions', 'funding_round', 'lead_investor', 'country', 'notes']) }}
    from final
    left join {{ production_rows('investments') }} as previous on previous.production_id = final.id

)

select * from timestamped
