with

source as (

    select * from {{ source('vendor', 'mergers_acquisitions') }}

),

renamed as (

    select
        ---------- lineage
        _source_file as source_file,
        _source_row as source_row,
        _dlt_load_id as load_id,

        ---------- strings
        {{ clean_text('acquired_company') }} as acquired_company_name,
        {{ clean_text('acquiring_company') }} as acquiring_company_name,
        {{ clean_text('country') }} as country_raw,

        ---------- numerics (millions of USD)
        {{ clean_text('deal_size_usd_m') }} as deal_size_raw,
        {{ try_numeric('deal_size_usd_m') }} as deal_size_millions_usd_as_written,

        ---------- dates (`Feb 24` = February 2024)
        {{ clean_text('deal_date') }} as deal_date_raw,
        {{ month_year_to_date('deal_date') }} as announcement_date

    from source

),

fingerprinted as (

    select
        *,
        {{ row_fingerprint(['acquired_company_name', 'acquiring_company_name', 'country_raw',
            'deal_size_raw', 'deal_date_raw']) }} as row_fingerprint
    from renamed

)

select * from fingerprinted
