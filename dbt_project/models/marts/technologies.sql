{#- One row per AM process (ISO/ASTM 52900 coding), from the process_codes seed. -#}

with

process_codes as (

    select * from {{ ref('process_codes') }}

),

technology_ids as (

    select * from {{ ref('int_technology_ids') }}

),

production as (

    select * from {{ app_production_rows('technologies') }} as app_rows

),

processes as (

    -- one row per process of the seed; a production row that names it lends its id and its text
    select
        technology_ids.id,
        process_codes.process_code as code,
        coalesce({{ clean_text("production.record ->> 'name'") }}, process_codes.process_name) as name,
        process_codes.process_category as category,
        {{ clean_text("production.record ->> 'description'") }} as description,
        process_codes.in_iso_astm_52900,
        case when production.production_id is not null
            then coalesce(production.data_source, 'existing production')
            else 'vendor:process_codes.csv' end as data_source,
        coalesce(production.source_file, 'process_codes.csv') as source_file,
        production.source_row
    from process_codes
    inner join technology_ids on technology_ids.code = process_codes.process_code
    left join production on production.production_id = technology_ids.production_id

),

carried as (

    -- production technologies no process of the seed took: kept as they are
    select
        production.production_id as id,
        'production:' || production.production_id as code,
        {{ clean_text("production.record ->> 'name'") }} as name,
        coalesce({{ clean_text("production.record ->> 'category'") }}, 'Other') as category,
        {{ clean_text("production.record ->> 'description'") }} as description,
        false as in_iso_astm_52900,
        coalesce(production.data_source, 'existing production') as data_source,
        production.source_file,
        production.source_row
    from production
    where production.production_id not in (
        select technology_ids.production_id from technology_ids
        where technology_ids.production_id is not null
    )

),

final as (

    select
        unioned.*,
        {{ app_timestamps('unioned', 'previous', [], with_updated_at=false) }}
    from (
        select * from processes
        union all
        select * from carried
    ) as unioned
    left join {{ production_rows('technologies') }} as previous on previous.production_id = unioned.id

)

select * from final
