{#-
    Money written as text, possibly with a currency: `12.5`, `£0.6`, `10.0 PLN`, `$3`, `" "`.
    `amount_number` returns the number, `amount_currency_token` the lower-case currency token before
    or after it (null when none: the column's own unit applies). Values of any other shape -> null
    number, which the caller reports.
-#}

{% macro amount_number(expr) -%}
    case
        when replace({{ clean_text(expr) }}, ',', '') ~ '^([^0-9 ]*) ?([0-9]+(\.[0-9]+)?) ?([^0-9 ]*)$'
            then cast(substring(replace({{ clean_text(expr) }}, ',', '') from '[0-9]+(?:\.[0-9]+)?') as numeric)
    end
{%- endmacro %}

{% macro amount_currency_token(expr) -%}
    case
        when replace({{ clean_text(expr) }}, ',', '') ~ '^([^0-9 ]*) ?([0-9]+(\.[0-9]+)?) ?([^0-9 ]*)$'
            then nullif(lower(regexp_replace(replace({{ clean_text(expr) }}, ',', ''), '[0-9.]+|\s', '', 'g')), '')
    end
{%- endmacro %}
