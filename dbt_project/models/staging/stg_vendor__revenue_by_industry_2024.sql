{#- Dropped: `__EMPTY_1` … `__EMPTY_4` (notes and a filter legend pasted beside the table). -#}
{%- set src = source('vendor', 'revenue_by_industry_2024') -%}

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
        {{ clean_text('industry') }} as industry_raw,
        {{ sentence_case('industry') }} as industry,
        {{ clean_text('region') }} as region,
        {{ clean_text('material') }} as material,

        ---------- numerics
        {{ clean_text('share_of_revenue_pct') }} as share_raw,
        {{ try_numeric('share_of_revenue_pct') }} as share_of_revenue_pct,
        {{ clean_text(source_column_or_null(src, 'revenue_usd')) }} as revenue_raw,
        {{ denoise(try_numeric(source_column_or_null(src, 'revenue_usd')), 2) }} as revenue_usd

    from source

),

fingerprinted as (

    select
        *,
        {{ row_fingerprint(['industry_raw', 'region', 'material', 'share_raw', 'revenue_raw']) }}
            as row_fingerprint
    from renamed

)

select * from fingerprinted
