{#- Dropped: the chart-note key `Scattered plot with manufacturing cost vs delivery time`
    (a spreadsheet artefact, not data; it stays in raw). -#}
{%- set src = source('vendor', 'print_services_pricing') -%}

{% call stage_vendor_sheet(src, fingerprint=[
    'company_name', 'material_type_raw', 'specific_material', 'process_raw', 'country_raw',
    'quantity_raw', 'manufacturing_cost_raw', 'shipping_cost_raw', 'lead_time_raw',
    'day_ordered_raw', 'delivery_date_raw'
]) %}
        ---------- strings
        {{ clean_text('company_name') }} as company_name,
        {{ clean_text('material_type') }} as material_type_raw,
        {{ clean_text('material') }} as specific_material,
        {{ clean_text(source_column_or_null(src, 'process')) }} as process_raw,
        {{ clean_text('country') }} as country_raw,

        ---------- numerics (money in USD, as the sheet states)
        {{ clean_text('quantity') }} as quantity_raw,
        {{ try_integer('quantity') }} as quantity,
        {{ clean_text('manufacturing_cost') }} as manufacturing_cost_raw,
        {{ try_numeric('manufacturing_cost') }} as price_usd,
        {{ clean_text(source_column_or_null(src, 'shipping_cost')) }} as shipping_cost_raw,
        {{ try_numeric(source_column_or_null(src, 'shipping_cost')) }} as shipping_cost_usd,
        {{ clean_text('lead_time') }} as lead_time_raw,
        {{ try_integer('lead_time') }} as lead_time_days,

        ---------- dates (Excel serial day numbers)
        {{ clean_text('day_ordered') }} as day_ordered_raw,
        {{ excel_serial_to_date('day_ordered') }} as ordered_on,
        {{ clean_text('delivery_date') }} as delivery_date_raw,
        {{ excel_serial_to_date('delivery_date') }} as delivered_on
{% endcall %}
