{#-
    The seed plan's health metrics of the marts this build produced (built into the shadow schema
    by `amx run`, so they are measured before anything is published), each against the run that is
    live now (`audit.data_health_log` at the live run id of `audit.publications`). Publish appends
    these rows to the log; the warn test below flags a metric that dropped by more than 5%.
-#}
{%- set log_exists = execute and adapter.get_relation(
        database=target.database, schema='audit', identifier='data_health_log') is not none
    and adapter.get_relation(
        database=target.database, schema='audit', identifier='publications') is not none -%}

with

companies as (

    select * from {{ ref('companies') }}

),

equipment as (

    select * from {{ ref('equipment') }}

),

fleet_per_company as (

    -- machines are counted per count kind and never summed across kinds: the fleet counts only
    select company_id, sum(count) as machines
    from equipment
    where equipment_role = 'operated_fleet' and count_kind = 'fleet_count'
    group by company_id

),

metrics as (

    select 'total_companies' as metric, count(*)::numeric as value from companies
    union all
    select 'companies_with_country', count(*) filter (where country_code is not null) from companies
    union all
    select 'companies_with_website', count(*) filter (where website is not null) from companies
    union all
    select 'companies_with_equipment', count(distinct company_id) from equipment
    union all
    select 'equipment_rows', count(*) from equipment
    union all
    select 'average_machines_per_company', round(avg(machines), 2) from fleet_per_company
    union all
    select 'investments', count(*) from {{ ref('investments') }}
    union all
    select 'total_funding_millions_usd', round(coalesce(sum(amount_millions), 0), 2)
    from {{ ref('investments') }}
    union all
    select 'mergers_acquisitions', count(*) from {{ ref('mergers_acquisitions') }}
    union all
    select 'service_price_quotes', count(*) from {{ ref('service_pricing') }}
    union all
    select 'market_data_rows', count(*) from {{ ref('market_data') }}
    union all
    select 'market_forecast_rows', count(*) from {{ ref('market_forecasts') }}

),

{% if log_exists %}
live_run as (

    select live_run_id as run_id
    from {{ source('amx_audit', 'publications') }}
    order by id desc
    limit 1

),

previous as (

    select log.metric, log.value as previous_value
    from {{ source('amx_audit', 'data_health_log') }} as log
    inner join live_run on live_run.run_id = log.run_id

),
{% else %}
previous as (

    select null::text as metric, null::numeric as previous_value
    where false

),
{% endif %}

final as (

    select
        metrics.metric,
        metrics.value,
        previous.previous_value,
        case
            when previous.previous_value is null or previous.previous_value = 0 then null
            else round(100.0 * (metrics.value - previous.previous_value) / previous.previous_value, 2)
        end as change_pct
    from metrics
    left join previous on previous.metric = metrics.metric

)

select * from final
