{#-
    Row-level security for the app (seed plan §2.3): everyone may read, only `authenticated` may
    insert. On Supabase the roles `anon` / `authenticated` and `auth.role()` already exist; on any
    other Postgres (the embedded one, CI) `ensure_app_roles` creates compatible stand-ins, so the
    same policies work everywhere.
-#}

{% macro ensure_app_roles() -%}
    {%- if execute -%}
    do $amx$
    begin
        if not exists (select 1 from pg_roles where rolname = 'anon') then
            create role anon nologin;
        end if;
        if not exists (select 1 from pg_roles where rolname = 'authenticated') then
            create role authenticated nologin;
        end if;
        -- Supabase's auth.role() reads the JWT role claim; the stand-in falls back to the
        -- session's role, so `set role authenticated` behaves like a signed-in user.
        if not exists (
            select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'auth' and p.proname = 'role'
        ) then
            create schema if not exists auth;
            create function auth.role() returns text language sql stable as $fn$
                select coalesce(
                    nullif(current_setting('request.jwt.claim.role', true), ''),
                    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role',
                    current_user::text
                )
            $fn$;
            grant usage on schema auth to anon, authenticated;
            grant execute on function auth.role() to anon, authenticated;
        end if;
    end
    $amx$;
    create schema if not exists {{ var('marts_schema') }};
    grant usage on schema {{ var('marts_schema') }} to anon, authenticated;
    {%- endif -%}
{%- endmacro %}

{#-
    Pre-hook of every mart: only `amx run`'s publish step writes the live schema (a swap of a
    tested shadow build, loaders/publish/). A hand-run `dbt build` builds the marts into the
    development schema (var marts_schema, default `amx_dev`); pointing it at `public` is refused
    here, before anything is created.
-#}
{% macro refuse_live_schema(relation) -%}
    {%- if execute and relation.schema == 'public' -%}
        {{ exceptions.raise_compiler_error(
            "refusing to build " ~ relation ~ " straight into the live schema: `amx run` builds"
            ~ " into public__shadow, tests, then publishes; a hand-run dbt build uses the"
            ~ " development schema (the default var marts_schema)") }}
    {%- endif -%}
{%- endmacro %}

{#-
    Post-hook of every mart: grants, RLS policies, a default id for rows the app inserts.
    `anon` reads only (SELECT; RLS is the second line, not the only one), `authenticated` reads
    and inserts, Supabase's `service_role` (where it exists) gets what Supabase's default
    privileges give it on tables created in `public` — the marts are created in the shadow
    schema and moved, so those defaults never apply to them.
-#}
{% macro apply_app_access(relation) -%}
    do $amx$
    begin
        if exists (select 1 from pg_roles where rolname = 'service_role') then
            execute 'grant all on {{ relation }} to service_role';
        end if;
    end
    $amx$;
    {%- if model.config.materialized == 'view' %}
    grant select on {{ relation }} to anon, authenticated
    {%- else %}
    grant select on {{ relation }} to anon;
    grant select, insert on {{ relation }} to authenticated;
    -- rows the app inserts get an id like the ones dbt derives (random, not name-based)
    alter table {{ relation }} alter column id set default gen_random_uuid();
    alter table {{ relation }} enable row level security;
    drop policy if exists app_read on {{ relation }};
    create policy app_read on {{ relation }} for select using (true);
    drop policy if exists app_insert_authenticated on {{ relation }};
    create policy app_insert_authenticated on {{ relation }} for insert to authenticated
        with check (auth.role() = 'authenticated')
    {%- endif -%}
{%- endmacro %}

{#-
    A trigram index for fuzzy search on a text column (seed plan §2.2), created only where the
    pg_trgm extension is available; elsewhere a notice says it was skipped. The replaced table's
    index of that name (a hand-run build over an earlier one) is dropped first: otherwise
    `if not exists` would skip it on the new table.
-#}
{% macro trigram_index(relation, column_name) -%}
    {{ free_index_name(relation.schema, relation.identifier ~ '_' ~ column_name ~ '_trgm',
                       [relation.identifier, relation.identifier ~ '__dbt_backup']) }};
    do $amx$
    begin
        if exists (select 1 from pg_available_extensions where name = 'pg_trgm') then
            create extension if not exists pg_trgm;
            execute format(
                'create index if not exists %I on %s using gin (%I gin_trgm_ops)',
                '{{ relation.identifier }}_{{ column_name }}_trgm', '{{ relation }}', '{{ column_name }}'
            );
        else
            raise notice 'pg_trgm is not available: skipped the trigram index on {{ relation }}.{{ column_name }}';
        end if;
    end
    $amx$
{%- endmacro %}

{#-
    A company the app inserts between builds has no equipment yet as far as the build knows: its
    machine figures (columns of companies computed at build, as of the last build) default to none,
    so the app's inserts need not name them and `order by total_machines desc` never meets a null.
-#}
{% macro machine_figure_defaults(relation) -%}
    alter table {{ relation }}
        alter column total_machines set default 0,
        alter column unique_manufacturers set default 0,
        alter column unique_processes set default 0,
        alter column unique_materials set default 0,
        alter column processes set default '{}',
        alter column materials set default '{}',
        alter column fleet_rows set default 0,
        alter column product_lines set default 0
{%- endmacro %}
