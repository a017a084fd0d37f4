{#-
    How a vendor sheet is staged: its landed table (`source`) renamed and cleaned (the caller's
    column list), with the lineage every staged row carries and the fingerprint of its as-written
    values (`fingerprint`: the cleaned source columns; rows with equal fingerprints are exact
    repeats). A staging model is

        {%- set src = source('vendor', '<table>') -%}
        {% call stage_vendor_sheet(src, fingerprint=['company_name', ...]) %}
            {{ clean_text('company_name') }} as company_name,
            ...
        {% endcall %}
-#}
{% macro stage_vendor_sheet(source_relation, fingerprint) -%}
with

source as (

    select * from {{ source_relation }}

),

renamed as (

    select
        ---------- lineage
        {{ vendor_lineage() }},

        {{ caller() | trim }}

    from source
    -- each staged column is computed once: without the fence the planner writes every column's
    -- expression again into the fingerprint and into each filter and join that reads it (25
    -- cleanings of a pricing row instead of 11); a reader's unused columns are still skipped
    offset 0

),

fingerprinted as (

    select
        *,
        {{ row_fingerprint(fingerprint) }} as row_fingerprint
    from renamed

)

select * from fingerprinted
{%- endmacro %}

{#- The lineage columns of a staged vendor row, renamed from the landing columns (loaders/land.py):
    the file and 0-based row it came from and the dlt load that landed it. -#}
{% macro vendor_lineage() -%}
    _source_file as source_file,
    _source_row as source_row,
    _dlt_load_id as load_id
{%- endmacro %}
