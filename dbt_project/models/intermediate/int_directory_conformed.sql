{#- One row per Directory.json row with its outcome. Figure names are unique in the app: a later
    row with the same name (case-insensitive) is merged into the first. -#}

with

directory as (

    select * from {{ ref('stg_vendor__directory') }}

),

validated as (

    select
        *,
        {{ quarantine_checks([
            ('figure_name_missing', 'figure_name is null', 'sheet_reference'),
        ]) }},
        array[]::text[] as warning_rules
    from directory

),

deduplicated as (

    select
        *,
        {{ row_outcome('lower(figure_name)') }}
    from validated

),

final as (

    select
        *,
        {{ row_outcome_columns('same_figure_name') }}
    from deduplicated

)

select * from final
