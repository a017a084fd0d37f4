{#- Materials: the material categories of the vocabulary (Polymer, Metal, …) and every specific
    material quoted in the pricing sheet (PETG, Titanium, …) under its most frequent category. -#}

with

material_types as (

    select * from {{ ref('material_types') }}

),

pricing as (

    select * from {{ ref('int_pricing_conformed') }}
    where row_outcome = 'published' and specific_material is not null

),

categories as (

    select distinct
        material_category as name,
        material_category as category,
        'category' as material_level,
        'material_types.csv' as source_file,
        cast(null as bigint) as source_row,
        0 as priority
    from material_types
    where material_category is not null

),

specific_materials as (

    select distinct on (lower(specific_material))
        specific_material as name,
        material_category as category,
        'specific' as material_level,
        source_file,
        source_row,
        1 as priority
    from (
        select
            *,
            count(*) over (partition by lower(specific_material), material_category) as n_quotes
        from pricing
    ) as counted
    order by lower(specific_material), n_quotes desc, material_category, source_row

),

unioned as (

    select distinct on (lower(name)) *
    from (
        select * from categories
        union all
        select * from specific_materials
    ) as all_materials
    order by lower(name), priority

),

production as (

    select
        *,
        lower({{ clean_text("record ->> 'name'") }}) as name_key
    from {{ app_production_rows('materials') }} as app_rows

),

vendor_materials as (

    -- a material the app's production already has keeps its row's id and text
    select
        {{ material_id('unioned.name') }} as id,
        coalesce({{ clean_text("production.record ->> 'name'") }}, unioned.name) as name,
        unioned.category,
        {{ clean_text("production.record ->> 'description'") }} as description,
        unioned.material_level,
        case when production.production_id is not null
            then coalesce(production.data_source, 'existing production')
            else 'vendor:' || unioned.source_file end as data_source,
        coalesce(production.source_file, unioned.source_file) as source_file,
        coalesce(production.source_row, unioned.source_row) as source_row
    from unioned
    left join production on production.production_id = {{ material_id('unioned.name') }}

),

carried as (

    -- production materials the export does not name: kept as they are
    select
        production.production_id as id,
        {{ clean_text("production.record ->> 'name'") }} as name,
        {{ clean_text("production.record ->> 'category'") }} as category,
        {{ clean_text("production.record ->> 'description'") }} as description,
        'category' as material_level,
        coalesce(production.data_source, 'existing production') as data_source,
        production.source_file,
        production.source_row
    from production
    where production.production_id not in (select id from vendor_materials)

),

final as (

    select
        all_materials.*,
        {{ app_timestamps('all_materials', 'previous', [], with_updated_at=false) }}
    from (
        select * from vendor_materials
        union all
        select * from carried
    ) as all_materials
    left join {{ production_rows('materials') }} as previous
        on previous.production_id = all_materials.id

)

select * from final
