{%- set src = source('vendor', 'company_roles') -%}

{% call stage_vendor_sheet(src, fingerprint=['company_name', 'category_raw']) %}
        ---------- strings
        {{ clean_text('company_name') }} as company_name,
        {{ clean_text('category') }} as category_raw
{% endcall %}
