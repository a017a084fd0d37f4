{#-
    Every distinct process value written in the company and pricing sheets -> ISO/ASTM 52900
    process codes. A value may list several processes (`MEX, VPP`, `MEX,VPP`, with repeats): it is
    split on commas, each part looked up case-insensitively by code or alias, and the distinct codes
    kept in order of first appearance. `technology_code` is set only when the value names exactly
    one known process.
-#}

with

process_codes as (

    select * from {{ ref('process_codes') }}

),

process_aliases as (

    select * from {{ ref('process_aliases') }}

),

lookup as (

    select lower(process_code) as lookup_key, process_code from process_codes
    union
    select lower(alias), process_code from process_aliases

),

raw_values as (

    select process_raw from {{ ref('stg_vendor__print_services_global') }}
    union
    select process_raw from {{ ref('stg_vendor__am_systems_mfrs') }}
    union
    select process_raw from {{ ref('stg_vendor__print_services_pricing') }}

),

parts as (

    select
        raw_values.process_raw,
        btrim(part.value) as part,
        part.position
    from raw_values
    cross join lateral unnest(string_to_array(raw_values.process_raw, ','))
        with ordinality as part(value, position)
    where raw_values.process_raw is not null
        and btrim(part.value) <> ''

),

mapped as (

    select
        parts.process_raw,
        parts.part,
        parts.position,
        lookup.process_code
    from parts
    left join lookup on lookup.lookup_key = lower(parts.part)

),

first_seen as (

    select
        process_raw,
        process_code,
        min(position) as position
    from mapped
    where process_code is not null
    group by process_raw, process_code

),

aggregated as (

    select
        raw_values.process_raw,
        (
            select array_agg(f.process_code order by f.position)
            from first_seen as f
            where f.process_raw = raw_values.process_raw
        ) as process_codes,
        (
            select array_agg(distinct m.part)
            from mapped as m
            where m.process_raw = raw_values.process_raw and m.process_code is null
        ) as unmapped_parts
    from raw_values
    where raw_values.process_raw is not null

),

final as (

    select
        process_raw,
        process_codes,
        case when cardinality(process_codes) = 1 then process_codes[1] end as technology_code,
        unmapped_parts,
        unmapped_parts is not null as has_unmapped_process
    from aggregated

)

select * from final
