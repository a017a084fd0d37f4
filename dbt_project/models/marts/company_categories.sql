{#- One row per (company, category) from Company_roles.json; the company's first-listed role is primary. -#}
-- depends_on: {{ ref('companies') }}

with

roles as (

    select * from {{ ref('int_company_roles_conformed') }}
    where row_outcome = 'published'

),

final as (

    select
        {{ source_row_id() }} as id,
        company_id,
        category,
        row_number() over (partition by company_id order by source_row) = 1 as is_primary,
        company_type,
        'vendor:' || source_file as data_source,
        source_file,
        source_row
    from roles

),

timestamped as (

    select
        final.*,
        {{ app_timestamps('final', 'previous', ['company_id', 'category', 'is_primary']) }}
    from final
    left join {{ production_rows('company_categories') }} as previous
        on previous.production_id = final.id

)

select * from timestamped
