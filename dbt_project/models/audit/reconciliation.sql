{#-
    Count reconciliation per sheet: raw rows = published + merged + quarantined, and the published
    rows are exactly the mart rows that name this sheet as their source. `status` is the seed plan's
    view: share of raw rows that reached production (published or merged) >= 95% PASS, >= 90% WARN,
    else FAIL — computed from the counts, never hard-coded.
-#}
{%- set mart_sources = [
    ('companies', "source_file = 'Company_information.json'"),
    ('company_categories', 'true'),
    ('equipment', 'true'),
    ('service_pricing', 'true'),
    ('investments', 'true'),
    ('mergers_acquisitions', 'true'),
    ('market_data', 'true'),
    ('market_forecasts', 'true'),
    ('figure_directory', 'true'),
] -%}

with

raw_rows as (

    select sheet_file as sheet, count(*) as raw_rows
    from {{ ref('int_raw_rows') }}
    group by sheet_file

),

outcomes as (

    select
        source_file as sheet,
        count(*) filter (where row_outcome = 'published') as published_rows,
        count(*) filter (where row_outcome = 'merged') as merged_rows,
        count(*) filter (where row_outcome = 'quarantined') as quarantined_rows
    from {{ ref('int_row_outcomes') }}
    group by source_file

),

mart_rows as (

    select source_file as sheet, count(*) as mart_rows
    from (
        {% for mart, condition in mart_sources %}
        select source_file from {{ ref(mart) }} where {{ condition }}
        {% if not loop.last %}union all{% endif %}
        {% endfor %}
    ) as published
    group by source_file

),

counted as (

    select
        raw_rows.sheet,
        raw_rows.raw_rows,
        coalesce(outcomes.published_rows, 0) as published_rows,
        coalesce(outcomes.merged_rows, 0) as merged_rows,
        coalesce(outcomes.quarantined_rows, 0) as quarantined_rows,
        coalesce(mart_rows.mart_rows, 0) as mart_rows
    from raw_rows
    left join outcomes on outcomes.sheet = raw_rows.sheet
    left join mart_rows on mart_rows.sheet = raw_rows.sheet

),

final as (

    select
        sheet,
        raw_rows,
        published_rows,
        merged_rows,
        quarantined_rows,
        mart_rows,
        raw_rows = published_rows + merged_rows + quarantined_rows as is_balanced,
        published_rows = mart_rows as is_published_in_marts,
        round(100.0 * (published_rows + merged_rows) / nullif(raw_rows, 0), 2) as accounted_pct,
        case
            when raw_rows = 0 then 'PASS'
            when (published_rows + merged_rows) >= 0.95 * raw_rows then 'PASS'
            when (published_rows + merged_rows) >= 0.90 * raw_rows then 'WARN'
            else 'FAIL'
        end as status
    from counted

)

select * from final
