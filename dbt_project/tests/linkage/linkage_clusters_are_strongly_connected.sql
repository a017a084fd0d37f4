{{ config(severity='warn') }}
{#- Companies held together by a single weak edge (a bridge below `weak_edge_below` in
    dedupe/linkage.toml): each is in the steward review queue; this warning counts them so the
    build summary shows how many wait for review. -#}
{% if linkage_table_exists('review_queue') %}
select mention_key_l, mention_key_r, match_probability, cluster_id_l as cluster_id, impact
from {{ source('linkage', 'review_queue') }}
where item_kind = 'weak_link'
{% else %}
select null::text as cluster_id where false
{% endif %}
