{#- Dropped: `__EMPTY_1` … `__EMPTY_4` (notes and a filter legend pasted beside the table). -#}

with

source as (

    select * from {{ source('vendor', 'am_market_revenue_2024') }}

),

renamed as (

    select
        ---------- lineage
        _source_file as source_file,
        _source_row as source_row,
        _dlt_load_id as load_id,

        ---------- strings
        {{ clean_text('country') }} as country_raw,
        {{ clean_text('segment') }} as segment,

        ---------- numerics
        {{ clean_text('revenue_usd') }} as revenue_raw,
        {{ denoise(try_numeric('revenue_usd'), 2) }} as revenue_usd

    from source

),

fingerprinted as (

    select
        *,
        {{ row_fingerprint(['country_raw', 'segment', 'revenue_raw']) }} as row_fingerprint
    from renamed

)

select * from fingerprinted
