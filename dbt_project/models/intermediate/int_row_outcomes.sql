{#- Every source row of every sheet with its single outcome (published | merged | quarantined),
    the rule that decided it, the offending value, and the warnings it was kept with. -#}

{%- set sheet_models = [
    'int_company_information_conformed',
    'int_company_roles_conformed',
    'int_print_services_conformed',
    'int_systems_mfrs_conformed',
    'int_pricing_conformed',
    'int_fundings_conformed',
    'int_mergers_acquisitions_conformed',
    'int_market_data_conformed',
    'int_directory_conformed',
] -%}

with

unioned as (

    {% for model_name in sheet_models %}
    select
        source_file,
        source_row,
        row_outcome,
        outcome_rule,
        outcome_value,
        duplicate_of_source_row,
        warning_rules
    from {{ ref(model_name) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unioned
