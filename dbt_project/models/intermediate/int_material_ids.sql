{#-
    The id of every material name (lower-case): a material the app's production already has a row
    for keeps that row's id; the others get the derived `material:<name>` id (macros/ids.sql).
-#}

with

production as (

    select distinct on (lower({{ clean_text("record ->> 'name'") }}))
        lower({{ clean_text("record ->> 'name'") }}) as name_key,
        production_id
    from {{ app_production_rows('materials') }} as app_rows
    where {{ clean_text("record ->> 'name'") }} is not null
    order by lower({{ clean_text("record ->> 'name'") }}), source_row

)

select * from production
