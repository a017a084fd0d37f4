{#-
    The id of every technology: a process the app's production already has a row for keeps that
    row's id (matched on the code, an alias or the process name, case-insensitively); the others
    get the derived `technology:<code>` id. Production technologies that match no process, or a
    process another production row already took, stay as they are (`code` null here; the
    technologies mart carries them).
-#}

with

process_codes as (

    select * from {{ ref('process_codes') }}

),

process_aliases as (

    select * from {{ ref('process_aliases') }}

),

production as (

    select
        production_id,
        source_row,
        lower({{ clean_text("record ->> 'name'") }}) as name_key
    from {{ app_production_rows('technologies') }} as app_rows

),

matched as (

    select
        production.production_id,
        production.source_row,
        coalesce(by_code.process_code, by_alias.process_code, by_name.process_code) as code
    from production
    left join process_codes as by_code on lower(by_code.process_code) = production.name_key
    left join process_aliases as by_alias on lower(by_alias.alias) = production.name_key
    left join process_codes as by_name on lower(by_name.process_name) = production.name_key

),

kept as (

    select distinct on (code) code, production_id
    from matched
    where code is not null
    order by code, source_row

),

final as (

    select
        process_codes.process_code as code,
        coalesce(kept.production_id, {{ stable_uuid("'technology:' || process_codes.process_code") }})
            as id,
        kept.production_id
    from process_codes
    left join kept on kept.code = process_codes.process_code

)

select * from final
