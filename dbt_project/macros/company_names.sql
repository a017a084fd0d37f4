{#-
    Company-name rules, written once and used by `int_company_mentions`.

    company_name_key: the deterministic matching key of the interim resolution rule — lower-case
    ASCII, `&` = `and`, punctuation and spacing ignored (`Progol 3D` = `Progol3D`), trailing legal
    forms dropped (`Ltd.`, `GmbH & Co. KG`, `S.r.l.`, `Co., Ltd.`). It never removes words that
    distinguish firms (regions such as `Europe`, `Group`, `Division`).
-#}

{#- Lower-case ASCII words of a name: dots inside abbreviations removed (`S.r.l.` -> `srl`),
    `&` -> `and`, every other non-alphanumeric run -> one space. -#}
{% macro company_name_words(expr) -%}
    btrim(regexp_replace(
        replace(replace(lower({{ strip_accents(expr) }}), '.', ''), '&', ' and '),
        '[^a-z0-9]+', ' ', 'g'
    ))
{%- endmacro %}

{#- Legal-form words (`gmbh`, `ltd`, `sp z o o`…): dropped from the end of a name, and not
    business words where they stand inside one. -#}
{% macro legal_form_words() -%}
    {{ return(['gmbh', 'mbh', 'ag', 'kg', 'kgaa', 'ohg', 'ug', 'ek', 'ev', 'co', 'corp',
        'corporation', 'company', 'inc', 'incorporated', 'ltd', 'limited', 'llc', 'llp', 'lp', 'plc',
        'sa', 'sas', 'sarl', 'srl', 'spa', 'sl', 'slu', 'bv', 'nv', 'oy', 'oyj', 'ab', 'as', 'aps',
        'sro', 'sp', 'z', 'o', 'oo', 'zoo', 'pty', 'pvt', 'private', 'kk', 'ltda', 'se', 'sae', 'cv',
        'jsc', 'pjsc', 'ooo', 'pte', 'bhd', 'sdn', 'and']) }}
{%- endmacro %}

{#- The words without trailing legal forms (falls back to all words if nothing else is left). -#}
{% macro company_name_core_words(expr) -%}
    {%- set forms = legal_form_words() -%}
    coalesce(
        nullif(btrim(regexp_replace(
            ' ' || {{ company_name_words(expr) }},
            '(?: (?:{{ forms | join("|") }}))+$', ''
        )), ''),
        {{ company_name_words(expr) }}
    )
{%- endmacro %}

{% macro company_name_key(expr) -%}
    {{ company_name_key_of_core_words(company_name_core_words(expr)) }}
{%- endmacro %}

{#- The key from the core words already computed (company_name_core_words). -#}
{% macro company_name_key_of_core_words(core_words) -%}
    nullif(replace({{ core_words }}, ' ', ''), '')
{%- endmacro %}

{#-
    Ticker as `EXCHANGE:TICKER`: `NYSE: DDD` -> `NYSE:DDD`, `ASX:TTT` -> `ASX:TTT`,
    reversed `688237:SHH` -> `SHH:688237`, `01789.HK` -> `HK:01789`; other shapes kept as written.
-#}
{% macro normalise_ticker(expr) -%}
    case
        when upper({{ clean_text(expr) }}) ~ '^[A-Z]+ ?: ?[A-Z0-9.]+$'
            then regexp_replace(upper({{ clean_text(expr) }}), '^([A-Z]+) ?: ?([A-Z0-9.]+)$', '\1:\2')
        when upper({{ clean_text(expr) }}) ~ '^[0-9][A-Z0-9]* ?: ?[A-Z]+$'
            then regexp_replace(upper({{ clean_text(expr) }}), '^([A-Z0-9]+) ?: ?([A-Z]+)$', '\2:\1')
        when upper({{ clean_text(expr) }}) ~ '^[A-Z0-9]+\.[A-Z]{1,3}$'
            then regexp_replace(upper({{ clean_text(expr) }}), '^([A-Z0-9]+)\.([A-Z]{1,3})$', '\2:\1')
        else {{ clean_text(expr) }}
    end
{%- endmacro %}
