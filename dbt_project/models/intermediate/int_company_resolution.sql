{#-
    The company-resolution seam: every company mention -> the company it belongs to.

    Interim rule (deterministic): mentions with the same normalised name (`company_name_key`) are
    one company. When the linkage stage (Splink, a later issue) has written `linkage.clusters`
    (`mention_key`, `cluster_id`), its clusters win for the mentions it covers; this model is the
    only one that changes when linkage lands.

    company_key is a stable string; company_id = stable_uuid('company:' || company_key), so ids
    survive rebuilds as long as the key does.
-#}
{%- set clusters_relation = source('linkage', 'clusters') -%}
{#- existence is checked on the database by name (the source() relation is a fixture in unit tests) -#}
{%- set clusters_exist = execute and adapter.get_relation(
        database=target.database, schema='linkage', identifier='clusters') is not none -%}

with

mentions as (

    select * from {{ ref('int_company_mentions') }}

),

{% if clusters_exist %}
clusters as (

    select mention_key, cast(cluster_id as text) as cluster_id from {{ clusters_relation }}

),
{% endif %}

resolved as (

    select
        mentions.mention_key,
        {% if clusters_exist -%}
        coalesce('cluster:' || clusters.cluster_id, 'name:' || mentions.normalised_name) as company_key,
        case when clusters.cluster_id is not null then 'linkage_cluster' else 'normalised_name' end
            as resolution_method
        {%- else -%}
        'name:' || mentions.normalised_name as company_key,
        'normalised_name' as resolution_method
        {%- endif %}
    from mentions
    {% if clusters_exist -%}
    left join clusters on clusters.mention_key = mentions.mention_key
    {%- endif %}

),

existing as (

    -- a company production already holds keeps its id (the smallest, if linkage put two
    -- production companies together: the other is merged into it, audit.production_merges)
    select
        resolved.company_key,
        min(cast(existing_companies.production_id as text)) as existing_id
    from resolved
    inner join mentions on mentions.mention_key = resolved.mention_key
    inner join {{ ref('int_existing_company_mentions') }} as existing_companies
        on existing_companies.source_file = mentions.source_file
        and existing_companies.source_row = mentions.source_row
    where mentions.role = 'existing_company' and existing_companies.production_id is not null
    group by resolved.company_key

),

final as (

    select
        resolved.mention_key,
        resolved.company_key,
        coalesce(
            existing.existing_id::uuid, {{ stable_uuid("'company:' || resolved.company_key") }}
        ) as company_id,
        resolved.resolution_method,
        existing.existing_id is not null as is_existing_company
    from resolved
    left join existing on existing.company_key = resolved.company_key

)

select * from final
