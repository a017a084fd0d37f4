{#- One row per quote (Print_services_Pricing_data.json): company, process, material, country
    conformed, per-unit price derived; plausibility rules quarantine. Identical quotes are NOT merged
    (a repeated quote may be genuine); `repeat_of_source_row` marks them. -#}

with

pricing as (

    select * from {{ ref('stg_vendor__print_services_pricing') }}

),

companies as (

    {{ sheet_companies('print_services_pricing') }}

),

joined as (

    select
        pricing.*,
        companies.mention_key,
        companies.marketplace_name,
        companies.company_key,
        companies.company_id,
        companies.country_code,
        {{ process_and_material_columns(process_codes=false, material_format=false) }},
        round(pricing.price_usd / nullif(pricing.quantity, 0), 4) as unit_price_usd
    from pricing
    left join companies on companies.source_row = pricing.source_row
    {{ process_and_material_joins('pricing', material_format=false) }}

),

validated as (

    -- material_type_unmapped is stricter than unmapped('material_type'): a quote without a
    -- material type warns too
    select
        *,
        {{ quarantine_checks(company_name_checks() + [
            ('price_invalid', 'price_usd is null', 'manufacturing_cost_raw'),
            ('quantity_invalid', 'quantity is null or quantity <= 0', 'quantity_raw'),
            ('unit_price_implausible', 'unit_price_usd <= 0 or unit_price_usd >= ' ~ var('unit_price_max_usd'), 'unit_price_usd'),
            ('order_date_invalid', 'ordered_on is null or ordered_on > current_date', 'day_ordered_raw'),
            ('lead_time_implausible', 'lead_time_days is null or lead_time_days < 0 or lead_time_days > ' ~ var('lead_time_max_days'), 'lead_time_raw'),
        ]) }},
        {{ warning_checks([
            ('lead_time_inconsistent', 'delivered_on is not null and ordered_on is not null and delivered_on - ordered_on <> lead_time_days'),
            ('shipping_cost_implausible', 'shipping_cost_usd < 0 or shipping_cost_usd >= ' ~ var('unit_price_max_usd')),
            ('process_unmapped', unmapped('process')),
            ('material_type_unmapped', 'not is_material_type_mapped'),
            ('country_unmapped', unmapped('country')),
        ]) }}
    from joined

),

final as (

    select
        *,
        case when quarantine_rule is null then source_row end as first_source_row,
        nullif(min(source_row) over (partition by row_fingerprint), source_row) as repeat_of_source_row
    from validated

),

outcomes as (

    select
        *,
        {{ row_outcome_columns() }}
    from final

)

select * from outcomes
