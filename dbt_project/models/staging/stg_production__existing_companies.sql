with

source as (

    select * from {{ source('production', 'existing_companies') }}

),

renamed as (

    select
        ---------- lineage
        _source_file as source_file,
        _source_row as source_row,

        ---------- ids
        id as existing_company_id,

        ---------- strings
        {{ clean_text('name') }} as company_name,
        {{ clean_text('website') }} as website_raw,
        {{ clean_text('country') }} as country_raw

    from source

)

select * from renamed
