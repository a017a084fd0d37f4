with

source as (

    select * from {{ source('vendor', 'company_roles') }}

),

renamed as (

    select
        ---------- lineage
        _source_file as source_file,
        _source_row as source_row,
        _dlt_load_id as load_id,

        ---------- strings
        {{ clean_text('company_name') }} as company_name,
        {{ clean_text('category') }} as category_raw

    from source

),

fingerprinted as (

    select
        *,
        {{ row_fingerprint(['company_name', 'category_raw']) }} as row_fingerprint
    from renamed

)

select * from fingerprinted
