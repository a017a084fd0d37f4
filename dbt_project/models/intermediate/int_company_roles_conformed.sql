{#- One row per role row (Company_roles.json): company, category from the company_roles seed, outcome. -#}

with

company_roles as (

    select * from {{ ref('stg_vendor__company_roles') }}

),

roles_vocabulary as (

    select * from {{ ref('company_roles') }}

),

mentions as (

    select * from {{ ref('int_company_mentions') }}
    where source_file = {{ sheet_file('company_roles') }}

),

resolution as (

    select * from {{ ref('int_company_resolution') }}

),

joined as (

    select
        company_roles.*,
        mentions.mention_key,
        resolution.company_key,
        resolution.company_id,
        coalesce(roles_vocabulary.category, {{ sentence_case('company_roles.category_raw') }})
            as category,
        coalesce(roles_vocabulary.company_type, 'other') as company_type,
        roles_vocabulary.category is not null as is_category_mapped
    from company_roles
    left join mentions
        on mentions.source_row = company_roles.source_row
    left join resolution on resolution.mention_key = mentions.mention_key
    left join roles_vocabulary
        on roles_vocabulary.raw_value = {{ vocabulary_key('company_roles.category_raw') }}

),

validated as (

    select
        *,
        {{ quarantine_checks([
            ('company_name_too_long', 'length(company_name) >= ' ~ var('company_name_max_length'), 'left(company_name, 80)'),
            ('company_name_missing', 'company_id is null', 'company_name'),
        ]) }},
        {{ warning_checks([
            ('category_unmapped', 'category_raw is not null and not is_category_mapped'),
        ]) }}
    from joined

),

deduplicated as (

    select
        *,
        {{ row_outcome("company_key, coalesce(category, '')") }}
    from validated

),

final as (

    select
        *,
        {{ row_outcome_columns('same_company_category',
            merges=[('category_missing', 'category is null')]) }}
    from deduplicated

)

select * from final
