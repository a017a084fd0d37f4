{#- Parse a landed text value as a number; anything that is not a plain decimal number -> null. -#}
{% macro try_numeric(expr) -%}
    case
        when {{ clean_text(expr) }} ~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$'
            then cast({{ clean_text(expr) }} as numeric)
    end
{%- endmacro %}

{#- Parse as a whole number (`5210`, `1.0`); fractional or non-numeric values -> null. -#}
{% macro try_integer(expr) -%}
    case
        when {{ try_numeric(expr) }} = trunc({{ try_numeric(expr) }})
            and abs({{ try_numeric(expr) }}) < 1e15
            then cast({{ try_numeric(expr) }} as bigint)
    end
{%- endmacro %}

{#- Round float noise away (`2255700000.0000005` -> `2255700000`) at the given number of decimals. -#}
{% macro denoise(expr, decimals=6) -%}
    round({{ expr }}, {{ decimals }})
{%- endmacro %}
