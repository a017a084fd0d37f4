{#-
    Select `column_name` from `relation`, or a typed null when this delivery lacks the key.

    Optional and artefact keys (e.g. `number_of_employees`, `material_format`, `empty_2`) are absent
    from a raw table when no row of the file carried them. Staging must still compile, so optional
    columns go through this macro. When the relation cannot be introspected (it does not exist yet,
    or it is a unit-test fixture) the column is selected as is.
-#}
{% macro source_column_or_null(relation, column_name, data_type='text') -%}
    {%- set ns = namespace(found=true) -%}
    {%- if execute -%}
        {%- set columns = adapter.get_columns_in_relation(relation) -%}
        {%- if columns | length > 0 -%}
            {%- set ns.found = column_name | lower in (columns | map(attribute='name') | map('lower') | list) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if ns.found -%}
        {{ column_name }}
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
