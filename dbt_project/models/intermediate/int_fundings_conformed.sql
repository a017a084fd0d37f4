{#- One row per funding round (Fundings_and_investments.json): company, round, country conformed;
    amounts in another currency converted to USD with the yearly FX seed (original kept). -#}

with

fundings as (

    select * from {{ ref('stg_vendor__fundings_and_investments') }}

),

companies as (

    {{ sheet_companies('fundings_and_investments') }}

),

funding_rounds as (

    select * from {{ ref('funding_rounds') }}

),

currencies as (

    select * from {{ ref('currencies') }}

),

fx_rates as (

    select * from {{ ref('fx_yearly_average_rates') }}

),

joined as (

    select
        fundings.*,
        companies.mention_key,
        companies.company_key,
        companies.company_id,
        companies.country_code,
        funding_rounds.funding_round,
        funding_rounds.raw_value is not null as is_funding_round_mapped,
        -- no currency written: the column's own unit (millions USD) applies
        case when fundings.currency_token is null then 'USD' else currencies.currency_code end
            as original_currency,
        fx_rates.currency_per_usd
    from fundings
    left join companies on companies.source_row = fundings.source_row
    left join funding_rounds
        on funding_rounds.raw_value = {{ vocabulary_key('fundings.funding_round_raw') }}
    left join currencies on currencies.currency_token = fundings.currency_token
    left join fx_rates
        on fx_rates.currency_code
            = case when fundings.currency_token is null then 'USD' else currencies.currency_code end
        and fx_rates.year = fundings.investment_year

),

converted as (

    select
        *,
        round(original_amount_millions / currency_per_usd, 6) as amount_millions_usd,
        make_date(investment_year, investment_month, 1) as investment_date
    from joined
    where true

),

final as (

    {{ sheet_row_outcomes('converted',
        quarantine=company_name_checks() + [
            ('year_invalid', 'investment_year is null or investment_year < ' ~ var('earliest_plausible_year') ~ ' or investment_year > extract(year from current_date)', 'year_raw'),
            ('month_invalid', 'investment_month is null', 'month_raw'),
            ('amount_unparseable', 'amount_raw is not null and original_amount_millions is null', 'amount_raw'),
            ('currency_unknown', 'original_amount_millions is not null and original_currency is null', 'amount_raw'),
            ('fx_rate_missing', 'original_amount_millions is not null and currency_per_usd is null', "original_currency || ' ' || year_raw"),
        ],
        warnings=[
            ('amount_missing', 'amount_raw is null'),
            ('amount_implausible', 'amount_millions_usd < ' ~ var('funding_min_millions_usd') ~ ' or amount_millions_usd > ' ~ var('funding_max_millions_usd')),
        ] + unmapped_warnings(['funding_round', 'country']),
        partition_by='row_fingerprint') }}

)

select * from final
