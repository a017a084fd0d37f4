"""The dbt files generated from the sheet registry and the production table list are current:
after a change to loaders/sheets.py or loaders/production.py, `python -m loaders.dbt_sources`
rewrites them (no list is written twice by hand)."""

from __future__ import annotations

import re
from pathlib import Path

from loaders import dbt_sources
from loaders.settings import DBT_PROJECT_DIR
from loaders.sheets import SHEETS


def test_generated_dbt_files_match_the_registry():
    stale = [str(p.relative_to(DBT_PROJECT_DIR)) for p in dbt_sources.stale()]
    assert stale == [], "run `python -m loaders.dbt_sources` and commit the result"


def test_a_registry_change_makes_them_stale(monkeypatch):
    renamed = (SHEETS[0].__class__(**{**SHEETS[0].__dict__, "file_name": "Renamed.json"}),)
    monkeypatch.setattr(dbt_sources, "SHEETS", renamed + SHEETS[1:])
    assert set(dbt_sources.stale()) == {dbt_sources.SOURCES_YML, dbt_sources.MACRO_SQL}


def test_models_never_write_a_sheet_file_name():
    """Models say `sheet_file('<table>')`; a file name written as a SQL string would be a second
    home (comments may name the file they describe)."""
    names = [re.escape(f"'{s.file_name}'") for s in SHEETS]
    written = re.compile("|".join(names))
    offenders = [
        str(path.relative_to(DBT_PROJECT_DIR))
        for folder in ("models", "macros", "tests")
        for path in Path(DBT_PROJECT_DIR, folder).rglob("*.sql")
        if path != dbt_sources.MACRO_SQL and written.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
