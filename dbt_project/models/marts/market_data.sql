{#- Market figures in one long table: `revenue_by_country` (2024 revenue by country and segment),
    `revenue_by_industry` (share of 2024 revenue, with revenue on the `All` rows) and `market_size`
    (yearly past revenue by segment). Forecasts are in market_forecasts. -#}

-- depends_on: {{ ref('int_production_company_ids') }}
with

figures as (

    select * from {{ ref('int_market_data_conformed') }}
    where row_outcome = 'published' and data_type <> 'forecast'

),

final as (

    select
        {{ source_row_id() }} as id,
        data_type,
        cast(year as integer) as year,
        segment,
        region,
        country_code,
        countries.country_name as country,
        industry,
        material,
        cast(value_usd as numeric(20, 2)) as value_usd,
        cast(percentage as numeric(9, 4)) as percentage,
        unit,
        {{ vendor_row_lineage() }}
    from figures
    left join {{ ref('countries') }} as countries using (country_code)

),

timestamped as (

    {#- the vendor rows and the rows production holds that no migration made (the app's, kept under
        their ids), with the app's timestamps -#}
    {{ app_mart_rows('market_data', 'final', tracked_columns=[], with_updated_at=false) }}

)

select * from timestamped
