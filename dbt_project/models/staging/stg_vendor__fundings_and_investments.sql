{#- Dropped: `__EMPTY_2` (a spreadsheet note, not data; it stays in raw). -#}
{%- set src = source('vendor', 'fundings_and_investments') -%}

{% call stage_vendor_sheet(src, fingerprint=[
    'company_name', 'country_raw', 'funding_round_raw', 'lead_investor', 'amount_raw',
    'year_raw', 'month_raw'
]) %}
        ---------- strings
        {{ clean_text('company_name') }} as company_name,
        {{ clean_text('country') }} as country_raw,
        {{ clean_text(source_column_or_null(src, 'funding_round')) }} as funding_round_raw,
        {{ clean_text(source_column_or_null(src, 'lead_investor')) }} as lead_investor,

        ---------- amounts (millions; USD unless the value names another currency)
        {{ clean_text(source_column_or_null(src, 'amount_in_millions_usd')) }} as amount_raw,
        {{ amount_number(source_column_or_null(src, 'amount_in_millions_usd')) }} as original_amount_millions,
        {{ amount_currency_token(source_column_or_null(src, 'amount_in_millions_usd')) }} as currency_token,

        ---------- dates (Year + Month)
        {{ clean_text('year') }} as year_raw,
        cast({{ try_integer('year') }} as integer) as investment_year,
        {{ clean_text('month') }} as month_raw,
        {{ month_number('month') }} as investment_month
{% endcall %}
