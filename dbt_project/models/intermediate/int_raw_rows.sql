{#- Every landed row of every sheet as one JSON record (sheet columns only), for counting and for
    showing a quarantined row exactly as it arrived. -#}
{%- set sheets = vendor_sheets() -%}

with

unioned as (

    {% for table_name, file_name in sheets %}
    select
        '{{ file_name }}' as sheet_file,
        '{{ table_name }}' as raw_table,
        raw_row._source_file as source_file,
        raw_row._source_row as source_row,
        to_jsonb(raw_row) - '_source_file' - '_source_row' - '_dlt_load_id' - '_dlt_id' as raw_record
    from {{ source('vendor', table_name) }} as raw_row
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unioned
