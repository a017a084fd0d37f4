{#- Every distinct value that a vocabulary or reference seed did not recognise, per sheet, with its
    row count: the to-do list of whoever maintains the seeds. The rows were kept (warn level).
    What counts as unmapped is `unmapped(<vocabulary>)` (macros/validation.sql), the condition of
    the sheet models' `<vocabulary>_unmapped` warnings. -#}

{#- (vocabulary seed, sheet model, vocabulary as `unmapped` knows it: its raw column is `<it>_raw`) -#}
{%- set mapped_columns = [
    ('count_types', 'int_print_services_conformed', 'count_type'),
    ('funding_rounds', 'int_fundings_conformed', 'funding_round'),
    ('company_roles', 'int_company_roles_conformed', 'category'),
    ('material_types', 'int_print_services_conformed', 'material_type'),
    ('material_types', 'int_systems_mfrs_conformed', 'material_type'),
    ('material_types', 'int_pricing_conformed', 'material_type'),
    ('material_formats', 'int_print_services_conformed', 'material_format'),
    ('material_formats', 'int_systems_mfrs_conformed', 'material_format'),
    ('countries', 'int_mergers_acquisitions_conformed', 'country'),
    ('countries', 'int_market_data_conformed', 'country'),
] -%}

with

unmapped as (

    {% for vocabulary_seed, model_name, vocabulary in mapped_columns %}
        select
            '{{ vocabulary_seed }}' as vocabulary,
            source_file as sheet,
            {{ vocabulary }}_raw as raw_value
        from {{ ref(model_name) }}
        where {{ unmapped(vocabulary) }}

        union all
    {% endfor %}

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
    where {{ unmapped('country') }} and role <> 'existing_company'

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
