{{ config(post_hook=[
    "{{ trigram_index(this, 'name') }}",
    "{{ machine_figure_defaults(this) }}",
]) }}
{{ config(post_hook=["{{ create_company_golden_preview() }}"]) }}
{#- One row per company: every resolved company key from every sheet's mentions and every company
    production already holds. Vendor attributes come from the company's earliest master row when it
    has one, else from its other mentions (the rule: macros/survivorship.sql); where production
    holds the company too, which value is published is decided per column by
    macros/production.sql (`prefer`).
    Its machine figures (total_machines and siblings, read by the app's company_summaries and its
    critical query) are computed here, at build, from int_equipment_rows: they are as of the last
    build, like every other column. Fleet figures stay per count kind (never summed across kinds):
    total_machines counts the printers a company operates (Minimum / Actual / Estimate). -#}

with

mentions as (

    -- the columns the golden record reads (the model has 34; fewer to carry through the sorts)
    select
        mention_key,
        source_file,
        source_row,
        role,
        cleaned_name,
        website_url,
        website_domain,
        country_code,
        parent_firm_annotation,
        ticker_tag
    from {{ ref('int_company_mentions') }}

),

resolution as (

    select * from {{ ref('int_company_resolution') }}

),

master_rows as (

    select * from {{ ref('int_company_information_conformed') }}

),

roles as (

    select * from {{ ref('int_company_roles_conformed') }}
    where row_outcome = 'published'

),

fundings as (

    select * from {{ ref('int_fundings_conformed') }}
    where row_outcome = 'published'

),

resolved_mentions as materialized (

    {{ ranked_mentions('mentions', 'resolution') }}
    -- sorted once, in the order `representative`, `vendor_name` and `mention_facts` read it:
    -- from Postgres 17 on they take that order instead of each sorting the mentions again (at
    -- 100x, 1.7 million rows: the model's query 10.7 -> 9.2 s); Postgres 15 still sorts in each,
    -- so there this sort is one more (at the real export's size, 17,421 rows, milliseconds)
    order by company_id, mention_priority, source_row

),

representative as (

    -- the company's lineage row and key: its best vendor mention, else its production row
    select distinct on (company_id)
        company_id,
        company_key,
        source_file,
        source_row
    from resolved_mentions
    order by company_id, mention_priority, source_row

),

vendor_name as (

    {{ company_vendor_name('resolved_mentions') }}

),

production as (

    -- the production row the company keeps (its id is the company's id), with its app columns
    select distinct on (resolved_mentions.company_id)
        resolved_mentions.company_id,
        existing.production_id,
        resolved_mentions.website_url,
        resolved_mentions.website_domain,
        resolved_mentions.country_code,
        rows.record
    from resolved_mentions
    inner join {{ ref('int_existing_company_mentions') }} as existing
        on existing.source_file = resolved_mentions.source_file
        and existing.source_row = resolved_mentions.source_row
    inner join {{ ref('stg_production__rows') }} as rows
        on rows.source_file = existing.source_file
        and rows.source_row = existing.source_row
    where resolved_mentions.role = 'existing_company'
    order by
        resolved_mentions.company_id,
        existing.production_id = resolved_mentions.company_id desc,
        resolved_mentions.source_row

),

master as (

    {{ company_master_facts('master_rows') }}

),

mention_facts as (

    {{ company_mention_facts('resolved_mentions') }}

),

primary_role as (

    select distinct on (company_id)
        company_id,
        company_type
    from roles
    order by company_id, source_row

),

funding as (

    select
        company_id,
        sum(amount_millions_usd) * 1000000 as total_funding_usd,
        max(investment_date) as last_funding_date
    from fundings
    group by company_id

),

countries as (

    select * from {{ ref('countries') }}

),

equipment_figures as (

    select
        equipment.company_id,
        count(*) filter (where equipment.equipment_role = 'operated_fleet') as fleet_rows,
        count(*) filter (where equipment.equipment_role = 'manufactured_line') as product_lines,
        sum(equipment.count) filter (where equipment.count_kind = 'fleet_count') as printers_counted,
        sum(equipment.count) filter (where equipment.count_kind = 'fleet_total')
            as printers_total_units,
        count(distinct equipment.manufacturer) filter (where equipment.equipment_role = 'operated_fleet') as unique_manufacturers,
        array_agg(distinct technologies.name) filter (where technologies.name is not null) as processes,
        array_agg(distinct materials.name) filter (where materials.name is not null) as materials
    from {{ ref('int_equipment_rows') }} as equipment
    left join {{ ref('technologies') }} as technologies
        on equipment.technology_id = technologies.id
    left join {{ ref('materials') }} as materials on equipment.material_id = materials.id
    where equipment.company_id is not null
    group by equipment.company_id

),

merged as (

    select
        representative.company_id as id,
        {{ prefer('name', 'vendor_name.name', clean_text_record('name')) }} as name,
        {{ prefer('website', 'master.website', 'production.website_url') }} as website,
        {{ prefer('website', 'master.domain', 'production.website_domain') }} as domain,
        {{ prefer('country_code', 'mention_facts.country_code', 'production.country_code') }}
            as country_code,
        production.record ->> 'country' as production_country,
        {{ prefer('city', 'null', clean_text_record('city')) }} as city,
        {{ prefer('state', 'null', clean_text_record('state')) }} as state,
        {{ prefer('latitude', 'null', "cast(production.record ->> 'latitude' as numeric)") }}
            as latitude,
        {{ prefer('longitude', 'null', "cast(production.record ->> 'longitude' as numeric)") }}
            as longitude,
        {{ prefer('description', 'null', clean_text_record('description')) }} as description,
        {{ prefer('parent_company',
            vendor_parent_company('master', 'mention_facts'),
            clean_text_record('parent_company')) }} as parent_company,
        {{ prefer('subsidiary_info', 'null', clean_text_record('subsidiary_info')) }}
            as subsidiary_info,
        {{ prefer('public_stock_ticker',
            vendor_stock_ticker('master', 'mention_facts'),
            clean_text_record('public_stock_ticker')) }} as public_stock_ticker,
        {{ prefer('employee_count_range', """case
            when master.employee_count is null then null
            when master.employee_count <= 10 then '1-10'
            when master.employee_count <= 50 then '11-50'
            when master.employee_count <= 200 then '51-200'
            when master.employee_count <= 500 then '201-500'
            when master.employee_count <= 1000 then '501-1000'
            when master.employee_count <= 5000 then '1001-5000'
            else '5001+'
        end""", clean_text_record('employee_count_range')) }} as employee_count_range,
        {{ prefer('revenue_range', 'null', clean_text_record('revenue_range')) }} as revenue_range,
        {{ prefer('founded_year', 'null', "cast(production.record ->> 'founded_year' as integer)") }}
            as founded_year,
        {{ prefer('segment', 'null', clean_text_record('segment')) }} as segment,
        coalesce(
            {{ prefer('company_type',
                'coalesce(primary_role.company_type, mention_facts.company_type_from_sheets)',
                """case when production.record ->> 'company_type'
                    in ('equipment', 'service', 'software', 'material', 'other')
                    then production.record ->> 'company_type' end""") }},
            'other'
        ) as company_type,
        cast({{ prefer('total_funding_usd', 'funding.total_funding_usd',
            "cast(production.record ->> 'total_funding_usd' as numeric)") }} as numeric(18, 2))
            as total_funding_usd,
        {{ prefer('last_funding_date', 'funding.last_funding_date',
            "cast(production.record ->> 'last_funding_date' as date)") }} as last_funding_date,
        cast(coalesce(mention_facts.source_count, 0) as integer) as source_count,
        representative.company_key,
        case
            when production.company_id is not null
                then coalesce(production.record ->> 'data_source', 'existing production')
            else 'vendor:' || representative.source_file
        end as data_source,
        representative.source_file,
        representative.source_row
    from representative
    left join vendor_name on vendor_name.company_id = representative.company_id
    left join production on production.company_id = representative.company_id
    left join master on master.company_id = representative.company_id
    left join mention_facts on mention_facts.company_id = representative.company_id
    left join primary_role on primary_role.company_id = representative.company_id
    left join funding on funding.company_id = representative.company_id

),

final as (

    select
        merged.id,
        merged.name,
        merged.website,
        merged.domain,
        -- the English name the app filters on; a production value no ISO code was found for
        -- (`United states/Canada`) is kept as written rather than lost
        coalesce(countries.country_name, merged.production_country) as country,
        merged.country_code,
        merged.city,
        merged.state,
        merged.latitude,
        merged.longitude,
        merged.description,
        merged.parent_company,
        merged.subsidiary_info,
        merged.public_stock_ticker,
        -- the ticker without its exchange (`NYSE:DDD` -> `DDD`)
        nullif(regexp_replace(merged.public_stock_ticker, '^.*:', ''), '') as stock_ticker,
        merged.public_stock_ticker is not null as is_public_company,
        merged.employee_count_range,
        merged.revenue_range,
        merged.founded_year,
        merged.segment,
        merged.company_type,
        merged.total_funding_usd,
        merged.last_funding_date,
        merged.source_count,
        cast(coalesce(equipment_figures.printers_counted, 0) as bigint) as total_machines,
        coalesce(equipment_figures.unique_manufacturers, 0) as unique_manufacturers,
        coalesce(cardinality(equipment_figures.processes), 0) as unique_processes,
        coalesce(cardinality(equipment_figures.materials), 0) as unique_materials,
        coalesce(equipment_figures.processes, '{}') as processes,
        coalesce(equipment_figures.materials, '{}') as materials,
        coalesce(equipment_figures.fleet_rows, 0) as fleet_rows,
        coalesce(equipment_figures.product_lines, 0) as product_lines,
        equipment_figures.printers_counted,
        equipment_figures.printers_total_units,
        merged.company_key,
        merged.data_source,
        merged.source_file,
        merged.source_row
    from merged
    left join countries on countries.country_code = merged.country_code
    left join equipment_figures on merged.id = equipment_figures.company_id

),

timestamped as (

    select
        final.*,
        {{ app_timestamps('final', 'previous', ['name', 'website', 'country', 'city', 'state',
            'latitude', 'longitude', 'description', 'parent_company', 'subsidiary_info',
            'public_stock_ticker', 'stock_ticker', 'is_public_company', 'employee_count_range',
            'revenue_range', 'founded_year', 'segment', 'company_type', 'total_funding_usd',
            'last_funding_date']) }}
    from final
    left join {{ production_rows('companies') }} as previous on previous.production_id = final.id

)

select * from timestamped
