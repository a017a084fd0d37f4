{#- One row per AM process (ISO/ASTM 52900 coding), from the process_codes seed. -#}

with

process_codes as (

    select * from {{ ref('process_codes') }}

),

final as (

    select
        {{ technology_id('process_code') }} as id,
        process_code as code,
        process_name as name,
        process_category as category,
        in_iso_astm_52900,
        'process_codes.csv' as source_file,
        cast(null as bigint) as source_row
    from process_codes

)

select * from final
