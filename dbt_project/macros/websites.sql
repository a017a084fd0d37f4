{#-
    Website rules, written once. A raw website value goes through:
      website_body      -> the text after the scheme (`www.https://x` repaired to `https://x`)
      website_host      -> lower-case host without port
      canonical_url     -> scheme (default https) + lower-case host + path, no trailing slash
      website_problem   -> 'email_address' | 'malformed_url' | null
      registrable_domain-> host minus subdomains, using the public suffix seed (`co.uk` aware)
    Invalid values get a null URL/domain and a problem flag; the raw value is kept by the caller.
-#}

{% macro website_body(expr) -%}
    regexp_replace(
        regexp_replace({{ clean_text(expr) }}, '^www\.(?=[a-z]+://)', '', 'i'),
        '^[a-z][a-z0-9+.-]*://', '', 'i'
    )
{%- endmacro %}

{% macro website_host(expr) -%}
    lower(substring({{ website_body(expr) }} from '^[^/?#:@]+'))
{%- endmacro %}

{% macro website_problem(expr, suffixes_relation) -%}
    case
        when {{ clean_text(expr) }} is null then null
        when {{ clean_text(expr) }} ~* '^(mailto:)?[^@/\s]+@[^@/\s]+\.[a-z]{2,}$' then 'email_address'
        when {{ website_body(expr) }} ~* '^[^@/\s]+@[^@/\s]+\.[a-z]{2,}/?$' then 'email_address'
        when {{ website_host(expr) }} !~ '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}|xn--[a-z0-9-]+)$'
            then 'malformed_url'
        when {{ last_labels(website_host(expr), 1) }} not in (
            select suffix from {{ suffixes_relation }} where label_count = 1
        ) then 'malformed_url'
    end
{%- endmacro %}

{% macro canonical_url(expr) -%}
    (
        coalesce(lower(substring(
            regexp_replace({{ clean_text(expr) }}, '^www\.(?=[a-z]+://)', '', 'i')
            from '^([a-z][a-z0-9+.-]*)://')), 'https')
        || '://' || {{ website_host(expr) }}
        || coalesce(rtrim(substring({{ website_body(expr) }} from '^[^/?#]+([/?#].*)$'), '/'), '')
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
