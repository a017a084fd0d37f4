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
    sheet_row_outcomes(relation, quarantine, warnings, partition_by, ...)
        -> the tail of a sheet model: the checks and both outcome steps over `relation`, as one
           select.
    company_name_checks()
        -> the quarantine rules every single-company sheet starts with.
    unmapped(vocabulary) / unmapped_warnings([vocabulary, ...])
        -> when a value written in a sheet counts as unmapped by its vocabulary or reference seed
           (also what audit.unmapped_values lists), and the `<vocabulary>_unmapped` warnings.
-#}

{% macro unmapped(vocabulary) -%}
    {%- set conditions = {
        'count_type': 'count_type_raw is not null and count_type is null',
        'funding_round': 'funding_round_raw is not null and not is_funding_round_mapped',
        'category': 'category_raw is not null and not is_category_mapped',
        'process': 'has_unmapped_process',
        'material_type': 'material_type_raw is not null and not is_material_type_mapped',
        'material_format': 'material_format_raw is not null and material_format is null',
        'country': 'country_raw is not null and country_code is null',
    } -%}
    {%- if vocabulary not in conditions -%}
    {{ exceptions.raise_compiler_error("unmapped: no vocabulary '" ~ vocabulary ~ "'") }}
    {%- endif -%}
    {{ return(conditions[vocabulary]) }}
{%- endmacro %}

{% macro unmapped_warnings(vocabularies) -%}
    {%- set checks = [] -%}
    {%- for vocabulary in vocabularies -%}
    {%- do checks.append((vocabulary ~ '_unmapped', unmapped(vocabulary))) -%}
    {%- endfor -%}
    {{ return(checks) }}
{%- endmacro %}

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

{#- The tail of a sheet model: every column of `relation`, the quarantine and warning checks, then
    both outcome steps. -#}
{% macro sheet_row_outcomes(relation, quarantine, warnings, partition_by, merge_rule='exact_duplicate', merges=[]) -%}
    select
        *,
        {{ row_outcome_columns(merge_rule, merges) }}
    from (
        select
            *,
            {{ row_outcome(partition_by) }}
        from (
            select
                *,
                {{ quarantine_checks(quarantine) }},
                {{ warning_checks(warnings) }}
            from {{ relation }}
        ) as validated
    ) as deduplicated
{%- endmacro %}
