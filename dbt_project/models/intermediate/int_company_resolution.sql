{#-
    The company-resolution seam: every company mention -> the company it belongs to.

    The linkage stage (Splink, dedupe/) writes `linkage.clusters` (`mention_key`, `cluster_id`):
    its clusters decide the mentions it covers; a mention it does not cover is its own company by
    normalised name. `linkage.clusters` is a required input: without it the build stops and says
    so, unless the build asks for name-only resolution on purpose
    (`--vars '{company_resolution: name}'`: mentions with the same normalised name are one company).

    company_key is a stable string; company_id = stable_uuid('company:' || company_key), so ids
    survive rebuilds as long as the key does.
-#}
{%- set clusters_relation = source('linkage', 'clusters') -%}
{#- existence is checked on the database by name (the source() relation is a fixture in unit tests) -#}
{%- set use_linkage = var('company_resolution', 'linkage') == 'linkage' -%}
{%- set clusters_exist = execute and adapter.get_relation(
        database=target.database, schema='linkage', identifier='clusters') is not none -%}
{%- if execute and use_linkage and not clusters_exist -%}
    {{ exceptions.raise_compiler_error(
        "int_company_resolution: linkage.clusters does not exist in database " ~ target.database
        ~ ". Run the link stage first (`amx run`, or `amx run --stages link,build`), or build"
        ~ " with --vars '{company_resolution: name}' to resolve companies by normalised name only."
    ) }}
{%- endif -%}
{%- set clusters_exist = clusters_exist and use_linkage -%}

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

own_production_ids as (

    -- each company production holds, by its mention
    select mentions.mention_key, existing_companies.production_id
    from mentions
    inner join {{ ref('int_existing_company_mentions') }} as existing_companies
        on existing_companies.source_file = mentions.source_file
        and existing_companies.source_row = mentions.source_row
    where mentions.role = 'existing_company' and existing_companies.production_id is not null

),

existing as (

    -- a cluster that takes in a company production holds is that company: it keeps its id (the
    -- smallest, when linkage put several production companies in one cluster)
    select
        resolved.company_key,
        min(cast(own_production_ids.production_id as text)) as existing_id
    from resolved
    inner join own_production_ids on own_production_ids.mention_key = resolved.mention_key
    group by resolved.company_key

),

final as (

    -- production companies are never merged into each other (production's own distinctions and
    -- every id the app links to stay): another production company in the same cluster keeps its
    -- own row and id. Keys of production companies are their ids, so they never change either.
    select
        resolved.mention_key,
        case
            when own_production_ids.production_id is not null
                and cast(own_production_ids.production_id as text) <> existing.existing_id
                then 'production:' || own_production_ids.production_id
            when existing.existing_id is not null then 'production:' || existing.existing_id
            else resolved.company_key
        end as company_key,
        coalesce(
            own_production_ids.production_id,
            existing.existing_id::uuid,
            {{ stable_uuid("'company:' || resolved.company_key") }}
        ) as company_id,
        resolved.resolution_method,
        existing.existing_id is not null as is_existing_company
    from resolved
    left join existing on existing.company_key = resolved.company_key
    left join own_production_ids on own_production_ids.mention_key = resolved.mention_key

)

select * from final
