{{ config(materialized='view') }}
{#- The app's `market_by_country_segment`: revenue per year, country and segment
    (AM_market_revenue_2024). Rows without a known country or segment are left out. -#}

with

market_data as (

    select * from {{ ref('market_data') }}

),

final as (

    select
        year,
        country,
        segment,
        sum(value_usd) as value
    from market_data
    where data_type = 'revenue_by_country'
        and country is not null and segment is not null and value_usd is not null
    group by year, country, segment

)

select * from final
