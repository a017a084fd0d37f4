{#- One row per master row (Company_information.json) with its company, cleaned values and outcome. -#}

with

company_information as (

    select * from {{ ref('stg_vendor__company_information') }}

),

companies as (

    {{ sheet_companies('company_information') }}

),

joined as (

    select
        company_information.*,
        companies.mention_key,
        companies.cleaned_name,
        companies.website_url,
        companies.website_domain,
        companies.website_problem,
        companies.country_code,
        companies.parent_firm_annotation,
        companies.ticker_tag,
        {{ normalise_ticker('company_information.public_stock_raw') }} as public_stock_ticker,
        companies.company_key,
        companies.company_id
    from company_information
    left join companies on companies.source_row = company_information.source_row

),

final as (

    {{ sheet_row_outcomes('joined',
        quarantine=company_name_checks(),
        warnings=[
            ('headquarters_missing', 'headquarters_raw is null'),
            ('country_unmapped', 'headquarters_raw is not null and country_code is null'),
            ('website_invalid', 'website_problem is not null'),
        ],
        partition_by='company_key', merge_rule='same_company') }}

)

select * from final
