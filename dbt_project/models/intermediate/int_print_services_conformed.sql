{#- One row per fleet row (COMPANY___Print_services_global.json): company, count type and kind,
    process, material and country conformed; outcome. -#}

with

print_services as (

    select * from {{ ref('stg_vendor__print_services_global') }}

),

companies as (

    {{ sheet_companies('print_services_global') }}

),

count_types as (

    select * from {{ ref('count_types') }}

),

process_values as (

    select * from {{ ref('int_process_values') }}

),

material_types as (

    select * from {{ ref('material_types') }}

),

material_formats as (

    select * from {{ ref('material_formats') }}

),

joined as (

    select
        print_services.*,
        companies.mention_key,
        companies.company_key,
        companies.company_id,
        companies.country_code,
        count_types.count_type,
        count_types.count_kind,
        process_values.process_codes,
        process_values.technology_code,
        process_values.has_unmapped_process,
        material_types.material_category,
        material_types.raw_value is not null as is_material_type_mapped,
        material_formats.material_format
    from print_services
    left join companies on companies.source_row = print_services.source_row
    left join count_types
        on count_types.raw_value = {{ vocabulary_key('print_services.count_type_raw') }}
    left join process_values on process_values.process_raw = print_services.process_raw
    left join material_types
        on material_types.raw_value = {{ vocabulary_key('print_services.material_type_raw') }}
    left join material_formats
        on material_formats.raw_value = {{ vocabulary_key('print_services.material_format_raw') }}

),

validated as (

    select
        *,
        {{ quarantine_checks(company_name_checks() + [
            ('printer_count_not_integer', 'printer_count_raw is not null and printer_count is null', 'printer_count_raw'),
            ('printer_count_negative', "printer_count < 0 and coalesce(count_kind, '') <> 'fleet_delta'", 'printer_count_raw'),
            ('year_invalid', 'update_year is null or update_year < ' ~ var('earliest_plausible_year') ~ ' or update_year > extract(year from current_date)', 'update_year_raw'),
        ]) }},
        {{ warning_checks([
            ('printer_count_missing', 'printer_count_raw is null'),
            ('count_type_unmapped', 'count_type_raw is not null and count_type is null'),
            ('process_unmapped', 'has_unmapped_process'),
            ('material_type_unmapped', 'material_type_raw is not null and not is_material_type_mapped'),
            ('material_format_unmapped', 'material_format_raw is not null and material_format is null'),
            ('country_unmapped', 'country_raw is not null and country_code is null'),
        ]) }}
    from joined

),

final as (

    {{ with_row_outcomes('validated', 'row_fingerprint') }}

)

select * from final
