{#-
    Excel serial day number (1900 date system) -> date. Day 1 is 1900-01-01, but Excel counts the
    non-existent 1900-02-29, so from day 61 on the serial is days since 1899-12-30
    (45856 = 2025-07-18). Serials before 61 or past 9999-12-31 are not dates here -> null.
-#}
{% macro excel_serial_to_date(expr) -%}
    (
        select case when serial between 61 and 2958465
            then date '1899-12-30' + cast(serial as integer) end
        from (select {{ try_integer(expr) }} as serial offset 0) as parsed
    )
{%- endmacro %}

{#- `Jan` / `january` / `Jan.` -> 1 … 12; anything else -> null. -#}
{% macro month_number(expr) -%}
    case
        when lower({{ clean_text(expr) }}) ~ '^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?$'
            then array_position(
                array['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
                left(lower({{ clean_text(expr) }}), 3)
            )
    end
{%- endmacro %}

{#-
    `Feb 24` (month name, two-digit year) -> 2024-02-01, the first of the month; the caller records
    `date_precision = 'month'`. Two-digit years are read as 20YY (the export covers 2014-2034).
-#}
{% macro month_year_to_date(expr) -%}
    case
        when lower({{ clean_text(expr) }}) ~ '^[a-z]+\.? [0-9]{2}$'
            and {{ month_number("split_part(" ~ clean_text(expr) ~ ", ' ', 1)") }} is not null
            then make_date(
                2000 + cast(split_part({{ clean_text(expr) }}, ' ', 2) as integer),
                {{ month_number("split_part(" ~ clean_text(expr) ~ ", ' ', 1)") }},
                1
            )
    end
{%- endmacro %}
