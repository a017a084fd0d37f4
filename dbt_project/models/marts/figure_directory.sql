{#- The catalogue of market figures the app shows (Directory.json). -#}

with

directory as (

    select * from {{ ref('int_directory_conformed') }}
    where row_outcome = 'published'

),

final as (

    select
        {{ source_row_id() }} as id,
        figure_name,
        sheet_name,
        sheet_reference,
        release_marker,
        release_priority,
        notes,
        needs_further_work,
        source_file,
        source_row
    from directory

)

select * from final
