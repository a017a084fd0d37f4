{#-
    dbt-postgres's get_columns_in_relation, with one change: array columns report their element
    type (`text[]`) instead of information_schema's bare `ARRAY`. Without it a unit test cannot
    build a fixture for a model with an array column (int_company_mentions.name_tokens): dbt would
    emit `cast(null as ARRAY)`.
-#}
{% macro postgres__get_columns_in_relation(relation) -%}
  {% call statement('get_columns_in_relation', fetch_result=True) %}
      select
          column_name,
          case
              when data_type = 'ARRAY' then ltrim(udt_name, '_') || '[]'
              else data_type
          end as data_type,
          character_maximum_length,
          numeric_precision,
          numeric_scale

      from {{ relation.information_schema('columns') }}
      where table_name = '{{ relation.identifier }}'
        {% if relation.schema %}
        and table_schema = '{{ relation.schema }}'
        {% endif %}
      order by ordinal_position

  {% endcall %}
  {% set table = load_result('get_columns_in_relation').table %}
  {{ return(sql_convert_columns_in_relation(table)) }}
{% endmacro %}
