{{ config(post_hook=["{{ trigram_index(this, 'name') }}"]) }}
{#- One row per company: every resolved company key from every sheet's mentions. Attributes come
    from the company's earliest master row when it has one, else from its other mentions. -#}

with

mentions as (

    select * from {{ ref('int_company_mentions') }}
    -- the existing snapshot only lends ids; it never makes a company or a source record
    where role <> 'existing_company'

),

resolution as (

    select * from {{ ref('int_company_resolution') }}

),

master_rows as (

    select * from {{ ref('int_company_information_conformed') }}
    where row_outcome in ('published', 'merged')

),

roles as (

    select * from {{ ref('int_company_roles_conformed') }}
    where row_outcome = 'published'

),

fundings as (

    select * from {{ ref('int_fundings_conformed') }}
    where row_outcome = 'published'

),

resolved_mentions as (

    select
        mentions.*,
        resolution.company_id,
        resolution.company_key,
        -- which mention represents the company: the order is the seed `mention_roles`
        coalesce(mention_roles.priority, 99) as mention_priority,
        mention_roles.company_type_hint
    from mentions
    left join {{ ref('mention_roles') }} as mention_roles on mention_roles.role = mentions.role
    inner join resolution on resolution.mention_key = mentions.mention_key

),

representative as (

    select distinct on (company_id)
        company_id,
        company_key,
        cleaned_name as name,
        source_file,
        source_row
    from resolved_mentions
    order by company_id, mention_priority, source_row

),

master as (

    -- the earliest master row supplies name-level attributes; later merged rows fill gaps
    select
        company_id,
        (array_agg(website_url order by source_row) filter (where website_url is not null))[1]
            as website,
        (array_agg(website_domain order by source_row) filter (where website_domain is not null))[1]
            as domain,
        (array_agg(parent_company_name order by source_row)
            filter (where parent_company_name is not null))[1] as parent_company,
        (array_agg(public_stock_ticker order by source_row)
            filter (where public_stock_ticker is not null))[1] as public_stock_ticker,
        max(employee_count) as employee_count
    from master_rows
    group by company_id

),

mention_facts as (

    select
        company_id,
        (array_agg(country_code order by mention_priority, source_row)
            filter (where country_code is not null))[1] as country_code,
        (array_agg(parent_firm_annotation order by mention_priority, source_row)
            filter (where parent_firm_annotation is not null))[1] as parent_firm_annotation,
        (array_agg(ticker_tag order by mention_priority, source_row)
            filter (where ticker_tag is not null))[1] as ticker_tag,
        (array_agg(company_type_hint order by mention_priority, source_row)
            filter (where company_type_hint is not null))[1] as company_type_from_sheets,
        count(distinct source_file) as source_count
    from resolved_mentions
    group by company_id

),

primary_role as (

    select distinct on (company_id)
        company_id,
        company_type
    from roles
    order by company_id, source_row

),

funding as (

    select
        company_id,
        sum(amount_millions_usd) * 1000000 as total_funding_usd,
        max(investment_date) as last_funding_date
    from fundings
    group by company_id

),

countries as (

    select * from {{ ref('countries') }}

),

final as (

    select
        representative.company_id as id,
        representative.name,
        master.website,
        master.domain,
        countries.country_name as country,
        mention_facts.country_code,
        coalesce(master.parent_company, mention_facts.parent_firm_annotation) as parent_company,
        coalesce(master.public_stock_ticker, mention_facts.ticker_tag) as public_stock_ticker,
        case
            when master.employee_count is null then null
            when master.employee_count <= 10 then '1-10'
            when master.employee_count <= 50 then '11-50'
            when master.employee_count <= 200 then '51-200'
            when master.employee_count <= 500 then '201-500'
            when master.employee_count <= 1000 then '501-1000'
            when master.employee_count <= 5000 then '1001-5000'
            else '5001+'
        end as employee_count_range,
        coalesce(primary_role.company_type, mention_facts.company_type_from_sheets, 'other')
            as company_type,
        cast(funding.total_funding_usd as numeric(18, 2)) as total_funding_usd,
        funding.last_funding_date,
        cast(mention_facts.source_count as integer) as source_count,
        representative.company_key,
        representative.source_file,
        representative.source_row
    from representative
    left join master on master.company_id = representative.company_id
    left join mention_facts on mention_facts.company_id = representative.company_id
    left join primary_role on primary_role.company_id = representative.company_id
    left join funding on funding.company_id = representative.company_id
    left join countries on countries.country_code = mention_facts.country_code

)

select * from final
