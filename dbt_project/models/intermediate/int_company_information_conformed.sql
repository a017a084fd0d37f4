{#- One row per master row (Company_information.json) with its company, cleaned values and outcome. -#}

with

company_information as (

    select * from {{ ref('stg_vendor__company_information') }}

),

mentions as (

    select * from {{ ref('int_company_mentions') }}
    where role = 'master'

),

resolution as (

    select * from {{ ref('int_company_resolution') }}

),

joined as (

    select
        company_information.*,
        mentions.mention_key,
        mentions.cleaned_name,
        mentions.website_url,
        mentions.website_domain,
        mentions.website_problem,
        mentions.country_code,
        mentions.parent_firm_annotation,
        mentions.ticker_tag,
        {{ normalise_ticker('company_information.public_stock_raw') }} as public_stock_ticker,
        resolution.company_key,
        resolution.company_id
    from company_information
    left join mentions
        on mentions.source_file = company_information.source_file
        and mentions.source_row = company_information.source_row
    left join resolution on resolution.mention_key = mentions.mention_key

),

validated as (

    select
        *,
        {{ quarantine_checks([
            ('company_name_too_long', 'length(company_name) >= ' ~ var('company_name_max_length'), 'left(company_name, 80)'),
            ('company_name_missing', 'company_id is null', 'company_name'),
        ]) }},
        {{ warning_checks([
            ('headquarters_missing', 'headquarters_raw is null'),
            ('country_unmapped', 'headquarters_raw is not null and country_code is null'),
            ('website_invalid', 'website_problem is not null'),
        ]) }}
    from joined

),

deduplicated as (

    select
        *,
        {{ row_outcome('company_key') }}
    from validated

),

final as (

    select
        *,
        {{ row_outcome_columns('same_company') }}
    from deduplicated

)

select * from final
