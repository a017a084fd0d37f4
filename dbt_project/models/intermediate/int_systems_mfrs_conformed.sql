{#- One row per product-line row (COMPANY___AM_systems_mfrs.json): company, process, material,
    country conformed; outcome. -#}

with

systems_mfrs as (

    select * from {{ ref('stg_vendor__am_systems_mfrs') }}

),

companies as (

    {{ sheet_companies('am_systems_mfrs') }}

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
        systems_mfrs.*,
        companies.mention_key,
        companies.cleaned_name,
        companies.company_key,
        companies.company_id,
        companies.country_code,
        process_values.process_codes,
        process_values.technology_code,
        process_values.has_unmapped_process,
        material_types.material_category,
        material_types.raw_value is not null as is_material_type_mapped,
        material_formats.material_format
    from systems_mfrs
    left join companies on companies.source_row = systems_mfrs.source_row
    left join process_values on process_values.process_raw = systems_mfrs.process_raw
    left join material_types
        on material_types.raw_value = {{ vocabulary_key('systems_mfrs.material_type_raw') }}
    left join material_formats
        on material_formats.raw_value = {{ vocabulary_key('systems_mfrs.material_format_raw') }}

),

validated as (

    select
        *,
        {{ quarantine_checks(company_name_checks()) }},
        {{ warning_checks([
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
