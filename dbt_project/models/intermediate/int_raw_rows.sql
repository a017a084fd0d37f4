{#- Every landed row of every sheet as one JSON record (sheet columns only), for counting and for
    showing a quarantined row exactly as it arrived. -#}
{%- set sheets = [
    ('company_information', 'Company_information.json'),
    ('company_roles', 'Company_roles.json'),
    ('print_services_global', 'COMPANY___Print_services_global.json'),
    ('am_systems_mfrs', 'COMPANY___AM_systems_mfrs.json'),
    ('print_services_pricing', 'Print_services_Pricing_data.json'),
    ('fundings_and_investments', 'Fundings_and_investments.json'),
    ('mergers_acquisitions', 'M_A.json'),
    ('am_market_revenue_2024', 'AM_market_revenue_2024.json'),
    ('revenue_by_industry_2024', 'Revenue_by_industry_2024.json'),
    ('total_am_market_size', 'Total_AM_market_size.json'),
    ('directory', 'Directory.json'),
] -%}

with

unioned as (

    {% for table_name, file_name in sheets %}
    select
        '{{ file_name }}' as sheet_file,
        '{{ table_name }}' as raw_table,
        raw_row._source_file as source_file,
        raw_row._source_row as source_row,
        to_jsonb(raw_row) - '_source_file' - '_source_row' - '_dlt_load_id' - '_dlt_id' as raw_record
    from {{ source('vendor', table_name) }} as raw_row
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unioned
