{#- Every distinct value that a vocabulary or reference seed did not recognise, per sheet, with its
    row count: the to-do list of whoever maintains the seeds. The rows were kept (warn level). -#}

with

unmapped as (

    select 'count_types' as vocabulary, source_file as sheet, count_type_raw as raw_value
    from {{ ref('int_print_services_conformed') }}
    where count_type_raw is not null and count_type is null

    union all

    select 'funding_rounds', source_file, funding_round_raw
    from {{ ref('int_fundings_conformed') }}
    where funding_round_raw is not null and not is_funding_round_mapped

    union all

    select 'company_roles', source_file, category_raw
    from {{ ref('int_company_roles_conformed') }}
    where category_raw is not null and not is_category_mapped

    union all

    select 'material_types', source_file, material_type_raw
    from {{ ref('int_print_services_conformed') }}
    where material_type_raw is not null and not is_material_type_mapped
    union all
    select 'material_types', source_file, material_type_raw
    from {{ ref('int_systems_mfrs_conformed') }}
    where material_type_raw is not null and not is_material_type_mapped
    union all
    select 'material_types', source_file, material_type_raw
    from {{ ref('int_pricing_conformed') }}
    where material_type_raw is not null and not is_material_type_mapped

    union all

    select 'material_formats', source_file, material_format_raw
    from {{ ref('int_print_services_conformed') }}
    where material_format_raw is not null and material_format is null
    union all
    select 'material_formats', source_file, material_format_raw
    from {{ ref('int_systems_mfrs_conformed') }}
    where material_format_raw is not null and material_format is null

    union all

    select 'process_codes', conformed.source_file, part
    from (
        select source_file, process_raw from {{ ref('int_print_services_conformed') }}
        union all
        select source_file, process_raw from {{ ref('int_systems_mfrs_conformed') }}
        union all
        select source_file, process_raw from {{ ref('int_pricing_conformed') }}
    ) as conformed
    inner join {{ ref('int_process_values') }} as process_values
        on process_values.process_raw = conformed.process_raw
    cross join lateral unnest(process_values.unmapped_parts) as part

    union all

    select 'countries', source_file, country_raw
    from {{ ref('int_company_mentions') }}
    where country_raw is not null and country_code is null and role <> 'existing_company'
    union all
    select 'countries', source_file, country_raw
    from {{ ref('int_mergers_acquisitions_conformed') }}
    where country_raw is not null and country_code is null
    union all
    select 'countries', source_file, country_raw
    from {{ ref('int_market_data_conformed') }}
    where country_raw is not null and country_code is null

),

final as (

    select
        vocabulary,
        sheet,
        raw_value,
        count(*) as rows
    from unmapped
    group by vocabulary, sheet, raw_value

)

select * from final
