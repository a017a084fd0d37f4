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

joined as (

    select
        print_services.*,
        companies.mention_key,
        companies.company_key,
        companies.company_id,
        companies.country_code,
        count_types.count_type,
        count_types.count_kind,
        {{ process_and_material_columns() }}
    from print_services
    left join companies on companies.source_row = print_services.source_row
    left join count_types
        on count_types.raw_value = {{ vocabulary_key('print_services.count_type_raw') }}
    {{ process_and_material_joins('print_services') }}

),

final as (

    {{ sheet_row_outcomes('joined',
        quarantine=company_name_checks() + [
            ('printer_count_not_integer', 'printer_count_raw is not null and printer_count is null', 'printer_count_raw'),
            ('printer_count_negative', "printer_count < 0 and coalesce(count_kind, '') <> 'fleet_delta'", 'printer_count_raw'),
            ('year_invalid', 'update_year is null or update_year < ' ~ var('earliest_plausible_year') ~ ' or update_year > extract(year from current_date)', 'update_year_raw'),
        ],
        warnings=[
            ('printer_count_missing', 'printer_count_raw is null'),
        ] + unmapped_warnings(['count_type', 'process', 'material_type', 'material_format', 'country']),
        partition_by='row_fingerprint') }}

)

select * from final
