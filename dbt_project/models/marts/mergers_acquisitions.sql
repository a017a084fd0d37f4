{#- One row per published deal. Deal dates are months (`date_precision = 'month'`); a deal size of 0
    in the sheet means undisclosed and is null here. -#}
-- depends_on: {{ ref('companies') }}

-- depends_on: {{ ref('int_production_company_ids') }}
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
        -- in USD; null when undisclosed
        cast(deal_size_millions_usd as numeric(18, 6)) as deal_size_millions,
        -- the export lists deals without their status: unknown, never guessed
        cast(null as text) as deal_status,
        cast(null as text) as notes,
        country_code,
        {{ vendor_row_lineage() }}
    from deals

),

timestamped as (

    {#- the vendor rows and the rows production holds that no migration made (the app's, kept under
        their ids), with the app's timestamps -#}
    {{ app_mart_rows('mergers_acquisitions', 'final',
        tracked_columns=['acquired_company_id', 'acquiring_company_id', 'acquired_company_name',
            'acquiring_company_name', 'announcement_date', 'deal_size_millions', 'deal_status', 'notes'],
        overrides={
            'date_precision': "coalesce(production.record ->> 'date_precision', 'month')",
        }) }}

)

select * from timestamped
