{#-
    Equipment rows, one per company and machine line, before the app's timestamps: the one home of
    what a company's equipment is, read by the `equipment` mart (which adds created_at/updated_at)
    and by the machine figures `companies` precomputes at build (total_machines and its siblings):
      operated_fleet    (COMPANY___Print_services_global.json) printers a bureau runs, with a count
                        whose meaning is in count_type / count_kind: never sum different kinds;
      manufactured_line (COMPANY___AM_systems_mfrs.json) what a system manufacturer builds;
    and every row production already holds (the app's fleets), kept under its id and re-pointed at
    the company it belongs to now (int_production_company_ids).
-#}

with

fleets as (

    select * from {{ ref('int_print_services_conformed') }}
    where row_outcome = 'published'

),

product_lines as (

    select * from {{ ref('int_systems_mfrs_conformed') }}
    where row_outcome = 'published'

),

unioned as (

    select
        source_file,
        source_row,
        company_id,
        'operated_fleet' as equipment_role,
        printer_manufacturer as manufacturer,
        printer_model as model,
        printer_count,
        count_type,
        count_kind,
        technology_code,
        process_codes,
        material_category,
        material_format,
        country_code,
        update_year
    from fleets

    union all

    select
        source_file,
        source_row,
        company_id,
        'manufactured_line' as equipment_role,
        cleaned_name as manufacturer,
        null as model,
        null as printer_count,
        null as count_type,
        null as count_kind,
        technology_code,
        process_codes,
        material_category,
        material_format,
        country_code,
        null as update_year
    from product_lines

),

vendor_rows as (

    select
        {{ source_row_id() }} as id,
        company_id,
        equipment_role,
        manufacturer,
        model,
        cast(printer_count as integer) as count,
        count_type,
        count_kind,
        {{ technology_id('technology_code') }} as technology_id,
        array_to_string(process_codes, ', ') as processes,
        {{ material_id('material_category') }} as material_id,
        material_format,
        country_code,
        cast(update_year as integer) as update_year,
        {{ vendor_row_lineage() }}
    from unioned

),

production as (

    select * from {{ app_production_rows('equipment') }} as app_rows

),

carried as (

    select
        production.production_id as id,
        company_ids.company_id,
        coalesce(production.record ->> 'equipment_role', 'operated_fleet') as equipment_role,
        {{ clean_text("production.record ->> 'manufacturer'") }} as manufacturer,
        {{ clean_text("production.record ->> 'model'") }} as model,
        cast(production.record ->> 'count' as integer) as count,
        coalesce(count_types.count_type, {{ clean_text("production.record ->> 'count_type'") }})
            as count_type,
        coalesce(count_types.count_kind, production.record ->> 'count_kind') as count_kind,
        cast(production.record ->> 'technology_id' as uuid) as technology_id,
        coalesce(production.record ->> 'processes', technology_ids.code) as processes,
        cast(production.record ->> 'material_id' as uuid) as material_id,
        production.record ->> 'material_format' as material_format,
        production.record ->> 'country_code' as country_code,
        cast(production.record ->> 'update_year' as integer) as update_year,
        coalesce(production.data_source, 'existing production') as data_source,
        production.source_file,
        production.source_row
    from production
    left join {{ ref('int_production_company_ids') }} as company_ids
        on company_ids.production_id = cast(production.record ->> 'company_id' as uuid)
    left join {{ ref('count_types') }} as count_types
        on count_types.raw_value = {{ vocabulary_key("production.record ->> 'count_type'") }}
    left join {{ ref('int_technology_ids') }} as technology_ids
        on technology_ids.id = cast(production.record ->> 'technology_id' as uuid)

)

select * from vendor_rows
union all
select * from carried
