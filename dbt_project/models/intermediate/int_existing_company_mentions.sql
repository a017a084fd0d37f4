{#-
    The companies production already holds, as company mentions: each is linked like any vendor
    mention, and the company its cluster forms keeps the production id (int_company_resolution).
    Rows an earlier migration built from the export are not mentions: the export rebuilds them.
-#}

with

production_companies as (

    select * from {{ ref('stg_production__rows') }}
    where production_table = 'companies' and not is_migration_output

),

final as (

    select
        source_file,
        source_row,
        'name' as source_field,
        {{ clean_text("record ->> 'name'") }} as source_name,
        'existing_company' as role,
        {{ clean_text("record ->> 'country'") }} as country_raw,
        {{ clean_text("record ->> 'website'") }} as website_raw,
        production_id
    from production_companies

)

select * from final
