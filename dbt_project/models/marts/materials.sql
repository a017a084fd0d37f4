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

final as (

    select
        {{ material_id('name') }} as id,
        name,
        category,
        material_level,
        source_file,
        source_row
    from unioned

)

select * from final
