{#- The seed plan's quality scorecard (§4.2): one row per metric with its value, target and critical
    threshold (seeds/quality_targets.csv). Below target is a warning, below critical is FAIL in the
    report; neither fails the build. -#}

with

targets as (

    select * from {{ ref('quality_targets') }}

),

companies as (

    select * from {{ ref('companies') }}

),

master as (

    select * from {{ ref('int_company_information_conformed') }}

),

outcomes as (

    select * from {{ ref('int_row_outcomes') }}

),

country_values as (

    select country_raw, country_code from {{ ref('int_company_mentions') }}
    where source_field <> 'acquiring_company' and role <> 'existing_company'
    union all
    select country_raw, country_code from {{ ref('int_mergers_acquisitions_conformed') }}
    union all
    select country_raw, country_code from {{ ref('int_market_data_conformed') }}
    where country_raw is not null

),

warnings as (

    select * from {{ ref('validation_warnings') }}

),

vocabulary_values as (

    -- the values written in a vocabulary-mapped column (count type, funding round, role, process)
    select
        (select count(*) from {{ ref('int_print_services_conformed') }} where count_type_raw is not null)
        + (select count(*) from {{ ref('int_fundings_conformed') }} where funding_round_raw is not null)
        + (select count(*) from {{ ref('int_company_roles_conformed') }} where category_raw is not null)
        + (select count(*) from {{ ref('int_print_services_conformed') }} where process_raw is not null)
        + (select count(*) from {{ ref('int_systems_mfrs_conformed') }} where process_raw is not null)
        + (select count(*) from {{ ref('int_pricing_conformed') }} where process_raw is not null)
            as total

),

measured as (

    select 'companies_with_country' as metric,
        count(*) filter (where country_code is not null) as passing, count(*) as total
    from companies
    union all
    select 'companies_with_coordinates',
        count(*) filter (where latitude is not null and longitude is not null), count(*)
    from companies
    union all
    select 'companies_with_city_or_state',
        count(*) filter (where city is not null or state is not null), count(*)
    from companies
    union all
    select 'master_rows_with_headquarters',
        count(*) filter (where headquarters_raw is not null), count(*)
    from master
    union all
    select 'master_rows_with_website',
        count(*) filter (where website_raw is not null), count(*)
    from master
    union all
    select 'websites_valid',
        count(*) filter (where website_problem is null), count(*)
    from master where website_raw is not null
    union all
    select 'countries_standardised',
        count(*) filter (where country_code is not null), count(*)
    from country_values where country_raw is not null
    union all
    select 'master_rows_unique',
        count(*) filter (where row_outcome <> 'merged'), count(*)
    from master
    union all
    select 'rows_valid',
        count(*) filter (where row_outcome <> 'quarantined'), count(*)
    from outcomes
    union all
    select 'vocabulary_values_mapped',
        vocabulary_values.total - (
            select count(*) from warnings
            where warnings.rule in ('count_type_unmapped', 'funding_round_unmapped', 'category_unmapped', 'process_unmapped')
        ),
        vocabulary_values.total
    from vocabulary_values

),

final as (

    select
        targets.metric,
        targets.dimension,
        measured.passing,
        measured.total,
        round(100.0 * measured.passing / nullif(measured.total, 0), 2) as value_pct,
        targets.target_pct,
        targets.critical_pct,
        case
            when measured.total = 0 then 'PASS'
            when 100.0 * measured.passing / measured.total >= targets.target_pct then 'PASS'
            when 100.0 * measured.passing / measured.total >= targets.critical_pct then 'WARN'
            else 'FAIL'
        end as status,
        targets.description
    from targets
    left join measured on measured.metric = targets.metric

)

select * from final
