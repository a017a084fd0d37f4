{#-
    Every accepted spelling of a country -> ISO 3166-1 alpha-2 code and canonical English name.
    Keys are built with the `country_key` rule (lower-case ASCII, no dots, no leading `The`).
    A vendor alias wins over an ISO name, which wins over an ISO code.
-#}

with

countries as (

    select * from {{ ref('countries') }}

),

aliases as (

    select * from {{ ref('country_aliases') }}

),

spellings as (

    select alias as spelling, country_code, 1 as priority, 'vendor alias' as spelling_kind from aliases
    union all
    select country_name, country_code, 2, 'common name' from countries
    union all
    select official_name, country_code, 3, 'official name' from countries
    union all
    select iso_name, country_code, 4, 'ISO name' from countries
    union all
    select country_code, country_code, 5, 'alpha-2 code' from countries
    union all
    select alpha_3, country_code, 6, 'alpha-3 code' from countries

),

keyed as (

    select distinct on ({{ country_key('spelling') }})
        {{ country_key('spelling') }} as lookup_key,
        country_code,
        spelling_kind
    from spellings
    where spelling is not null
    order by {{ country_key('spelling') }}, priority, country_code

),

named as (

    select
        keyed.lookup_key,
        keyed.country_code,
        countries.country_name,
        keyed.spelling_kind
    from keyed
    inner join countries on countries.country_code = keyed.country_code

)

select * from named
