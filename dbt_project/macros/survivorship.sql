{#-
    Golden-record survivorship for what a company takes from the export: which mention names it,
    which master row gives its website, which mention its country, parent, ticker and type hint.

    THE place for that rule. models/marts/companies.sql builds every company with it, and the
    function `company_golden_preview` (created after the mart, below) applies the same macros to
    a grouping of mentions the caller proposes: the review page's "if same company" preview asks
    the database instead of recomputing. Production's own values are not in it: `prefer`
    (macros/production.sql) decides those in the mart.
-#}

{#- Mentions with their company (`resolution`: mention_key, company_id, company_key) and their
    survivorship order, the seed `mention_roles`. -#}
{% macro ranked_mentions(mentions, resolution) -%}
    select
        mentions.*,
        resolution.company_id,
        resolution.company_key,
        -- which mention represents the company: the order is the seed `mention_roles`
        coalesce(mention_roles.priority, 99) as mention_priority,
        mention_roles.company_type_hint
    from {{ mentions }} as mentions
    left join {{ ref('mention_roles') }} as mention_roles on mention_roles.role = mentions.role
    inner join {{ resolution }} as resolution on resolution.mention_key = mentions.mention_key
{%- endmacro %}

{#- The company's name from the export: its best non-production mention. -#}
{% macro company_vendor_name(ranked) -%}
    select distinct on (company_id)
        company_id,
        cleaned_name as name
    from {{ ranked }}
    where role <> 'existing_company'
    order by company_id, mention_priority, source_row
{%- endmacro %}

{#- What the master rows say (int_company_information_conformed, with company_id). -#}
{% macro company_master_facts(master_rows) -%}
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
    from {{ master_rows }}
    where row_outcome in ('published', 'merged')
    group by company_id
{%- endmacro %}

{#- What the export's mentions say (production's own row is not one of them). -#}
{% macro company_mention_facts(ranked) -%}
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
    from {{ ranked }}
    where role <> 'existing_company'
    group by company_id
{%- endmacro %}

{#- The export's parent company and ticker: the master row's, else a mention's annotation. -#}
{% macro vendor_parent_company(master, mention_facts) -%}
    coalesce({{ master }}.parent_company, {{ mention_facts }}.parent_firm_annotation)
{%- endmacro %}

{% macro vendor_stock_ticker(master, mention_facts) -%}
    coalesce({{ master }}.public_stock_ticker, {{ mention_facts }}.ticker_tag)
{%- endmacro %}

{#- company_golden_preview(mention_keys text[], group_ids text[]): per proposed group (the
    mention_keys[i] is in group group_ids[i]), the export's golden record as the mart would build
    it from those mentions. A post-hook of marts/companies.sql, so its inputs exist. -#}
{% macro create_company_golden_preview() -%}
    {%- set fn = adapter.quote(ref('int_company_mentions').schema) ~ '.company_golden_preview' -%}
    drop function if exists {{ fn }}(text[], text[]);
    create function {{ fn }}(mention_keys text[], group_ids text[])
    returns table (
        group_id text, name text, website text, domain text, country_code text,
        parent_company text, public_stock_ticker text, source_count integer, mention_count integer
    )
    language sql stable
    as $preview$
        with
        proposed as (
            select
                proposal.mention_key,
                proposal.company_id,
                null::text as company_key
            from unnest(mention_keys, group_ids) as proposal (mention_key, company_id)
        ),

        ranked as ({{ ranked_mentions(ref('int_company_mentions'), 'proposed') }}),

        master_rows as (
            select
                proposed.company_id,
                conformed.source_row,
                conformed.website_url,
                conformed.website_domain,
                conformed.parent_company_name,
                conformed.public_stock_ticker,
                conformed.employee_count,
                conformed.row_outcome
            from {{ ref('int_company_information_conformed') }} as conformed
            inner join proposed on proposed.mention_key = conformed.mention_key
        ),

        master as ({{ company_master_facts('master_rows') }}),

        vendor_name as ({{ company_vendor_name('ranked') }}),

        mention_facts as ({{ company_mention_facts('ranked') }}),

        groups as (
            select
                company_id,
                count(*) as mention_count
            from ranked
            group by company_id
        )

        select
            groups.company_id::text,
            vendor_name.name::text,
            master.website::text,
            master.domain::text,
            mention_facts.country_code::text,
            {{ vendor_parent_company('master', 'mention_facts') }}::text,
            {{ vendor_stock_ticker('master', 'mention_facts') }}::text,
            coalesce(mention_facts.source_count, 0)::integer,
            groups.mention_count::integer
        from groups
        left join vendor_name on vendor_name.company_id = groups.company_id
        left join master on master.company_id = groups.company_id
        left join mention_facts on mention_facts.company_id = groups.company_id
    $preview$
{%- endmacro %}
