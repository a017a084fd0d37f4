{%- set src = source('vendor', 'company_information') -%}

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
        {{ clean_text('website') }} as website_raw,
        {{ clean_text('headquarters') }} as headquarters_raw,
        {{ clean_text(source_column_or_null(src, 'owned_by_subsidiary_of')) }} as parent_company_name,
        {{ clean_text(source_column_or_null(src, 'public_stock')) }} as public_stock_raw,

        ---------- numerics
        {{ clean_text(source_column_or_null(src, 'number_of_employees')) }} as employee_count_raw,
        {{ try_integer(source_column_or_null(src, 'number_of_employees')) }} as employee_count

    from source

),

fingerprinted as (

    select
        *,
        {{ row_fingerprint(['company_name', 'website_raw', 'headquarters_raw',
            'parent_company_name', 'public_stock_raw', 'employee_count_raw']) }} as row_fingerprint
    from renamed

)

select * from fingerprinted
