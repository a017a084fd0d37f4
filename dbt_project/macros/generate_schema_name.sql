{#-
    Custom schemas are used verbatim (`staging`, `intermediate`, `public`, `audit`, `reference`),
    not prefixed with the target schema as dbt does by default: the app reads `public` by name.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
