{#- Dropped: `__EMPTY` (an editorial marker beside the table, e.g. `v1`). -#}
{%- set src = source('vendor', 'directory') -%}

{% call stage_vendor_sheet(src, fingerprint=[
    'figure_name', 'sheet_reference', 'release_marker', 'notes', 'needs_further_work'
]) %}
        ---------- strings
        {{ clean_text('figure_name') }} as figure_name,
        {{ clean_text('sheet_name_and_link') }} as sheet_reference,
        -- `Sheet'!A1` -> `Sheet`
        nullif(regexp_replace({{ clean_text('sheet_name_and_link') }}, '''?!.*$', ''), '') as sheet_name,
        {{ clean_text('v1') }} as release_marker,
        {{ clean_text(source_column_or_null(src, 'notes')) }} as notes,
        {{ clean_text(source_column_or_null(src, 'needs_further_work')) }} as needs_further_work,

        ---------- numerics: V1 holds a release priority 1-5 or a note
        case
            when {{ try_integer('v1') }} between 1 and 9 then cast({{ try_integer('v1') }} as integer)
        end as release_priority
{% endcall %}
