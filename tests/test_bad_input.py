"""A bad delivery fails with a message naming file, row and key; raw keeps the previous load."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from loaders.cli import app
from loaders.sheets import SHEETS
from tests.conftest import load_sample, overlay

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


def test_malformed_json_names_file_line_and_column(delivery, previous, database):
    result = _load(overlay(delivery, "malformed_json"))
    _assert_refused(result, previous, database, "Company_roles.json", "line 3", "column")


def test_file_that_is_not_a_list_is_refused(delivery, previous, database):
    result = _load(overlay(delivery, "not_a_list"))
    _assert_refused(result, previous, database, "M_A.json", "expected a JSON list")


def test_row_that_is_not_an_object_names_the_row(delivery, previous, database):
    result = _load(overlay(delivery, "row_not_object"))
    _assert_refused(result, previous, database, "Directory.json", "row 1", "not an object")


def test_empty_file_is_refused(delivery, previous, database):
    result = _load(overlay(delivery, "empty_file"))
    _assert_refused(result, previous, database, "Fundings_and_investments.json", "empty")


def test_key_missing_from_every_row_is_a_renamed_column(delivery, previous, database):
    result = _load(overlay(delivery, "renamed_key"))
    _assert_refused(
        result, previous, database, "Company_roles.json", "'Category'", "missing from every row"
    )


def test_nested_value_names_file_row_and_key(delivery, previous, database):
    result = _load(overlay(delivery, "impossible_type"))
    _assert_refused(
        result, previous, database, "Company_information.json", "row 1", "'Website'", "dict"
    )


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
