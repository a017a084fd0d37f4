{#- Dropped: `__EMPTY_1` … `__EMPTY_3` (notes and sheet links pasted beside the table).
    ` Past revenue (USD) ` holds the value whatever `Type` says (forecasts too): renamed `value_usd`. -#}

with

source as (

    select * from {{ source('vendor', 'total_am_market_size') }}

),

renamed as (

    select
        ---------- lineage
        _source_file as source_file,
        _source_row as source_row,
        _dlt_load_id as load_id,

        ---------- strings
        {{ clean_text('type') }} as figure_type,
        {{ clean_text('segment') }} as segment,

        ---------- numerics
        {{ clean_text('year') }} as year_raw,
        cast({{ try_integer('year') }} as integer) as year,
        {{ clean_text('past_revenue_usd') }} as value_raw,
        {{ denoise(try_numeric('past_revenue_usd'), 2) }} as value_usd

    from source

),

fingerprinted as (

    select
        *,
        {{ row_fingerprint(['figure_type', 'segment', 'year_raw', 'value_raw']) }} as row_fingerprint
    from renamed

)

select * from fingerprinted
