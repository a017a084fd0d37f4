{#-
    dbt-postgres's get_create_index_sql, with readable index names: `<table>_<columns>_idx`
    (Postgres's own convention, e.g. `company_categories_category_company_id_idx`) instead of the
    md5 of the columns and a timestamp. The indexes themselves stay declared where dbt declares them
    (`indexes:` in the models' YAML).

    dbt creates the indexes on `<table>__dbt_tmp` before renaming it over the old table, which is
    still there (and holds the same index names) until the transaction commits. So the old
    table's index of that name is dropped first, inside the same transaction (the old table is
    dropped after the commit anyway; a failed build rolls both back). An index of that name on any
    other table stops the build. `amx run` builds into an emptied shadow schema, where none exists.
-#}
{% macro postgres__get_create_index_sql(relation, index_dict) -%}
  {%- set index_config = adapter.parse_index(index_dict) -%}
  {%- set comma_separated_columns = ", ".join(index_config.columns) -%}
  {%- set table = readable_table_name(relation) -%}
  {%- set index_name = readable_index_name(table, index_config.columns, index_config.unique) -%}
  {{ free_index_name(relation.schema, index_name, [table, relation.identifier]) }};
  create {% if index_config.unique -%}
    unique
  {%- endif %} index
  "{{ index_name }}"
  on {{ relation }} {% if index_config.type -%}
    using {{ index_config.type }}
  {%- endif %}
  ({{ comma_separated_columns }})
{%- endmacro %}

{#- The model's table name of a relation dbt is building (`companies__dbt_tmp` -> `companies`). -#}
{% macro readable_table_name(relation) -%}
  {%- set identifier = relation.identifier -%}
  {%- if identifier.endswith('__dbt_tmp') -%}
    {{- identifier[:-9] -}}
  {%- else -%}
    {{- identifier -}}
  {%- endif -%}
{%- endmacro %}

{#- A column may carry its order (`total_machines desc`): the name keeps the column only. -#}
{% macro readable_index_name(table, columns, unique=false) -%}
  {%- set names = [] -%}
  {%- for column in columns -%}
    {%- do names.append(column.split()[0]) -%}
  {%- endfor -%}
  {%- set name = table ~ '_' ~ (names | join('_')) ~ ('_key' if unique else '_idx') -%}
  {%- if name | length > 63 -%}
    {{ exceptions.raise_compiler_error(
        'index name ' ~ name ~ ' is longer than the 63 characters Postgres keeps') }}
  {%- endif -%}
  {{- name -}}
{%- endmacro %}

{#-
    Make `index_name` free in `schema`: an index of that name on one of `tables` (the model's own,
    about to be replaced) is dropped; on any other table it stops the build, named.
-#}
{% macro free_index_name(schema, index_name, tables) -%}
    do $amx$
    declare
        found_on text;
    begin
        select t.relname into found_on
        from pg_class i
        join pg_index x on x.indexrelid = i.oid
        join pg_class t on t.oid = x.indrelid
        where i.relname = '{{ index_name }}' and i.relnamespace = to_regnamespace('{{ schema }}');
        if found_on is null then
            return;
        elsif found_on in ('{{ tables | join("', '") }}') then
            execute format('drop index %I.%I', '{{ schema }}', '{{ index_name }}');
        else
            raise exception 'index {{ schema }}.{{ index_name }} already exists on table %', found_on;
        end if;
    end
    $amx$
{%- endmacro %}

{#-
    A mart's constraints (the contract's primary, unique and foreign keys, checks, not nulls) are
    created on `<table>__dbt_tmp` and keep that name after dbt's rename: this post-hook names them
    after the table (`companies__dbt_tmp_pkey` -> `companies_pkey`). A key's index is named like
    it, and the replaced table (dbt's `__dbt_backup`, dropped after the commit) may still hold that
    name: its index is renamed out of the way first.
-#}
{% macro readable_constraint_names(relation) -%}
    {%- if model.config.materialized == 'table' -%}
    do $amx$
    declare
        con record;
        readable text;
        held_by text;
        held_index text;
    begin
        for con in
            select conname from pg_constraint
            where conrelid = '{{ relation }}'::regclass
                and starts_with(conname, '{{ relation.identifier }}__dbt_tmp_')
        loop
            readable := '{{ relation.identifier }}_'
                || substr(con.conname, length('{{ relation.identifier }}__dbt_tmp_') + 1);
            select t.relname, i.relname into held_by, held_index
            from pg_class i
            join pg_index x on x.indexrelid = i.oid
            join pg_class t on t.oid = x.indrelid
            where i.relname = readable and i.relnamespace = to_regnamespace('{{ relation.schema }}');
            if held_by = '{{ relation.identifier }}__dbt_backup' then
                execute format('alter index %I.%I rename to %I', '{{ relation.schema }}',
                    held_index, 'amx_replaced_' || md5(held_index));
            elsif held_by is not null then
                raise exception 'index {{ relation.schema }}.% already exists on table %', readable, held_by;
            end if;
            execute format('alter table {{ relation }} rename constraint %I to %I', con.conname, readable);
        end loop;
    end
    $amx$
    {%- endif -%}
{%- endmacro %}

{#-
    One partial index per value of `column` in the seed or model `vocabulary` (its column of the
    same name), on `key`, named like the others (`readable_index_name`) after the value:
    `company_categories_end_user_idx` on (company_id) where category = 'End user'. A query
    naming the value as a literal or a bound parameter (planned with its value) looks `key` up
    in that value's rows only: an index a tenth the size of one over all values, so each lookup
    stays in cache (the app's critical query probes thousands of companies a call for a category
    rare in a large country). Values outside the vocabulary are served by the table's full
    indexes. A post-hook: the table is in place (dbt has renamed it), and the table it replaces,
    dropped after the commit, frees the names.
-#}
{% macro value_indexes(relation, column, key, vocabulary) -%}
    {%- if execute -%}
    {%- set values = run_query(
        'select distinct ' ~ adapter.quote(column) ~ ' from ' ~ ref(vocabulary)
        ~ ' where ' ~ adapter.quote(column) ~ ' is not null order by 1'
    ).columns[0].values() -%}
    {%- for value in values %}
    {%- set slug = modules.re.sub('[^a-z0-9]+', '_', value | lower).strip('_') -%}
    {%- set index_name = readable_index_name(relation.identifier, [slug]) -%}
    {{ free_index_name(relation.schema, index_name, [relation.identifier ~ '__dbt_backup']) }};
    create index "{{ index_name }}" on {{ relation }} ({{ adapter.quote(key) }})
        where {{ adapter.quote(column) }} = '{{ value | replace("'", "''") }}';
    {%- endfor %}
    {%- endif -%}
{%- endmacro %}
