"""The dbt project's view of what lands in ``raw``, generated from the Python that lands it.

The sheet registry (``loaders/sheets.py``) and the app tables production is read from
(``loaders/production.py``) are the one home of those lists. Two dbt files are written from them,
never edited by hand: the source YAML of schema ``raw`` (one source table per vendor sheet, its
file in ``meta``, and one per production table) and the macros ``vendor_sheets()``,
``sheet_file()`` and ``production_tables()`` that models use instead of writing a list or a file
name. ``python -m loaders.dbt_sources`` rewrites both after a change to either list;
``tests/test_dbt_sources.py`` fails while they are stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from loaders import production
from loaders.settings import DBT_PROJECT_DIR
from loaders.sheets import SHEETS

SOURCES_YML = DBT_PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"
MACRO_SQL = DBT_PROJECT_DIR / "macros" / "raw_tables.sql"
_HEADER = (
    "Generated from loaders/sheets.py and loaders/production.py by"
    " `python -m loaders.dbt_sources`: do not edit."
)

_SOURCE_HEAD = f"""# {_HEADER}
version: 2

sources:
  - name: vendor
    description: >
      The vendor export as landed by `loaders/` (dlt): one table per sheet in schema `raw`.
      Every sheet column is `text`, values verbatim (numbers as their JSON text, padding kept,
      absent key = null). Lineage columns: `_source_file` (file name), `_source_row` (0-based
      position in the file's JSON list — the lineage key of every later stage), `_dlt_load_id`,
      `_dlt_id`.
      Each file's keys (invisible padding included) are in loaders/sheets.py. Optional keys may be
      absent from a delivery; staging reads them through `source_column_or_null`.
    schema: raw
    tables:
"""
_LINEAGE = """        columns: &lineage
          - name: _source_file
            description: File the row came from.
            data_tests: [not_null]
          - name: _source_row
            description: 0-based position of the row in the file's JSON list.
            data_tests: [not_null]
"""


_PRODUCTION_HEAD = f"""
  - name: production
    description: >
      What the target database's live schema held when the run started (loaders/production.py):
      one row per row of each app table, the whole row as `record` (jsonb), lineage
      `_source_file` = `{production.LIVE}.<table>`, `_source_row`. Empty tables when production has
      none.
    schema: {production.RAW}
    tables:
"""


def sources_yml() -> str:
    parts = [_SOURCE_HEAD]
    for i, sheet in enumerate(SHEETS):
        parts.append(
            f"      - name: {sheet.table}\n"
            f"        description: {sheet.file_name} — {sheet.about}.\n"
            f"        meta:\n"
            f"          file_name: {sheet.file_name}\n"
        )
        parts.append(_LINEAGE if i == 0 else "        columns: *lineage\n")
    parts.append(_PRODUCTION_HEAD)
    for table in production.TABLES:
        parts.append(
            f"      - name: {production.raw_table(table)}\n"
            f"        description: {production.LIVE}.{table} as production held it.\n"
        )
    return "".join(parts)


def macro_sql() -> str:
    listed = ",\n".join(f"        ('{s.table}', '{s.file_name}')" for s in SHEETS)
    return f"""{{# {_HEADER} #}}

{{% macro vendor_sheets() %}}
    {{#- (raw table, file name) of every vendor sheet, in the registry's order -#}}
    {{{{ return([
{listed}
    ]) }}}}
{{% endmacro %}}

{{% macro sheet_file(table) %}}
    {{#- The file a vendor sheet's rows come from, as a SQL string literal (a model filters its
        rows by `source_file = {{{{ sheet_file('company_roles') }}}}`, never by a written name) -#}}
    {{%- for name, file_name in vendor_sheets() if name == table -%}}
        '{{{{ file_name }}}}'
    {{%- else -%}}
        {{{{ exceptions.raise_compiler_error("sheet_file: no vendor sheet '" ~ table ~ "'") }}}}
    {{%- endfor -%}}
{{% endmacro %}}

{{% macro production_tables() %}}
    {{#- The app tables production is read from (source `production`, `production__<table>`) -#}}
    {{{{ return([{", ".join(f"'{t}'" for t in production.TABLES)}]) }}}}
{{% endmacro %}}
"""


GENERATED: dict[Path, callable] = {SOURCES_YML: sources_yml, MACRO_SQL: macro_sql}


def stale() -> list[Path]:
    """The generated files that differ from what the registry generates now."""
    return [
        path
        for path, render in GENERATED.items()
        if not path.exists() or path.read_text(encoding="utf-8") != render()
    ]


def main() -> int:
    for path, render in GENERATED.items():
        path.write_text(render(), encoding="utf-8")
        print(f"wrote {path.relative_to(DBT_PROJECT_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
