{#-
    The id of every material name (lower-case): a material the app's production already has a row
    for keeps that row's id; the others get the derived `material:<name>` id (macros/ids.sql).
-#}

with

production as (

    select distinct on (lower({{ clean_text("record ->> 'name'") }}))
        lower({{ clean_text("record ->> 'name'") }}) as name_key,
        production_id
    from {{ ref('stg_production__rows') }}
    where production_table = 'materials' and not is_migration_output
        and production_id is not null and {{ clean_text("record ->> 'name'") }} is not null
    order by lower({{ clean_text("record ->> 'name'") }}), source_row

)

select * from production
