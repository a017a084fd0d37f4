{#- Generic test: every row satisfies `expression` (after dbt_utils.expression_is_true). -#}
{% test expression_is_true(model, expression, where_clause=none) %}

select *
from {{ model }}
where not ({{ expression }})
{%- if where_clause %} and ({{ where_clause }}){% endif %}

{% endtest %}
