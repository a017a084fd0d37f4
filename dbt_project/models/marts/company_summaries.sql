{{ config(materialized='view') }}
{#- One row per company with its machines, processes and materials, for the app's company list
    (the app's `company_summaries`). Fleet figures are kept per count kind (never summed across
    kinds): total_machines counts the printers a company operates (Minimum / Actual / Estimate). -#}

with

companies as (

    select * from {{ ref('companies') }}

),

categories as (

    select
        company_id,
        string_agg(category, ', ' order by is_primary desc, category) as categories
    from {{ ref('company_categories') }}
    group by company_id

),

equipment as (

    select
        equipment.company_id,
        count(*) filter (where equipment.equipment_role = 'operated_fleet') as fleet_rows,
        count(*) filter (where equipment.equipment_role = 'manufactured_line') as product_lines,
        sum(equipment.count) filter (where equipment.count_kind = 'fleet_count') as printers_counted,
        sum(equipment.count) filter (where equipment.count_kind = 'fleet_total')
            as printers_total_units,
        count(distinct equipment.manufacturer)
            filter (where equipment.equipment_role = 'operated_fleet') as unique_manufacturers,
        array_agg(distinct technologies.name) filter (where technologies.name is not null)
            as processes,
        array_agg(distinct materials.name) filter (where materials.name is not null) as materials
    from {{ ref('equipment') }} as equipment
    left join {{ ref('technologies') }} as technologies
        on technologies.id = equipment.technology_id
    left join {{ ref('materials') }} as materials on materials.id = equipment.material_id
    group by equipment.company_id

),

investments as (

    select company_id, count(*) as funding_rounds
    from {{ ref('investments') }}
    group by company_id

),

deals as (

    select company_id, count(*) as deals
    from (
        select acquired_company_id as company_id from {{ ref('mergers_acquisitions') }}
        union all
        select acquiring_company_id from {{ ref('mergers_acquisitions') }}
    ) as parties
    group by company_id

),

quotes as (

    select company_id, count(*) as price_quotes
    from {{ ref('service_pricing') }}
    group by company_id

),

final as (

    select
        companies.id,
        companies.name,
        companies.company_type,
        companies.country,
        companies.country_code,
        companies.city,
        companies.state,
        companies.latitude,
        companies.longitude,
        companies.website,
        companies.description,
        companies.employee_count_range,
        companies.revenue_range,
        companies.founded_year,
        companies.parent_company,
        companies.subsidiary_info,
        companies.public_stock_ticker,
        companies.stock_ticker,
        companies.is_public_company,
        coalesce(equipment.printers_counted, 0) as total_machines,
        coalesce(equipment.unique_manufacturers, 0) as unique_manufacturers,
        coalesce(cardinality(equipment.processes), 0) as unique_processes,
        coalesce(cardinality(equipment.materials), 0) as unique_materials,
        coalesce(equipment.processes, '{}') as processes,
        coalesce(equipment.materials, '{}') as materials,
        categories.categories,
        coalesce(equipment.fleet_rows, 0) as fleet_rows,
        coalesce(equipment.product_lines, 0) as product_lines,
        equipment.printers_counted,
        equipment.printers_total_units,
        coalesce(investments.funding_rounds, 0) as funding_rounds,
        companies.total_funding_usd,
        companies.last_funding_date,
        coalesce(deals.deals, 0) as deals,
        coalesce(quotes.price_quotes, 0) as price_quotes,
        companies.source_count,
        companies.created_at,
        companies.updated_at
    from companies
    left join categories on categories.company_id = companies.id
    left join equipment on equipment.company_id = companies.id
    left join investments on investments.company_id = companies.id
    left join deals on deals.company_id = companies.id
    left join quotes on quotes.company_id = companies.id

)

select * from final
