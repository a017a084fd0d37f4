{{ config(severity='warn') }}
{#- Chaining guard: a company built from more distinct spellings than the linkage configuration
    allows (`max_cluster_feature_rows` in dedupe/linkage.toml, as recorded for the latest run) is
    suspicious. Repeats of one spelling don't count: a bureau listed 200 times is one spelling. -#}
{% if linkage_table_exists('features') and linkage_table_exists('runs') %}
with latest_run as (
    select (config ->> 'max_cluster_feature_rows')::int as max_feature_rows
    from {{ source('linkage', 'runs') }}
    order by finished_at desc
    limit 1
)
select features.cluster_id, count(*) as feature_rows, latest_run.max_feature_rows
from {{ source('linkage', 'features') }} as features
cross join latest_run
group by features.cluster_id, latest_run.max_feature_rows
having count(*) > latest_run.max_feature_rows
{% else %}
select null::text as cluster_id where false
{% endif %}
