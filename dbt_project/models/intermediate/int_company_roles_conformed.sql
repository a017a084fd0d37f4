{#- One row per role row (Company_roles.json): company, category from the company_roles seed, outcome. -#}

with

company_roles as (

    select * from {{ ref('stg_vendor__company_roles') }}

),

roles_vocabulary as (

    select * from {{ ref('company_roles') }}

),

companies as (

    {{ sheet_companies('company_roles') }}

),

joined as (

    select
        company_roles.*,
        companies.mention_key,
        companies.company_key,
        companies.company_id,
        coalesce(roles_vocabulary.category, {{ sentence_case('company_roles.category_raw') }})
            as category,
        coalesce(roles_vocabulary.company_type, 'other') as company_type,
        roles_vocabulary.category is not null as is_category_mapped
    from company_roles
    left join companies on companies.source_row = company_roles.source_row
    left join roles_vocabulary
        on roles_vocabulary.raw_value = {{ vocabulary_key('company_roles.category_raw') }}

),

final as (

    {{ sheet_row_outcomes('joined',
        quarantine=company_name_checks(),
        warnings=unmapped_warnings(['category']),
        partition_by="company_key, coalesce(category, '')", merge_rule='same_company_category',
        merges=[('category_missing', 'category is null')]) }}

)

select * from final
