{#- Dropped: `__EMPTY_1` … `__EMPTY_3` (notes and sheet links pasted beside the table).
    ` Past revenue (USD) ` holds the value whatever `Type` says (forecasts too): renamed `value_usd`. -#}
{%- set src = source('vendor', 'total_am_market_size') -%}

{% call stage_vendor_sheet(src, fingerprint=['figure_type', 'segment', 'year_raw', 'value_raw']) %}
        ---------- strings
        {{ clean_text('type') }} as figure_type,
        {{ clean_text('segment') }} as segment,

        ---------- numerics
        {{ clean_text('year') }} as year_raw,
        cast({{ try_integer('year') }} as integer) as year,
        {{ clean_text('past_revenue_usd') }} as value_raw,
        {{ denoise(try_numeric('past_revenue_usd'), 2) }} as value_usd
{% endcall %}
