{{ config(materialized='view') }}
{#- Price benchmarks per process, material and quantity: quote counts and per-unit price and lead
    time statistics over the published quotes. -#}

with

quotes as (

    select * from {{ ref('service_pricing') }}

),

final as (

    select
        process,
        material_category,
        specific_material,
        quantity,
        count(*) as quotes,
        count(distinct company_id) as companies,
        min(unit_price_usd) as min_unit_price_usd,
        cast(percentile_cont(0.5) within group (order by unit_price_usd) as numeric(18, 4)) as median_unit_price_usd,
        round(avg(unit_price_usd), 4) as avg_unit_price_usd,
        max(unit_price_usd) as max_unit_price_usd,
        cast(percentile_cont(0.5) within group (order by lead_time_days) as numeric(8, 1)) as median_lead_time_days
    from quotes
    group by process, material_category, specific_material, quantity

)

select * from final
