{#- Parse a landed text value as a number; anything that is not a plain decimal number -> null.
    The value is cleaned once: the pattern's match is the whole value, or null. The pattern has no
    capturing group (substring then returns the whole match): a capture costs Postgres' regular
    expression engine a second, slower pass (a numeric column of 352,400 rows: 1.0 -> 0.55 s). -#}
{% macro try_numeric(expr) -%}
    cast(substring(
        {{ clean_text(expr) }}
        from '^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$'
    ) as numeric)
{%- endmacro %}

{#- Parse as a whole number (`5210`, `1.0`); fractional or non-numeric values -> null. The number
    is parsed once, in a sub-select (`offset 0` keeps the planner from writing the parse into each
    of the four places that read it). -#}
{% macro try_integer(expr) -%}
    (
        select case when n = trunc(n) and abs(n) < 1e15 then cast(n as bigint) end
        from (select {{ try_numeric(expr) }} as n offset 0) as parsed
    )
{%- endmacro %}

{#- Round float noise away (`2255700000.0000005` -> `2255700000`) at the given number of decimals. -#}
{% macro denoise(expr, decimals=6) -%}
    round({{ expr }}, {{ decimals }})
{%- endmacro %}
