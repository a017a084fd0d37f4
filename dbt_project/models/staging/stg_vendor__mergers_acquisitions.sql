{%- set src = source('vendor', 'mergers_acquisitions') -%}

{% call stage_vendor_sheet(src, fingerprint=[
    'acquired_company_name', 'acquiring_company_name', 'country_raw', 'deal_size_raw',
    'deal_date_raw'
]) %}
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
{% endcall %}
