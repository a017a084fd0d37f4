{#-
    Count reconciliation per sheet: raw rows = published + merged + quarantined, and the published
    rows are exactly the mart rows that name this sheet as their source. `status` is the seed plan's
    view: share of raw rows that reached production (published or merged) >= 95% PASS, >= 90% WARN,
    else FAIL — computed from the counts, never hard-coded.

    Production is a source too: one row per app table production held (`public.<table>`). Its
    rows = published (a mart row keeps the id) + merged (a company linkage joined to another
    production company, audit.production_merges) + superseded (a row an earlier migration built
    from the export that this export no longer makes). A row production held that is none of
    these is lost: the error test fails and nothing is published.
-#}
{%- set app_tables = production_tables() -%}
{%- set mart_sources = [
    ('companies', "source_file = " ~ sheet_file('company_information')),
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

production_ids as (

    {% for table in app_tables %}
    select '{{ table }}' as production_table, id from {{ ref(table) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

production_outcomes as (

    select
        rows.source_file as sheet,
        rows.production_id,
        rows.is_migration_output,
        production_ids.id is not null as is_published,
        coalesce(company_ids.is_merged, false) and survivor.id is not null as is_merged
    from {{ ref('stg_production__rows') }} as rows
    left join production_ids
        on production_ids.production_table = rows.production_table
        and production_ids.id = rows.production_id
    left join {{ ref('int_production_company_ids') }} as company_ids
        on rows.production_table = 'companies' and company_ids.production_id = rows.production_id
    left join {{ ref('companies') }} as survivor on survivor.id = company_ids.company_id

),

production_counted as (

    select
        sheet,
        count(*) as raw_rows,
        count(*) filter (where is_published) as published_rows,
        count(*) filter (where not is_published and is_merged) as merged_rows,
        0 as quarantined_rows,
        count(*) filter (where not is_published and not is_merged and is_migration_output)
            as superseded_rows,
        count(*) filter (where is_published) as mart_rows
    from production_outcomes
    group by sheet

),

counted as (

    select
        raw_rows.sheet,
        raw_rows.raw_rows,
        coalesce(outcomes.published_rows, 0) as published_rows,
        coalesce(outcomes.merged_rows, 0) as merged_rows,
        coalesce(outcomes.quarantined_rows, 0) as quarantined_rows,
        0 as superseded_rows,
        coalesce(mart_rows.mart_rows, 0) as mart_rows
    from raw_rows
    left join outcomes on outcomes.sheet = raw_rows.sheet
    left join mart_rows on mart_rows.sheet = raw_rows.sheet
    union all
    select * from production_counted

),

final as (

    select
        sheet,
        raw_rows,
        published_rows,
        merged_rows,
        quarantined_rows,
        superseded_rows,
        mart_rows,
        raw_rows = published_rows + merged_rows + quarantined_rows + superseded_rows as is_balanced,
        published_rows = mart_rows as is_published_in_marts,
        round(100.0 * (published_rows + merged_rows) / nullif(raw_rows, 0), 2) as accounted_pct,
        case
            when raw_rows = 0 then 'PASS'
            when (published_rows + merged_rows + superseded_rows) >= 0.95 * raw_rows then 'PASS'
            when (published_rows + merged_rows + superseded_rows) >= 0.90 * raw_rows then 'WARN'
            else 'FAIL'
        end as status
    from counted

)

select * from final
