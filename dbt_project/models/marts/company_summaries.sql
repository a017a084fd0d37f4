{{ config(materialized='view') }}
{#- One row per company with its machines, processes and materials, for the app's company list
    (the app's `company_summaries`). A plain view over `companies`: the machine figures are columns
    `companies` computes at build from int_equipment_rows (so they are as of the last build), not
    aggregated over equipment per query, and a filter on country or an order by total_machines
    reaches companies' indexes. The other per-company counts are looked up per row returned (each
    by its table's company index), and only when the reader selects them.
    One select, no CTEs: over a CTE of companies the planner keeps the CTE a subquery of its own
    (the correlated lookups refer to it) and cannot read companies in an index's order for an
    `order by total_machines desc` (measured: a sort instead of the ordered index scan). -#}

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
    companies.total_machines,
    companies.unique_manufacturers,
    companies.unique_processes,
    companies.unique_materials,
    companies.processes,
    companies.materials,
    (
        select string_agg(categories.category, ', ' order by categories.is_primary desc, categories.category asc)
        from {{ ref('company_categories') }} as categories
        where categories.company_id = companies.id
    ) as categories,
    companies.fleet_rows,
    companies.product_lines,
    companies.printers_counted,
    companies.printers_total_units,
    (
        select count(*) from {{ ref('investments') }} as investments
        where investments.company_id = companies.id
    ) as funding_rounds,
    companies.total_funding_usd,
    companies.last_funding_date,
    (
        select count(*) from {{ ref('mergers_acquisitions') }} as deals
        where deals.acquired_company_id = companies.id
    ) + (
        select count(*) from {{ ref('mergers_acquisitions') }} as deals
        where deals.acquiring_company_id = companies.id
    ) as deals,
    (
        select count(*) from {{ ref('service_pricing') }} as quotes
        where quotes.company_id = companies.id
    ) as price_quotes,
    companies.source_count,
    companies.created_at,
    companies.updated_at
from {{ ref('companies') }} as companies
