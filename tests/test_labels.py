"""`amx link evaluate --labels`: scoring the published build against hand labels.

Labels are written here from what the sample build holds, so the expected scores are known: a
test that labels a merged pair `no_match` must see exactly that false merge reported.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dedupe.labels import format_report, load_labels, score, sheet_file

M = "Company_information.json"


def test_label_sheet_names_map_to_contract_files() -> None:
    assert sheet_file("Company_roles") == ("Company_roles.json", "company_name")
    assert sheet_file("Print_services_Pricing") == (
        "Print_services_Pricing_data.json",
        "company_name",
    )
    assert sheet_file("AM_systems_mfrs") == ("COMPANY___AM_systems_mfrs.json", "company_name")
    assert sheet_file("M_A:acquired") == ("M_A.json", "acquired_company")
    assert sheet_file("M_A:acquiring") == ("M_A.json", "acquiring_company")
    with pytest.raises(ValueError, match="Nope"):
        sheet_file("Nope")


def _write(directory: Path, pairs: list[tuple], mentions: list[tuple]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "pairs.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["pair_id", "left_row", "right_row", "label"])
        w.writerows(pairs)
    with (directory / "mentions.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["mention_id", "sheet", "sheet_row", "candidate_row", "label"])
        w.writerows(mentions)
    return directory


def test_unknown_label_is_refused(tmp_path) -> None:
    d = _write(tmp_path, [("P1", 0, 1, "maybe")], [])
    with pytest.raises(ValueError, match=r"pairs.csv:2: unknown label 'maybe'"):
        load_labels(d)


def test_scores_follow_the_published_companies(built_db, tmp_path) -> None:
    with built_db.connect() as conn:
        merged = conn.execute(
            "select array_agg(source_row order by source_row) from public.company_source_records"
            " where source_file = %s group by company_id having count(*) > 1 limit 2",
            (M,),
        ).fetchall()
        (a, b), (c, _) = merged[0][0][:2], merged[1][0][:2]
        linked = conn.execute(
            "select o.source_row, min(m.source_row) from public.company_source_records o"
            " join public.company_source_records m on m.company_id = o.company_id"
            " and m.source_file = %s where o.source_file = 'Company_roles.json'"
            " group by o.source_row order by o.source_row limit 2",
            (M,),
        ).fetchall()
    (r1, m1), (r2, m2) = linked
    labels = _write(
        tmp_path / "labels",
        pairs=[
            ("P1", a, b, "match"),  # right: same company
            ("P2", b, a, "no_match"),  # wrong: a false merge
            ("P3", a, c, "match"),  # wrong: a missed link
            ("P4", a, c, "unsure"),  # left out
        ],
        mentions=[
            ("M1", "Company_roles", r1, m1, "match"),  # right
            ("M2", "Company_roles", r2, m2, "no_master"),  # wrong: it is linked to a master
        ],
    )
    report = score(built_db, load_labels(labels))
    assert (report.pairs["tp"], report.pairs["fp"], report.pairs["fn"]) == (1, 1, 1)
    assert report.pairs["precision"] == 0.5 and report.pairs["recall"] == 0.5
    assert report.mentions == {"accuracy": 0.5, "right": 1, "labelled": 2}
    assert report.per_sheet["Company_roles"]["labelled"] == 2
    kinds = sorted((e.kind, e.label_id) for e in report.errors)
    assert kinds == [("false_merge", "P2"), ("mention_false_link", "M2"), ("missed_link", "P3")]
    assert report.queue["errors"] == 3
    text = format_report(report)
    assert "precision 0.500" in text and "P2" in text and "M2" in text
