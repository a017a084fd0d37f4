{{ config(materialized='view') }}
{#- One row per company with its activity counts, for the app's company list. Fleet figures are
    kept per count kind (never summed across kinds). -#}

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
        company_id,
        count(*) filter (where equipment_role = 'operated_fleet') as fleet_rows,
        count(*) filter (where equipment_role = 'manufactured_line') as product_lines,
        sum(count) filter (where count_kind = 'fleet_count') as printers_counted,
        sum(count) filter (where count_kind = 'fleet_total') as printers_total_units
    from {{ ref('equipment') }}
    group by company_id

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
        companies.id as company_id,
        companies.name,
        companies.company_type,
        companies.country,
        companies.country_code,
        companies.website,
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
        companies.source_count
    from companies
    left join categories on categories.company_id = companies.id
    left join equipment on equipment.company_id = companies.id
    left join investments on investments.company_id = companies.id
    left join deals on deals.company_id = companies.id
    left join quotes on quotes.company_id = companies.id

)

select * from final
