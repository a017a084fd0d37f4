{#- Every company mention of every vendor sheet is in the crosswalk exactly once, with a company
    (the crosswalk's own constraints make mention_key unique and company_id a not-null foreign key
    to companies; this test catches a mention that did not make it at all). -#}
select mentions.mention_key, mentions.source_file, mentions.source_row
from {{ ref('int_company_mentions') }} as mentions
left join {{ ref('company_source_records') }} as records
    on records.mention_key = mentions.mention_key
where mentions.role <> 'existing_company'
    and records.mention_key is null
