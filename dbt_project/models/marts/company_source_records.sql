{#- The crosswalk: exactly one row per company mention in every sheet, with the company it was
    resolved to — the lineage a steward reads to see why a company exists. -#}
-- depends_on: {{ ref('companies') }}

with

mentions as (

    select * from {{ ref('int_company_mentions') }}
    where role <> 'existing_company'  -- not a vendor row: production's own row is in companies

),

resolution as (

    select * from {{ ref('int_company_resolution') }}

),

final as (

    select
        {{ stable_uuid('mentions.mention_key') }} as id,
        resolution.company_id,
        mentions.mention_key,
        mentions.source_file,
        mentions.source_row,
        mentions.source_field,
        mentions.source_name,
        mentions.cleaned_name,
        mentions.role,
        resolution.resolution_method
    from mentions
    inner join resolution on resolution.mention_key = mentions.mention_key

)

select * from final
