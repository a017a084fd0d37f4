{{ config(materialized='view') }}
{#- Price benchmarks (the app's `pricing_benchmarks`): per process, material category, quantity and
    country, the number of quotes and the quote price (price_usd, the total for `quantity` units)
    minimum, quartiles, median, maximum and mean, with lead times. Only quotes whose process,
    material category and country are known: a benchmark's labels are never null or invented. -#}

with

quotes as (

    select * from {{ ref('service_pricing') }}

),

described as (

    -- marts only: a live view must not depend on a seed (a seed's full refresh drops it, cascade)
    select *
    from quotes
    where process is not null and material_category is not null and country is not null

),

final as (

    select
        process,
        material_category,
        cast(quantity as text) as quantity,
        country,
        count(*) as sample_count,
        min(price_usd) as min_price,
        cast(percentile_cont(0.25) within group (order by price_usd) as numeric(18, 2)) as q1_price,
        cast(percentile_cont(0.5) within group (order by price_usd) as numeric(18, 2))
            as median_price,
        cast(percentile_cont(0.75) within group (order by price_usd) as numeric(18, 2)) as q3_price,
        max(price_usd) as max_price,
        round(avg(price_usd), 2) as avg_price,
        min(lead_time_days) as min_lead_time,
        round(avg(lead_time_days), 1) as avg_lead_time,
        max(lead_time_days) as max_lead_time,
        count(distinct company_id) as companies,
        cast(percentile_cont(0.5) within group (order by unit_price_usd) as numeric(18, 4))
            as median_unit_price_usd
    from described
    group by process, material_category, quantity, country

)

select * from final
