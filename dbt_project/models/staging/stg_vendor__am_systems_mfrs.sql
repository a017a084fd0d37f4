{%- set src = source('vendor', 'am_systems_mfrs') -%}

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
        {{ clean_text('process') }} as process_raw,
        {{ clean_text(source_column_or_null(src, 'material_type')) }} as material_type_raw,
        {{ clean_text(source_column_or_null(src, 'material_format')) }} as material_format_raw,
        {{ clean_text(source_column_or_null(src, 'country')) }} as country_raw

    from source

),

fingerprinted as (

    select
        *,
        {{ row_fingerprint(['company_name', 'segment', 'process_raw', 'material_type_raw',
            'material_format_raw', 'country_raw']) }} as row_fingerprint
    from renamed

)

select * from fingerprinted
