{#- Warn-level findings: rows kept in the marts with a warning, one row per (row, rule). -#}

with

outcomes as (

    select * from {{ ref('int_row_outcomes') }}
    where row_outcome <> 'quarantined'

),

exploded as (

    select
        outcomes.source_file as sheet,
        outcomes.source_row,
        outcomes.row_outcome,
        warning.rule
    from outcomes
    cross join lateral unnest(outcomes.warning_rules) as warning(rule)

),

final as (

    select
        exploded.*,
        rules.description as rule_description
    from exploded
    left join {{ ref('validation_rules') }} as rules on rules.rule = exploded.rule

)

select * from final
