{#- One row per published funding round. Amounts in millions of USD; amounts written in another
    currency were converted with the yearly FX seed, the original amount and currency kept. -#}
-- depends_on: {{ ref('companies') }}

-- depends_on: {{ ref('int_production_company_ids') }}
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
        {{ vendor_row_lineage() }}
    from fundings
    left join {{ ref('countries') }} as countries using (country_code)

),

timestamped as (

    {#- the vendor rows and the rows production holds that no migration made (the app's, kept under
        their ids), with the app's timestamps -#}
    {{ app_mart_rows('investments', 'final',
        tracked_columns=['company_id', 'investment_year', 'investment_month', 'amount_millions',
            'funding_round', 'lead_investor', 'country', 'notes'],
        overrides={
            'date_precision': "coalesce(production.record ->> 'date_precision', 'month')",
            'investment_month_number': "coalesce(cast(production.record ->> 'investment_month_number' as integer), cast(extract(month from to_date(production.record ->> 'investment_month', 'Month')) as integer))",
            'investment_date': "coalesce(cast(production.record ->> 'investment_date' as date), make_date(cast(production.record ->> 'investment_year' as integer), cast(extract(month from to_date(production.record ->> 'investment_month', 'Month')) as integer), 1))",
        }) }}

)

select * from timestamped
