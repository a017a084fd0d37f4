{%- set src = source('vendor', 'company_information') -%}

{% call stage_vendor_sheet(src, fingerprint=[
    'company_name', 'website_raw', 'headquarters_raw', 'parent_company_name',
    'public_stock_raw', 'employee_count_raw'
]) %}
        ---------- strings
        {{ clean_text('company_name') }} as company_name,
        {{ clean_text('website') }} as website_raw,
        {{ clean_text('headquarters') }} as headquarters_raw,
        {{ clean_text(source_column_or_null(src, 'owned_by_subsidiary_of')) }} as parent_company_name,
        {{ clean_text(source_column_or_null(src, 'public_stock')) }} as public_stock_raw,

        ---------- numerics
        {{ clean_text(source_column_or_null(src, 'number_of_employees')) }} as employee_count_raw,
        {{ try_integer(source_column_or_null(src, 'number_of_employees')) }} as employee_count
{% endcall %}
