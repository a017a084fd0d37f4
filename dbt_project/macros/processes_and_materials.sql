{#-
    How a sheet row's process and material get conformed: `process_raw` through int_process_values
    (ISO/ASTM 52900 codes, the single technology code, whether a part is unmapped),
    `material_type_raw` through the material_types seed and `material_format_raw` through the
    material_formats seed (both by `vocabulary_key`). A sheet model selects
    `process_and_material_columns()` and adds `process_and_material_joins('<rows>')` to its joins;
    a sheet without a material format (or without the code list) says so in both.
-#}

{% macro process_and_material_columns(process_codes=true, material_format=true) -%}
    {%- if process_codes %}process_values.process_codes,
        {% endif -%}
        process_values.technology_code,
        process_values.has_unmapped_process,
        material_types.material_category,
        material_types.raw_value is not null as is_material_type_mapped
    {%- if material_format %},
        material_formats.material_format
    {%- endif %}
{%- endmacro %}

{% macro process_and_material_joins(rows, material_format=true) -%}
    left join {{ ref('int_process_values') }} as process_values
        on process_values.process_raw = {{ rows }}.process_raw
    left join {{ ref('material_types') }} as material_types
        on material_types.raw_value = {{ vocabulary_key(rows ~ '.material_type_raw') }}
    {%- if material_format %}
    left join {{ ref('material_formats') }} as material_formats
        on material_formats.raw_value = {{ vocabulary_key(rows ~ '.material_format_raw') }}
    {%- endif %}
{%- endmacro %}
