"""An existing production snapshot (amx run --existing): its companies keep their ids."""

from __future__ import annotations

import json

import pytest

from loaders.existing import read_existing
from loaders.vendor_files import VendorFileError

KEPT_ID = "0b5e2c4a-1f3d-4e6a-9b7c-2d8e0f1a3b5c"
GONE_ID = "7d1f0c2e-5a4b-4c3d-8e9f-1a2b3c4d5e6f"


def _write(tmp_path, rows) -> object:
    path = tmp_path / "existing.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"id": KEPT_ID}, "expected a JSON list"),
        ([{"name": "Acme"}], "row 0, key 'id': missing"),
        ([{"id": "42", "name": "Acme"}], "row 0, key 'id': '42' is not a UUID"),
        ([{"id": KEPT_ID, "name": "A"}, {"id": KEPT_ID, "name": "B"}], "row 1, key 'id': repeats"),
        ([{"id": KEPT_ID, "name": "Acme", "ceo": "x"}], "row 0: unknown key(s) 'ceo'"),
        ([{"id": KEPT_ID, "name": ["Acme"]}], "row 0, key 'name': expected a string"),
    ],
)
def test_bad_snapshot_is_refused_naming_row_and_key(tmp_path, rows, message):
    with pytest.raises(VendorFileError) as error:
        read_existing(_write(tmp_path, rows))
    assert message in str(error.value)


def test_existing_company_keeps_its_id_and_absent_ones_are_not_created(built_db, tmp_path):
    from loaders import pipeline
    from tests.conftest import SAMPLE

    with built_db.connect() as conn:
        name, website, country = conn.execute(
            "select name, website, country_code from public.companies"
            " where website is not null and country_code is not null order by name limit 1"
        ).fetchone()
    snapshot = _write(
        tmp_path,
        [
            {"id": KEPT_ID, "name": name, "website": website, "country": country},
            {"id": GONE_ID, "name": "Zzyzx Vanished Additive GmbH", "website": None,
             "country": "Germany"},
        ],
    )  # fmt: skip
    try:
        pipeline.run(built_db, SAMPLE, existing=snapshot)
        with built_db.connect() as conn:
            kept = conn.execute(
                "select name from public.companies where id = %s", (KEPT_ID,)
            ).fetchone()
            gone = conn.execute(
                "select count(*) from public.companies where id = %s", (GONE_ID,)
            ).fetchone()[0]
            records = conn.execute(
                "select count(*) from public.company_source_records"
                " where source_file = 'existing_companies.json'"
            ).fetchone()[0]
        assert kept == (name,)
        assert gone == 0 and records == 0
    finally:
        pipeline.run(built_db, SAMPLE)
