{#- Companies production held that linkage joined to another production company: which was merged
    into which (the survivor keeps its id; the merged one's rows point at the survivor). -#}

with

company_ids as (

    select * from {{ ref('int_production_company_ids') }}
    where is_merged

),

production as (

    select * from {{ ref('stg_production__rows') }}
    where production_table = 'companies'

),

final as (

    select
        company_ids.production_id as merged_company_id,
        merged.record ->> 'name' as merged_company_name,
        company_ids.company_id as into_company_id,
        survivor.name as into_company_name
    from company_ids
    left join production as merged on merged.production_id = company_ids.production_id
    left join {{ ref('companies') }} as survivor on survivor.id = company_ids.company_id

)

select * from final
