{#-
    The three market-data sheets in one long shape, one row per source row:
      AM_market_revenue_2024      -> data_type `revenue_by_country`  (value_usd, country, segment)
      Revenue_by_industry_2024    -> data_type `revenue_by_industry` (percentage, value_usd on `All`)
      Total_AM_market_size        -> data_type `market_size` for `Past revenue`, and the three
                                     forecast types as `forecast` with a scenario (low/average/high)
-#}

with

market_revenue as (

    select * from {{ ref('stg_vendor__am_market_revenue_2024') }}

),

industry_revenue as (

    select * from {{ ref('stg_vendor__revenue_by_industry_2024') }}

),

market_size as (

    select * from {{ ref('stg_vendor__total_am_market_size') }}

),

country_lookup as (

    select * from {{ ref('int_country_lookup') }}

),

unioned as (

    select
        market_revenue.source_file,
        market_revenue.source_row,
        market_revenue.row_fingerprint,
        'revenue_by_country' as data_type,
        2024 as year,
        '2024' as year_raw,
        market_revenue.segment,
        cast(null as text) as region,
        market_revenue.country_raw,
        country_lookup.country_code,
        cast(null as text) as industry,
        cast(null as text) as material,
        cast(null as text) as scenario,
        market_revenue.revenue_usd as value_usd,
        market_revenue.revenue_raw as value_raw,
        cast(null as numeric) as percentage,
        cast(null as text) as percentage_raw,
        'USD' as unit,
        true as is_value_required,
        cast(null as text) as figure_type
    from market_revenue
    left join country_lookup
        on country_lookup.lookup_key = {{ country_key('market_revenue.country_raw') }}

    union all

    select
        source_file,
        source_row,
        row_fingerprint,
        'revenue_by_industry',
        2024,
        '2024',
        null,
        region,
        null,
        null,
        industry,
        material,
        null,
        revenue_usd,
        revenue_raw,
        share_of_revenue_pct,
        share_raw,
        'percent',
        false,
        null
    from industry_revenue

    union all

    select
        source_file,
        source_row,
        row_fingerprint,
        case when lower(figure_type) = 'past revenue' then 'market_size' else 'forecast' end,
        year,
        year_raw,
        segment,
        null,
        null,
        null,
        null,
        null,
        case lower(figure_type)
            when 'low end forecast' then 'low'
            when 'average forecast' then 'average'
            when 'high end forecast' then 'high'
        end,
        value_usd,
        value_raw,
        null,
        null,
        'USD',
        true,
        figure_type
    from market_size

),

final as (

    {{ sheet_row_outcomes('unioned',
        quarantine=[
            ('figure_type_unknown', "source_file = " ~ sheet_file('total_am_market_size') ~ " and data_type = 'forecast' and scenario is null", 'figure_type'),
            ('year_invalid', "year is null or year < " ~ var('earliest_plausible_year') ~ " or (data_type <> 'forecast' and year > extract(year from current_date))", 'year_raw'),
            ('value_invalid', '(is_value_required and value_usd is null) or value_usd < 0 or (value_raw is not null and value_usd is null)', 'value_raw'),
            ('share_invalid', "data_type = 'revenue_by_industry' and (percentage is null or percentage < 0 or percentage > 100)", 'percentage_raw'),
            ('segment_missing', "data_type <> 'revenue_by_industry' and segment is null", 'segment'),
        ],
        warnings=unmapped_warnings(['country']),
        partition_by='source_file, row_fingerprint') }}

)

select * from final
