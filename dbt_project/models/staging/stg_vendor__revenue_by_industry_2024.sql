{#- Dropped: `__EMPTY_1` … `__EMPTY_4` (notes and a filter legend pasted beside the table). -#}
{%- set src = source('vendor', 'revenue_by_industry_2024') -%}

{% call stage_vendor_sheet(src, fingerprint=[
    'industry_raw', 'region', 'material', 'share_raw', 'revenue_raw'
]) %}
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
{% endcall %}
