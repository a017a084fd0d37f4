{# Generated from loaders/sheets.py and loaders/production.py by `python -m loaders.dbt_sources`: do not edit. #}

{% macro vendor_sheets() %}
    {#- (raw table, file name) of every vendor sheet, in the registry's order -#}
    {{ return([
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
        ('directory', 'Directory.json')
    ]) }}
{% endmacro %}

{% macro sheet_file(table) %}
    {#- The file a vendor sheet's rows come from, as a SQL string literal (a model filters its
        rows by `source_file = {{ sheet_file('company_roles') }}`, never by a written name) -#}
    {%- for name, file_name in vendor_sheets() if name == table -%}
        '{{ file_name }}'
    {%- else -%}
        {{ exceptions.raise_compiler_error("sheet_file: no vendor sheet '" ~ table ~ "'") }}
    {%- endfor -%}
{% endmacro %}

{% macro production_tables() %}
    {#- The app tables production is read from (source `production`, `production__<table>`) -#}
    {{ return(['companies', 'company_categories', 'equipment', 'investments', 'market_data', 'materials', 'mergers_acquisitions', 'service_pricing', 'technologies']) }}
{% endmacro %}
