{#-
    One row per row of every app table production held when the run started
    (loaders/production.py lands them as jsonb `record`s). A row that an earlier migration built
    from a vendor sheet (`data_source` `vendor:<file>`) is rebuilt from the export and only lends
    its timestamps; every other row (the app's own import, rows the app inserted since) is
    existing production and is carried into the build (`is_migration_output` false).
-#}
{%- set tables = production_tables() -%}

with

unioned as (

    {% for table in tables -%}
    select '{{ table }}' as production_table, _source_file, _source_row, id, record
    from {{ source('production', 'production__' ~ table) }}
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}

),

renamed as (

    select
        ---------- lineage
        production_table,
        _source_file as source_file,
        _source_row as source_row,

        ---------- ids
        case
            when id ~* '^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$'
                then cast(id as uuid)
        end as production_id,
        id as production_id_raw,

        ---------- strings
        {{ clean_text("record ->> 'data_source'") }} as data_source,
        coalesce(record ->> 'data_source', '') like 'vendor:%' as is_migration_output,

        ---------- timestamps
        cast(record ->> 'created_at' as timestamptz) as created_at,
        cast(record ->> 'updated_at' as timestamptz) as updated_at,

        ---------- the row as production held it
        record

    from unioned

)

select * from renamed
