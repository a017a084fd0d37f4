{#- Quarantine: every source row held back from the marts, with the rule, the offending value and
    the row exactly as it was landed. Nothing is dropped silently. -#}

with

outcomes as (

    select * from {{ ref('int_row_outcomes') }}
    where row_outcome = 'quarantined'

),

raw_rows as (

    select * from {{ ref('int_raw_rows') }}

),

rules as (

    select * from {{ ref('validation_rules') }}

),

final as (

    select
        outcomes.source_file as sheet,
        outcomes.source_row,
        outcomes.outcome_rule as rule,
        rules.description as rule_description,
        outcomes.outcome_value as offending_value,
        raw_rows.raw_record
    from outcomes
    left join raw_rows
        on raw_rows.source_file = outcomes.source_file
        and raw_rows.source_row = outcomes.source_row
    left join rules on rules.rule = outcomes.outcome_rule

)

select * from final
