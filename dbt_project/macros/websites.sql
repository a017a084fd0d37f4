{#-
    Website rules, written once. A raw website value goes through, each step reading the one
    before it (the caller computes every step once, as a column):
      clean_text        -> the value with invisible characters and runs of spaces removed
      website_unprefixed-> `www.` glued before a scheme dropped (`www.https://x` -> `https://x`)
      website_body      -> the text after the scheme
      website_host      -> lower-case host without port
      canonical_url     -> scheme (default https) + lower-case host + path, no trailing slash
      website_problem   -> 'email_address' | 'malformed_url' | null
      registrable_domain-> host minus subdomains, using the public suffix seed (`co.uk` aware)
    Invalid values get a null URL/domain and a problem flag; the raw value is kept by the caller.
-#}

{#- `clean`: the value after clean_text; `www.` glued before a scheme dropped. -#}
{% macro website_unprefixed(clean) -%}
    regexp_replace({{ clean }}, '^www\.(?=[a-z]+://)', '', 'i')
{%- endmacro %}

{#- `unprefixed`: the value after website_unprefixed. -#}
{% macro website_body(unprefixed) -%}
    regexp_replace({{ unprefixed }}, '^[a-z][a-z0-9+.-]*://', '', 'i')
{%- endmacro %}

{#- `body`: the value after website_body. -#}
{% macro website_host(body) -%}
    lower(substring({{ body }} from '^[^/?#:@]+'))
{%- endmacro %}

{#- A host is dot-separated labels of letters, digits and inner hyphens, each at most 63
    characters; the last is 2 to 63 letters or a punycode `xn--` label. The length limits are
    checked apart from the pattern: a bounded repetition (`{0,61}`) inside it costs some 30 µs a
    value, a third of all the website rules at 100x the export. -#}
{% macro website_problem(clean, body, host, suffixes_relation) -%}
    case
        when {{ clean }} is null then null
        when {{ clean }} ~* '^(mailto:)?[^@/\s]+@[^@/\s]+\.[a-z]{2,}$' then 'email_address'
        when {{ body }} ~* '^[^@/\s]+@[^@/\s]+\.[a-z]{2,}/?$' then 'email_address'
        when {{ host }} !~ '^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+([a-z]+|xn--[a-z0-9-]+)$'
            then 'malformed_url'
        -- a label longer than 63 characters (only a host longer than that can hold one)
        when length({{ host }}) > 64 and {{ host }} ~ '[^.]{64}\.' then 'malformed_url'
        when {{ host }} ~ '\.[a-z]$' or (length({{ host }}) > 64 and {{ host }} ~ '\.[a-z]{64,}$')
            then 'malformed_url'
        when {{ last_labels(host, 1) }} not in (
            select suffix from {{ suffixes_relation }} where label_count = 1
        ) then 'malformed_url'
    end
{%- endmacro %}

{% macro canonical_url(unprefixed, body, host) -%}
    (
        coalesce(lower(substring({{ unprefixed }} from '^([a-z][a-z0-9+.-]*)://')), 'https')
        || '://' || {{ host }}
        || coalesce(rtrim(substring({{ body }} from '^[^/?#]+([/?#].*)$'), '/'), '')
    )
{%- endmacro %}

{#- The last `n` dot-separated labels of a host (the whole host when it has fewer). -#}
{% macro last_labels(host, n) -%}
    array_to_string(
        (string_to_array({{ host }}, '.'))[greatest(cardinality(string_to_array({{ host }}, '.')) - {{ n }} + 1, 1):],
        '.'
    )
{%- endmacro %}

{#-
    Registrable domain ("eTLD+1"): the longest public suffix of the host plus one label.
    `shop.example.co.uk` -> `example.co.uk`; `www.example.com` -> `example.com`.
-#}
{% macro registrable_domain(host, suffixes_relation, max_suffix_labels=3) -%}
    case
        when {{ host }} is null then null
        {%- for n in range(max_suffix_labels, 1, -1) %}
        when cardinality(string_to_array({{ host }}, '.')) > {{ n }}
            and {{ last_labels(host, n) }} in (
                select suffix from {{ suffixes_relation }} where label_count = {{ n }}
            )
            then {{ last_labels(host, n + 1) }}
        {%- endfor %}
        else {{ last_labels(host, 2) }}
    end
{%- endmacro %}
