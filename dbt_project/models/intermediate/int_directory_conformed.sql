{#- One row per Directory.json row with its outcome. Figure names are unique in the app: a later
    row with the same name (case-insensitive) is merged into the first. -#}

with

directory as (

    select * from {{ ref('stg_vendor__directory') }}

),

final as (

    {{ sheet_row_outcomes('directory',
        quarantine=[
            ('figure_name_missing', 'figure_name is null', 'sheet_reference'),
        ],
        warnings=[],
        partition_by='lower(figure_name)', merge_rule='same_figure_name') }}

)

select * from final
