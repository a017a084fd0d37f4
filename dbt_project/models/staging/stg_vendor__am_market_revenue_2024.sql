{#- Dropped: `__EMPTY_1` … `__EMPTY_4` (notes and a filter legend pasted beside the table). -#}
{%- set src = source('vendor', 'am_market_revenue_2024') -%}

{% call stage_vendor_sheet(src, fingerprint=['country_raw', 'segment', 'revenue_raw']) %}
        ---------- strings
        {{ clean_text('country') }} as country_raw,
        {{ clean_text('segment') }} as segment,

        ---------- numerics
        {{ clean_text('revenue_usd') }} as revenue_raw,
        {{ denoise(try_numeric('revenue_usd'), 2) }} as revenue_usd
{% endcall %}
