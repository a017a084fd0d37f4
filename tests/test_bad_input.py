"""A bad delivery fails with a message naming file, row and key; raw keeps the previous load."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from loaders.cli import app
from loaders.sheets import SHEETS
from tests.conftest import SAMPLE, load_sample, overlay

runner = CliRunner()


def _raw_state(database):
    with database.connect() as conn:
        counts = {
            s.table: conn.execute(f"select count(*) from raw.{s.table}").fetchone()[0]
            for s in SHEETS
        }
        load_ids = conn.execute("select distinct _dlt_load_id from raw.company_roles").fetchall()
    return counts, load_ids


def _load(source):
    return runner.invoke(app, ["load", "--source", str(source)])


@pytest.fixture
def previous(database, sample_loaded):
    load_sample(database)
    return _raw_state(database)


def _assert_refused(result, previous, database, *fragments):
    assert result.exit_code == 1, result.output
    for fragment in fragments:
        assert fragment in result.output, result.output
    assert "Traceback" not in result.output
    assert _raw_state(database) == previous


def test_missing_files_are_all_listed(delivery, previous, database):
    (delivery / "M_A.json").unlink()
    (delivery / "Directory.json").unlink()
    _assert_refused(
        _load(delivery), previous, database, "missing expected file", "M_A.json", "Directory.json"
    )


# Each bad overlay of the fixtures (tests/fixtures/bad_input/<case>) and what the refusal names.
REFUSED = {
    "malformed_json": ("Company_roles.json", "line 3", "column"),
    "not_a_list": ("M_A.json", "expected a JSON list"),
    "row_not_object": ("Directory.json", "row 1", "not an object"),
    "empty_file": ("Fundings_and_investments.json", "empty"),
    # a key missing from every row is a renamed column
    "renamed_key": ("Company_roles.json", "'Category'", "missing from every row"),
    "impossible_type": ("Company_information.json", "row 1", "'Website'", "dict"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_file_is_refused_naming_file_row_and_key(case, delivery, previous, database):
    _assert_refused(_load(overlay(delivery, case)), previous, database, *REFUSED[case])


def test_missing_source_directory_is_a_clear_error(tmp_path, previous, database):
    _assert_refused(_load(tmp_path / "nowhere"), previous, database, "does not exist")


def test_new_key_and_unknown_file_load_and_are_reported(delivery, previous, database):
    result = _load(overlay(delivery, "schema_drift"))
    try:
        assert result.exit_code == 0, result.output
        assert "schema drift" in result.output
        assert "Founded" in result.output and "Exhibitors_2025.json" in result.output
        with database.connect() as conn:
            founded = conn.execute(
                "select founded from raw.company_roles where _source_row = 1"
            ).fetchone()
            kinds = {
                r[0]
                for r in conn.execute(
                    "select kind from audit.schema_drift where load_id ="
                    " (select max(load_id) from audit.loads)"
                )
            }
        assert founded == ("1999",)
        assert kinds == {"new_key", "unknown_file"}
    finally:
        load_sample(database)
    with database.connect() as conn:
        cols = {
            r[0]
            for r in conn.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'raw' and table_name = 'company_roles'"
            )
        }
    assert "founded" not in cols  # the next delivery without the key drops its column


# --- hostile deliveries (written by the tests: a megabyte of nesting is no fixture file) ------


def _rows(delivery, file_name):
    return json.loads((delivery / file_name).read_text(encoding="utf-8-sig"))


def _write(delivery, file_name, text):
    (delivery / file_name).write_text(text, encoding="utf-8")
    return delivery


def test_a_key_twice_in_one_object_is_refused_naming_file_row_and_key(delivery, previous, database):
    rows = _rows(delivery, "Company_roles.json")
    parts = [json.dumps(r) for r in rows]
    parts[2] = '{"Company name": "Twice Ltd", "Category": "End user", "Category": "Investor"}'
    result = _load(_write(delivery, "Company_roles.json", "[" + ",\n".join(parts) + "]"))
    _assert_refused(
        result, previous, database, "Company_roles.json", "row 2", "'Category'", "appears twice"
    )


def test_deep_nesting_is_refused_naming_the_file(delivery, previous, database):
    result = _load(_write(delivery, "Directory.json", "[" * 200_000 + "]" * 200_000))
    _assert_refused(result, previous, database, "Directory.json", "nested too deeply")


def test_a_5000_digit_number_is_refused_naming_file_row_and_key(delivery, previous, database):
    rows = _rows(delivery, "M_A.json")
    key = next(k for k in rows[1] if k.startswith("Deal size"))
    rows[1][key] = "<huge>"
    text = json.dumps(rows).replace('"<huge>"', "9" * 5000)
    result = _load(_write(delivery, "M_A.json", text))
    _assert_refused(result, previous, database, "M_A.json", "row 1", repr(key), "out of range")


def test_a_key_longer_than_63_characters_lands_whole_under_a_distinct_column(
    delivery, previous, database
):
    long_a = "Remarks on the company as recorded by the analyst team during the 2025 review A"
    long_b = long_a[:-1] + "B"  # same first 63 characters: cutting would merge them
    rows = _rows(delivery, "Company_roles.json")
    rows[0][long_a], rows[1][long_b] = "first", "second"
    result = _load(_write(delivery, "Company_roles.json", json.dumps(rows)))
    try:
        assert result.exit_code == 0, result.output
        assert "long_key" in result.output
        with database.connect() as conn:
            key_map = conn.execute(
                "select key_map from audit.loads where source_file = 'Company_roles.json'"
                " order by loaded_at desc limit 1"
            ).fetchone()[0]
            col_a, col_b = key_map[long_a], key_map[long_b]
            values = conn.execute(
                f'select "{col_a}", "{col_b}" from raw.company_roles'
                " where _source_row in (0, 1) order by _source_row"
            ).fetchall()
        assert col_a != col_b and len(col_a) <= 63 and len(col_b) <= 63
        assert values == [("first", None), (None, "second")]  # no value lost, none moved
    finally:
        load_sample(database)


def test_a_drift_column_dropped_by_the_next_delivery_does_not_break_raw_or_staging(
    delivery, previous, database
):
    from loaders import dbt_runner, pipeline

    staging = ["run", "--select", "stg_vendor__company_roles"]
    result = _load(overlay(delivery, "schema_drift"))
    assert result.exit_code == 0, result.output
    dbt_runner.run_dbt(
        database, staging, vars_=pipeline.SHADOW_VARS
    )  # the view reads `founded` now
    summary = load_sample(database)  # the next delivery lacks the key
    assert any("dropped_column" in d and "founded" in d for d in summary.drift), summary.drift
    assert _raw_state(database)[0] == previous[0]
    dbt_runner.run_dbt(database, staging, vars_=pipeline.SHADOW_VARS)  # and the next build works
    with database.connect() as conn:
        assert (
            conn.execute("select count(*) from staging.stg_vendor__company_roles").fetchone()[0]
            == previous[0]["company_roles"]
        )


def test_a_drift_column_read_by_someone_elses_view_is_refused_naming_it(
    delivery, previous, database
):
    assert _load(overlay(delivery, "schema_drift")).exit_code == 0
    with database.connect() as conn:
        conn.execute("create view public.app_founded as select founded from raw.company_roles")
        before = _raw_state(database)
    try:
        result = _load(SAMPLE)
        _assert_refused(result, before, database, "public.app_founded", "founded")
    finally:
        with database.connect() as conn:
            conn.execute("drop view public.app_founded")
        load_sample(database)
