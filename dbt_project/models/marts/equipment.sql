{#-
    Equipment, one row per equipment row of `int_equipment_rows` (the export's two equipment
    sheets and what production already holds), with the app's timestamps.
-#}
-- depends_on: {{ ref('companies') }}
-- depends_on: {{ ref('technologies') }}
-- depends_on: {{ ref('materials') }}

with

equipment_rows as (

    select * from {{ ref('int_equipment_rows') }}

),

final as (

    select
        all_rows.*,
        {{ app_timestamps('all_rows', 'previous', ['company_id', 'manufacturer', 'model', 'count',
            'count_type', 'technology_id', 'material_id']) }}
    from equipment_rows as all_rows
    left join {{ production_rows('equipment') }} as previous on all_rows.id = previous.production_id

)

select * from final
