{#-
    Production as a source: which source wins per column, and the app's timestamps.

    THE place that says, for a company production already holds and the export also knows, whose
    value is published (README "Which source wins"). `vendor`: the export's value when it has
    one, else production's. `production`: production's value when it has one, else the export's.
    Columns the export never has (coordinates, city, state, description, …) are production's.
-#}
{% macro column_precedence() -%}
    {{ return({
        'name': 'production',
        'website': 'vendor',
        'country_code': 'vendor',
        'company_type': 'vendor',
        'parent_company': 'vendor',
        'public_stock_ticker': 'vendor',
        'employee_count_range': 'vendor',
        'total_funding_usd': 'vendor',
        'last_funding_date': 'vendor',
        'founded_year': 'production',
        'revenue_range': 'production',
        'segment': 'production',
        'subsidiary_info': 'production',
        'description': 'production',
        'city': 'production',
        'state': 'production',
        'latitude': 'production',
        'longitude': 'production',
    }) }}
{%- endmacro %}

{#- The published value of `column` given the export's and production's expressions. -#}
{% macro prefer(column, vendor_expr, production_expr) -%}
    {%- set winner = column_precedence()[column] -%}
    {%- if winner == 'vendor' -%}
    coalesce({{ vendor_expr }}, {{ production_expr }})
    {%- elif winner == 'production' -%}
    coalesce({{ production_expr }}, {{ vendor_expr }})
    {%- else -%}
    {{ exceptions.raise_compiler_error("column_precedence: unknown winner for " ~ column) }}
    {%- endif -%}
{%- endmacro %}

{#- The start of this dbt invocation: the time a row first appears or changes in this build. -#}
{% macro run_timestamp() -%}
    cast('{{ run_started_at.isoformat() }}' as timestamptz)
{%- endmacro %}

{#- The rows production holds for app table `table` that no migration made, with an id: the app's
    own rows, which the build carries (every column of stg_production__rows). -#}
{% macro app_production_rows(table) -%}
    (select * from {{ ref('stg_production__rows') }}
     where production_table = '{{ table }}' and not is_migration_output and production_id is not null)
{%- endmacro %}

{#- The rows production held for one app table (joined on the published id). -#}
{% macro production_rows(table) -%}
    (select production_id, created_at, updated_at, record
     from {{ ref('stg_production__rows') }}
     where production_table = '{{ table }}' and production_id is not null)
{%- endmacro %}

{#-
    created_at: when the row first appeared in production (kept across rebuilds);
    updated_at: kept while the published values of `columns` equal production's, else this run.
-#}
{% macro app_timestamps(current, previous, columns, with_updated_at=true) -%}
    coalesce({{ previous }}.created_at, {{ run_timestamp() }}) as created_at
    {%- if with_updated_at %},
    case
        when {{ previous }}.production_id is not null
            and jsonb_build_object(
                {%- for c in columns %}'{{ c }}', {{ current }}.{{ c }}{{ ', ' if not loop.last }}{% endfor -%}
            ) = jsonb_build_object(
                {%- for c in columns %}'{{ c }}', {{ previous }}.record -> '{{ c }}'{{ ', ' if not loop.last }}{% endfor -%}
            )
            then {{ previous }}.updated_at
        else {{ run_timestamp() }}
    end as updated_at
    {%- endif %}
{%- endmacro %}

{#-
    Post-hook of every mart: a view runs with the privileges (and RLS) of the reader
    (`security_invoker`, Postgres 15+); a table gets defaults for rows the app inserts.
-#}
{% macro app_column_defaults(relation) -%}
    {%- if model.config.materialized == 'view' -%}
    do $amx$
    begin
        if current_setting('server_version_num')::integer >= 150000 then
            execute 'alter view {{ relation }} set (security_invoker = true)';
        end if;
    end
    $amx$
    {%- else -%}
    do $amx$
    declare c text;
    begin
        for c in
            select column_name from information_schema.columns
            where table_schema = '{{ relation.schema }}' and table_name = '{{ relation.identifier }}'
                and column_name in ('created_at', 'updated_at')
        loop
            execute format('alter table %s alter column %I set default now()', '{{ relation }}', c);
        end loop;
        if exists (
            select 1 from information_schema.columns
            where table_schema = '{{ relation.schema }}' and table_name = '{{ relation.identifier }}'
                and column_name = 'data_source'
        ) then
            execute format('alter table %s alter column data_source set default %L', '{{ relation }}', 'app');
        end if;
    end
    $amx$
    {%- endif -%}
{%- endmacro %}

{#- A text column of the production row kept by companies.sql (`production.record`), cleaned. -#}
{% macro clean_text_record(column) -%}
    {{ clean_text("production.record ->> '" ~ column ~ "'") }}
{%- endmacro %}

{#-
    The rows production holds for `table` that no migration made (the app's own rows), in the
    column order of the mart's contract (less created_at / updated_at, added by app_timestamps):
    ids kept, company ids re-pointed at the company they belong to now, lineage `public.<table>`,
    every other column as production holds it, cast to the contract's type. `overrides` gives an
    expression for a column the app does not fill (e.g. a derived one). A value the contract
    requires and the app row lacks fails the build (nothing is published), loudly.
-#}
{% macro carried_production_rows(table, overrides={}) -%}
    {%- set company_columns = ['company_id', 'acquired_company_id', 'acquiring_company_id'] -%}
    select
    {%- for name, column in model.columns.items() if name not in ('created_at', 'updated_at') %}
        {% if name in overrides -%}
        {{ overrides[name] }}
        {%- elif name == 'id' -%}
        production.production_id
        {%- elif name in company_columns -%}
        (select company_ids.company_id from {{ ref('int_production_company_ids') }} as company_ids
         where company_ids.production_id = cast(production.record ->> '{{ name }}' as uuid))
        {%- elif name == 'data_source' -%}
        coalesce(production.data_source, 'existing production')
        {%- elif name == 'source_file' -%}
        production.source_file
        {%- elif name == 'source_row' -%}
        production.source_row
        {%- else -%}
        cast(production.record ->> '{{ name }}' as {{ column.data_type }})
        {%- endif %} as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ app_production_rows(table) }} as production
{%- endmacro %}

{#-
    The rows of an app mart built from the export: the vendor rows (`vendor_rows`, a CTE with the
    contract's columns) and the rows production holds that no migration made (the app's, kept
    under their ids: carried_production_rows with `overrides`), with the app's timestamps
    (app_timestamps over `tracked_columns`, against the rows production held for `table`).
-#}
{% macro app_mart_rows(table, vendor_rows, tracked_columns, overrides={}, with_updated_at=true) -%}
    select
        unioned.*,
        {{ app_timestamps('unioned', 'previous', tracked_columns, with_updated_at) }}
    from (
        select {{ contract_columns(vendor_rows) }} from {{ vendor_rows }}
        union all
        {{ carried_production_rows(table, overrides) }}
    ) as unioned
    left join {{ production_rows(table) }} as previous on previous.production_id = unioned.id
{%- endmacro %}

{#- The lineage columns of a mart row built from a vendor row: where it came from (`vendor:<file>`)
    and its file and row. -#}
{% macro vendor_row_lineage() -%}
    'vendor:' || source_file as data_source,
        source_file,
        source_row
{%- endmacro %}

{#- The mart's contract columns (less the app timestamps), comma-separated, for a union. -#}
{% macro contract_columns(relation_alias) -%}
    {%- for name in model.columns.keys() if name not in ('created_at', 'updated_at') -%}
    {{ relation_alias }}.{{ name }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
