{#-
    Equipment, one row per published source row of the two equipment sheets:
      operated_fleet    (COMPANY___Print_services_global.json) printers a bureau runs, with a count
                        whose meaning is in count_type / count_kind: never sum different kinds;
      manufactured_line (COMPANY___AM_systems_mfrs.json) what a system manufacturer builds.
-#}
-- depends_on: {{ ref('companies') }}
-- depends_on: {{ ref('technologies') }}
-- depends_on: {{ ref('materials') }}

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
        'manufactured_line',
        cleaned_name,
        null,
        null,
        null,
        null,
        technology_code,
        process_codes,
        material_category,
        material_format,
        country_code,
        null
    from product_lines

),

final as (

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
        source_file,
        source_row
    from unioned

)

select * from final
