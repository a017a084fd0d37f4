{%- set src = source('vendor', 'am_systems_mfrs') -%}

{% call stage_vendor_sheet(src, fingerprint=[
    'company_name', 'segment', 'process_raw', 'material_type_raw', 'material_format_raw',
    'country_raw'
]) %}
        ---------- strings
        {{ clean_text('company_name') }} as company_name,
        {{ clean_text('segment') }} as segment,
        {{ clean_text('process') }} as process_raw,
        {{ clean_text(source_column_or_null(src, 'material_type')) }} as material_type_raw,
        {{ clean_text(source_column_or_null(src, 'material_format')) }} as material_format_raw,
        {{ clean_text(source_column_or_null(src, 'country')) }} as country_raw
{% endcall %}
