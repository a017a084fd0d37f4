{#- One row per published deal. Deal dates are months (`date_precision = 'month'`); a deal size of 0
    in the sheet means undisclosed and is null here. -#}
-- depends_on: {{ ref('companies') }}

with

deals as (

    select * from {{ ref('int_mergers_acquisitions_conformed') }}
    where row_outcome = 'published'

),

final as (

    select
        {{ source_row_id() }} as id,
        acquired_company_id,
        acquiring_company_id,
        acquired_company_clean_name as acquired_company_name,
        acquiring_company_clean_name as acquiring_company_name,
        announcement_date,
        date_precision,
        cast(deal_size_millions_usd as numeric(18, 6)) as deal_size_millions_usd,
        country_code,
        source_file,
        source_row
    from deals

)

select * from final
