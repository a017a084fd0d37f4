"""A delivery with absurd company names goes through every stage: the rows are quarantined with
their reason, the build passes its tests and publishes (a name over ~2,700 bytes used to fail the
whole build at the btree index on ``companies.name``)."""

from __future__ import annotations

import json
import shutil

import pytest

from loaders import pipeline
from tests.conftest import SAMPLE, scratch_database

MEGABYTE_NAME = "Acme " + "x" * 1_000_000
LONG_NAME = "Long Name Additive " + "y" * 600
FINE_NAME = "Just Under The Limit " + "z" * (499 - len("Just Under The Limit "))


@pytest.fixture(scope="module")
def hostile_run(database, tmp_path_factory):
    source = tmp_path_factory.mktemp("hostile") / "delivery"
    shutil.copytree(SAMPLE, source)
    rows = json.loads((source / "Company_roles.json").read_text(encoding="utf-8-sig"))
    rows[0]["Company name"] = MEGABYTE_NAME
    rows[1]["Company name"] = LONG_NAME
    rows[2]["Company name"] = FINE_NAME
    (source / "Company_roles.json").write_text(json.dumps(rows), encoding="utf-8")
    db = scratch_database(database, "amx_hostile_names")
    summary = pipeline.run(db, source, write_report=False)
    return db, summary


def test_names_of_500_characters_or_more_are_quarantined_with_their_reason(hostile_run):
    db, summary = hostile_run
    assert summary.published is not None  # built, tested and published
    with db.connect() as conn:
        rejected = conn.execute(
            "select source_row, rule, offending_value from audit.rejected_rows"
            " where sheet = 'Company_roles.json' and source_row in (0, 1, 2) order by source_row"
        ).fetchall()
        fine = conn.execute(
            "select count(*) from public.companies where name = %s", (FINE_NAME,)
        ).fetchone()[0]
        longest = conn.execute("select max(length(name)) from public.companies").fetchone()[0]
    assert rejected == [
        (0, "company_name_too_long", MEGABYTE_NAME[:80]),
        (1, "company_name_too_long", LONG_NAME[:80]),
    ]
    assert fine == 1  # 499 characters is a (strange) name, kept
    assert longest < 500
