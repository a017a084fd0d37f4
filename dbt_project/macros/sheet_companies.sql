{#-
    How a sheet row gets its company: the sheet's company mentions (int_company_mentions, one per
    row and name column) with the company each resolved to (int_company_resolution). A sheet model
    left-joins it on `source_row` (and `source_field` where the sheet names more than one company).
-#}
{% macro sheet_companies(sheet) -%}
    select
        mentions.*,
        resolution.company_key,
        resolution.company_id
    from {{ ref('int_company_mentions') }} as mentions
    left join {{ ref('int_company_resolution') }} as resolution
        on resolution.mention_key = mentions.mention_key
    where mentions.source_file = {{ sheet_file(sheet) }}
{%- endmacro %}
