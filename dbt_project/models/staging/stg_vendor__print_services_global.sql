{%- set src = source('vendor', 'print_services_global') -%}

with

source as (

    select * from {{ src }}

),

renamed as (

    select
        ---------- lineage
        _source_file as source_file,
        _source_row as source_row,
        _dlt_load_id as load_id,

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

    from source

),

fingerprinted as (

    select
        *,
        {{ row_fingerprint(['company_name', 'segment', 'printer_manufacturer', 'printer_model',
            'count_type_raw', 'process_raw', 'material_type_raw', 'material_format_raw',
            'country_raw', 'printer_count_raw', 'update_year_raw']) }} as row_fingerprint
    from renamed

)

select * from fingerprinted
