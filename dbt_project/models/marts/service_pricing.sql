{#- One row per published quote. price_usd is the quote total for `quantity` units;
    unit_price_usd = price_usd / quantity. Identical repeated quotes are kept (flagged). -#}
-- depends_on: {{ ref('companies') }}
-- depends_on: {{ ref('technologies') }}

-- depends_on: {{ ref('int_production_company_ids') }}
with

quotes as (

    select * from {{ ref('int_pricing_conformed') }}
    where row_outcome = 'published'

),

final as (

    select
        {{ source_row_id() }} as id,
        company_id,
        material_category,
        specific_material,
        technology_code as process,
        process_raw,
        {{ technology_id('technology_code') }} as technology_id,
        cast(quantity as integer) as quantity,
        cast(price_usd as numeric(18, 2)) as price_usd,
        cast(unit_price_usd as numeric(18, 4)) as unit_price_usd,
        cast(shipping_cost_usd as numeric(18, 2)) as shipping_cost_usd,
        ordered_on,
        delivered_on,
        cast(lead_time_days as integer) as lead_time_days,
        country_code,
        countries.country_name as country,
        marketplace_name as marketplace,
        repeat_of_source_row is not null as is_repeated_quote,
        cast(null as text) as notes,
        {{ vendor_row_lineage() }}
    from quotes
    left join {{ ref('countries') }} as countries using (country_code)

),

timestamped as (

    {#- the vendor rows and the rows production holds that no migration made (the app's, kept under
        their ids), with the app's timestamps -#}
    {{ app_mart_rows('service_pricing', 'final',
        tracked_columns=['company_id', 'material_category', 'specific_material', 'process',
            'quantity', 'price_usd', 'lead_time_days', 'notes'],
        overrides={
            'ordered_on': "coalesce(cast(production.record ->> 'ordered_on' as date), cast(production.record ->> 'created_at' as date))",
            'is_repeated_quote': "coalesce(cast(production.record ->> 'is_repeated_quote' as boolean), false)",
        }) }}

)

select * from timestamped
