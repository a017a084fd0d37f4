{#- Market-size forecasts (Total_AM_market_size.json), one row per year, segment and scenario. -#}

with

figures as (

    select * from {{ ref('int_market_data_conformed') }}
    where row_outcome = 'published' and data_type = 'forecast'

),

final as (

    select
        {{ source_row_id() }} as id,
        cast(year as integer) as year,
        segment,
        scenario,
        cast(value_usd as numeric(20, 2)) as value_usd,
        source_file,
        source_row
    from figures

)

select * from final
