"""Landing the vendor export in raw: counts, lineage, key mapping, idempotence."""

from __future__ import annotations

import json

import pytest

from loaders.sheets import SHEETS, normalise_key
from tests.conftest import SAMPLE, load_sample, scratch_database


def _json_len(file_name: str) -> int:
    return len(json.loads((SAMPLE / file_name).read_text(encoding="utf-8")))


def test_every_sheet_lands_with_the_files_row_count(database, sample_loaded):
    with database.connect() as conn:
        for sheet in SHEETS:
            (count,) = conn.execute(f"select count(*) from raw.{sheet.table}").fetchone()
            assert count == _json_len(sheet.file_name), sheet.file_name


def test_source_row_covers_every_position_once(database, sample_loaded):
    with database.connect() as conn:
        for sheet in SHEETS:
            rows = conn.execute(
                f"select min(_source_row), max(_source_row), count(distinct _source_row),"
                f" count(*), min(_source_file), max(_source_file) from raw.{sheet.table}"
            ).fetchone()
            n = _json_len(sheet.file_name)
            assert rows == (0, n - 1, n, n, sheet.file_name, sheet.file_name)


def test_row_values_land_verbatim_at_their_position(database, sample_loaded):
    data = json.loads((SAMPLE / "M_A.json").read_text(encoding="utf-8"))
    with database.connect() as conn:
        got = conn.execute(
            "select acquired_company, deal_size_usd_m from raw.mergers_acquisitions"
            " where _source_row = 3"
        ).fetchone()
    assert got[0] == data[3]["Acquired company\u202f\u00a0"]  # padding kept: staging trims
    assert got[1] == str(data[3]["Deal size ($M) \u202f\u00a0"])


@pytest.mark.parametrize(
    ("original", "column"),
    [
        ("Deal size ($M) \u202f\u00a0", "deal_size_usd_m"),
        ("Acquired company\u202f\u00a0", "acquired_company"),
        (" Revenue (USD) ", "revenue_usd"),
        (" Past revenue (USD) ", "past_revenue_usd"),
        ("Share of revenue (%)", "share_of_revenue_pct"),
        ("Owned by / Subsidiary of", "owned_by_subsidiary_of"),
        ("Amount (in millions USD)", "amount_in_millions_usd"),
        ("Needs further work?", "needs_further_work"),
        ("__EMPTY_2", "empty_2"),
    ],
)
def test_original_keys_map_to_documented_columns(original, column):
    assert normalise_key(original) == column


def test_manifest_records_each_file_with_its_key_map(database, sample_loaded):
    with database.connect() as conn:
        rows = conn.execute(
            "select source_file, row_count, key_map, length(sha256) from audit.loads"
            " where load_id = %s",
            (sample_loaded.load_id,),
        ).fetchall()
    # the vendor files (the same load also records production's tables, `public.<table>`, when
    # earlier tests of this shared database published some)
    by_file = {r[0]: r for r in rows if not r[0].startswith("public.")}
    assert set(by_file) == {s.file_name for s in SHEETS}
    ma = by_file["M_A.json"]
    assert ma[1] == _json_len("M_A.json")
    assert ma[2]["Deal size ($M) \u202f\u00a0"] == "deal_size_usd_m"
    assert ma[3] == 64


def test_second_load_of_same_input_is_idempotent(database, sample_loaded):
    def snapshot():
        with database.connect() as conn:
            return {
                s.table: conn.execute(
                    f"select count(*), count(distinct _source_row) from raw.{s.table}"
                ).fetchone()
                for s in SHEETS
            }

    before = snapshot()
    again = load_sample(database)
    assert snapshot() == before
    assert again.load_id != sample_loaded.load_id
    with database.connect() as conn:
        (history,) = conn.execute(
            "select count(distinct load_id) from audit.loads where load_id in (%s, %s)",
            (sample_loaded.load_id, again.load_id),
        ).fetchone()
    assert history == 2  # the manifest is append-only


def test_empty_strings_and_nulls_land_apart_across_arrow_batches(database, delivery, monkeypatch):
    """A vendor's "" is not a missing value: both land as they were, in every batch dlt gets."""
    from loaders import land

    monkeypatch.setattr(land, "ARROW_BATCH_ROWS", 2)  # the sheet's 6 rows cross 3 batches
    path = delivery / "M_A.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    key = "Acquired company\u202f\u00a0"
    data[1][key] = ""
    data[3][key] = None
    del data[4][key]
    path.write_text(json.dumps(data), encoding="utf-8")
    db = scratch_database(database, "amx_empty_strings")
    land.land_source(db, delivery)  # in this process: the batch size above applies
    with db.connect() as conn:
        got = dict(
            conn.execute(
                "select _source_row, acquired_company from raw.mergers_acquisitions"
            ).fetchall()
        )
    assert sorted(got) == list(range(len(data)))
    assert (got[1], got[3], got[4]) == ("", None, None)
    assert got[5] == data[5][key]


def test_the_embedded_server_runs_with_the_bulk_build_settings(database):
    if not database.embedded:
        pytest.skip(
            "not the embedded server (Postgres 15, or AMX_TEST_DATABASE_URL): its own settings"
        )
    from loaders.db import EMBEDDED_SETTINGS

    with database.connect() as conn:
        for name, value in EMBEDDED_SETTINGS.items():
            (current,) = conn.execute("select current_setting(%s)", [name]).fetchone()
            assert current == value, name
