{#- One row per product-line row (COMPANY___AM_systems_mfrs.json): company, process, material,
    country conformed; outcome. -#}

with

systems_mfrs as (

    select * from {{ ref('stg_vendor__am_systems_mfrs') }}

),

companies as (

    {{ sheet_companies('am_systems_mfrs') }}

),

joined as (

    select
        systems_mfrs.*,
        companies.mention_key,
        companies.cleaned_name,
        companies.company_key,
        companies.company_id,
        companies.country_code,
        {{ process_and_material_columns() }}
    from systems_mfrs
    left join companies on companies.source_row = systems_mfrs.source_row
    {{ process_and_material_joins('systems_mfrs') }}

),

final as (

    {{ sheet_row_outcomes('joined',
        quarantine=company_name_checks(),
        warnings=unmapped_warnings(['process', 'material_type', 'material_format', 'country']),
        partition_by='row_fingerprint') }}

)

select * from final
