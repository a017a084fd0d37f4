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

final as (

    {{ with_row_outcomes('validated', 'lower(figure_name)', 'same_figure_name') }}

)

select * from final
