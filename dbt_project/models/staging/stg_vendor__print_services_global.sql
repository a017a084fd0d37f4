{%- set src = source('vendor', 'print_services_global') -%}

{% call stage_vendor_sheet(src, fingerprint=[
    'company_name', 'segment', 'printer_manufacturer', 'printer_model', 'count_type_raw',
    'process_raw', 'material_type_raw', 'material_format_raw', 'country_raw',
    'printer_count_raw', 'update_year_raw'
]) %}
        ---------- strings
        {{ clean_text('company_name') }} as company_name,
        {{ clean_text('segment') }} as segment,
        {{ clean_text('printer_manufacturer') }} as printer_manufacturer,
        {{ clean_text(source_column_or_null(src, 'printer_model')) }} as printer_model,
        {{ clean_text('count_type') }} as count_type_raw,
        {{ clean_text(source_column_or_null(src, 'process')) }} as process_raw,
        {{ clean_text(source_column_or_null(src, 'material_type')) }} as material_type_raw,
        {{ clean_text(source_column_or_null(src, 'material_format')) }} as material_format_raw,
        {{ clean_text('country') }} as country_raw,

        ---------- numerics
        {{ clean_text('number_of_printers') }} as printer_count_raw,
        {{ try_integer('number_of_printers') }} as printer_count,
        {{ clean_text('update_year') }} as update_year_raw,
        {{ try_integer('update_year') }} as update_year
{% endcall %}
