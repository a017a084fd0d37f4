{#- Whether the linkage stage has written `linkage.<table>` (it is optional: without a trained
    model the resolution falls back to the normalised-name rule and these checks have nothing to
    look at). -#}
{% macro linkage_table_exists(table) -%}
    {%- set relation = source('linkage', table) -%}
    {{ return(execute and adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier
    ) is not none) }}
{%- endmacro %}
