{#-
    Row validation, the same shape in every sheet model. Each rule's name, sheet and action
    (quarantine | warn) is listed in seeds/validation_rules.csv; a test checks that every rule a
    model emits is listed there.

    quarantine_checks([(rule, condition, offending_value), ...])
        -> quarantine_rule, quarantine_value: the first failing rule (in list order) and its value.
    warning_checks([(rule, condition), ...])
        -> warning_rules text[]: every failing warn-level rule (the row is kept).
    row_outcome(partition_by)
        -> duplicate_of_source_row, row_outcome ('published' | 'merged' | 'quarantined'),
           outcome_rule. Rows that pass and share `partition_by` with an earlier row are merged
           into the earliest one.
    with_row_outcomes(relation, partition_by, ...)
        -> both outcome steps over `relation`, as one select (the tail of a sheet model).
    company_name_checks()
        -> the quarantine rules every single-company sheet starts with.
-#}

{% macro company_name_checks(name='company_name', company_id='company_id') -%}
    {{ return([
        ('company_name_too_long', 'length(' ~ name ~ ') >= ' ~ var('company_name_max_length'), 'left(' ~ name ~ ', 80)'),
        ('company_name_missing', company_id ~ ' is null', name),
    ]) }}
{%- endmacro %}

{% macro quarantine_checks(checks) -%}
    case
        {%- for rule, condition, value in checks %}
        when {{ condition }} then '{{ rule }}'
        {%- endfor %}
    end as quarantine_rule,
    case
        {%- for rule, condition, value in checks %}
        when {{ condition }} then cast({{ value }} as text)
        {%- endfor %}
    end as quarantine_value
{%- endmacro %}

{% macro warning_checks(checks) -%}
    array_remove(array[
        {%- for rule, condition in checks %}
        case when {{ condition }} then '{{ rule }}' end{{ "," if not loop.last }}
        {%- endfor %}
    ]::text[], null) as warning_rules
{%- endmacro %}

{% macro row_outcome(partition_by, merge_rule='exact_duplicate') -%}
    case
        when quarantine_rule is null
            then min(source_row) over (partition by (quarantine_rule is null), {{ partition_by }})
    end as first_source_row
{%- endmacro %}

{#- Second step (needs first_source_row from the step above). `merges` lists extra
    (rule, condition) pairs under which a passing row is merged rather than published. -#}
{% macro row_outcome_columns(merge_rule='exact_duplicate', merges=[]) -%}
    case when first_source_row <> source_row then first_source_row end as duplicate_of_source_row,
    case
        when quarantine_rule is not null then 'quarantined'
        {%- for rule, condition in merges %}
        when {{ condition }} then 'merged'
        {%- endfor %}
        when first_source_row <> source_row then 'merged'
        else 'published'
    end as row_outcome,
    case
        when quarantine_rule is not null then quarantine_rule
        {%- for rule, condition in merges %}
        when {{ condition }} then '{{ rule }}'
        {%- endfor %}
        when first_source_row <> source_row then '{{ merge_rule }}'
    end as outcome_rule,
    case when quarantine_rule is not null then quarantine_value end as outcome_value
{%- endmacro %}

{#- Both steps over `relation`: every column of it plus first_source_row and the outcome columns. -#}
{% macro with_row_outcomes(relation, partition_by, merge_rule='exact_duplicate', merges=[]) -%}
    select
        *,
        {{ row_outcome_columns(merge_rule, merges) }}
    from (
        select
            *,
            {{ row_outcome(partition_by) }}
        from {{ relation }}
    ) as deduplicated
{%- endmacro %}
