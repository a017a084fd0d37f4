{{ config(materialized='view') }}
{#- The app's `market_totals`: the market size per year and segment (Total_AM_market_size, past
    figures; forecasts are in market_forecasts). -#}

with

market_data as (

    select * from {{ ref('market_data') }}

),

final as (

    select
        year,
        segment,
        sum(value_usd) as total_value
    from market_data
    where data_type = 'market_size' and segment is not null and value_usd is not null
    group by year, segment

)

select * from final
