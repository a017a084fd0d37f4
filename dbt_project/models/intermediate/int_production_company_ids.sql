{#-
    Every company id production held -> the id of the company it is published as: its own id
    (kept), or, when linkage put two production companies together, the surviving one's (see
    audit.production_merges). Rows production holds that point at a company (equipment, …) are
    re-pointed through this table.
-#}

with

existing as (

    select * from {{ ref('int_existing_company_mentions') }}
    where production_id is not null

),

mentions as (

    select * from {{ ref('int_company_mentions') }}

),

resolution as (

    select * from {{ ref('int_company_resolution') }}

),

production_companies as (

    select distinct on (existing.production_id)
        existing.production_id,
        resolution.company_id
    from existing
    inner join mentions
        on mentions.source_file = existing.source_file
        and mentions.source_row = existing.source_row
        and mentions.role = 'existing_company'
    inner join resolution on resolution.mention_key = mentions.mention_key
    order by existing.production_id, existing.source_row

),

migration_companies as (

    -- companies an earlier migration built from the export keep their (derived) id
    select production_id, production_id as company_id
    from {{ ref('stg_production__rows') }}
    where production_table = 'companies' and is_migration_output and production_id is not null

),

final as (

    select production_id, company_id, production_id <> company_id as is_merged
    from production_companies
    union all
    select production_id, company_id, false
    from migration_companies
    where production_id not in (select production_id from production_companies)

)

select * from final
