"""Linkage quality on the real export, scored against the development half of the hand labels.

One pipeline run of the full export (`../shared/vendor_export`, every stage up to publish, no
steward decisions) in a database of its own; every measure is then read from it. The floors sit
a little under what the committed model measures (README, "Company linkage"), so a change that
makes linkage on real data worse fails here. CI has `../shared` beside the clone; without it the
test is skipped, saying why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dedupe.labels import format_report, load_labels, score
from loaders import pipeline
from tests.conftest import scratch_database

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXPORT = SHARED / "vendor_export"
LABELS = SHARED / "linkage_dev_labels"

# measured: P 0.982, R 0.982, F1 0.982; mentions 0.970; queue 300 items catching 6 of 6 (the
# issue's targets: P >= 0.95, F1 >= 0.93, mentions >= 0.93, catch >= 80% with <= 300 items)
FLOORS = {
    "pair_precision": 0.95,
    "pair_f1": 0.95,
    "mention_accuracy": 0.95,
    "queue_catch_rate": 0.80,
}
MAX_QUEUE_ITEMS = 300

pytestmark = pytest.mark.skipif(
    not (EXPORT.is_dir() and LABELS.is_dir()),
    reason=f"the real export and its labels are not at {SHARED}",
)


@pytest.fixture(scope="module")
def real_report(database):
    db = scratch_database(database, "amx_real_export")
    summary = pipeline.run(db, EXPORT, write_report=False)
    assert summary.published, "the real export's build did not publish"
    report = score(db, load_labels(LABELS))
    print(format_report(report))
    return report


def test_real_export_linkage_stays_above_its_floors(real_report):
    measured = {
        "pair_precision": real_report.pairs["precision"],
        "pair_f1": real_report.pairs["f1"],
        "mention_accuracy": real_report.mentions["accuracy"],
        "queue_catch_rate": real_report.queue["catch_rate"],
    }
    print("linkage on the real export:", measured)
    for name, floor in FLOORS.items():
        assert measured[name] >= floor, f"{name} = {measured[name]:.3f} < {floor}"


def test_review_queue_is_a_session_not_a_backlog(real_report):
    assert 0 < real_report.queue["items"] <= MAX_QUEUE_ITEMS


def test_every_sheet_with_labels_is_scored(real_report):
    sheets = set(real_report.per_sheet)
    assert {"Company_roles", "Fundings_and_investments", "Print_services_Pricing"} <= sheets
    assert {"M_A:acquired", "M_A:acquiring"} <= sheets
    for sheet, s in real_report.per_sheet.items():
        assert s["labelled"] > 0, sheet
