"""The synthetic export: the contract's format, determinism, a truth that points at names,
every kind of name corruption, and the hard negatives."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dedupe.evaluate import evaluate, load_truth
from dedupe.synthetic import generate_export
from loaders.sheets import SHEETS_BY_FILE
from loaders.vendor_files import read_delivery
from tests.synthetic_export import FILES, NAME_KEYS, PAD, Export

# Rows of the full export (the contract's table).
FULL = dict(zip(FILES, (5188, 5564, 2366, 302, 3524, 413, 32, 193, 48, 205, 92), strict=True))

STR, INT, FLT, NUL = str, int, float, type(None)
# The contract, key by key (spelled out here, independently of the generator): allowed types.
CONTRACT: dict[str, dict[str, tuple[type, ...]]] = {
    "Company_information.json": {
        "Company name": (STR,),
        "Website": (STR,),
        "Headquarters": (STR,),
        "Owned by / Subsidiary of": (STR,),
        "Public stock": (STR,),
        "Number of employees": (INT,),
    },
    "Company_roles.json": {"Company name": (STR,), "Category": (STR,)},
    "COMPANY___Print_services_global.json": {
        "Company name": (STR,),
        "Segment": (STR,),
        "Printer manufacturer": (STR,),
        "Printer model": (STR, INT),
        "Number of printers": (INT,),
        "Count type": (STR,),
        "Process": (STR,),
        "Material type": (STR,),
        "Material format": (STR,),
        "Country": (STR, INT),
        "Update year": (INT,),
    },
    "COMPANY___AM_systems_mfrs.json": {
        "Company name": (STR,),
        "Segment": (STR,),
        "Process": (STR,),
        "Material type": (STR,),
        "Material format": (STR,),
        "Country": (STR,),
    },
    "Print_services_Pricing_data.json": {
        "Company name": (STR,),
        "Material type": (STR,),
        "Material": (STR,),
        "Process": (STR,),
        "Quantity": (INT,),
        "Manufacturing cost": (FLT, INT),
        "Shipping cost": (FLT, INT, NUL),
        "Day ordered": (INT,),
        "Delivery date": (INT,),
        "Lead time": (INT,),
        "Country": (STR,),
        "Scattered plot with manufacturing cost vs delivery time": (STR,),
    },
    "Fundings_and_investments.json": {
        "Year": (INT,),
        "Month": (STR,),
        "Company name": (STR,),
        "Country": (STR,),
        "Amount (in millions USD)": (FLT, INT, STR),
        "Funding round": (STR,),
        "Lead investor": (STR,),
        "__EMPTY_2": (STR,),
    },
    "M_A.json": {
        f"Deal date{PAD}": (STR,),
        f"Acquired company{PAD}": (STR,),
        f"Acquiring company{PAD}": (STR,),
        f"Deal size ($M) {PAD}": (INT, FLT),
        f"Country{PAD}": (STR,),
    },
    "AM_market_revenue_2024.json": {
        " Revenue (USD) ": (FLT, INT),
        "Country": (STR,),
        "Segment": (STR,),
        "__EMPTY_1": (STR,),
        "__EMPTY_2": (STR,),
        "__EMPTY_3": (STR,),
        "__EMPTY_4": (STR,),
    },
    "Revenue_by_industry_2024.json": {
        "Industry": (STR,),
        "Share of revenue (%)": (FLT, INT),
        "Revenue (USD)": (INT, FLT),
        "Region": (STR,),
        "Material": (STR,),
        "__EMPTY_1": (STR,),
        "__EMPTY_2": (STR,),
        "__EMPTY_3": (STR,),
        "__EMPTY_4": (STR,),
    },
    "Total_AM_market_size.json": {
        "Year": (INT,),
        "Type": (STR,),
        "Segment": (STR,),
        " Past revenue (USD) ": (INT,),
        "__EMPTY_1": (STR,),
        "__EMPTY_2": (STR,),
        "__EMPTY_3": (STR,),
    },
    "Directory.json": {
        "Figure name": (STR,),
        "Sheet name and link": (STR,),
        "V1": (INT, STR),
        "Notes": (STR,),
        "__EMPTY": (STR,),
        "Needs further work?": (STR,),
    },
}
# -- format -----------------------------------------------------------------------------------


def test_writes_the_eleven_files_and_the_truth(export: Export) -> None:
    assert sorted(p.name for p in export.out.iterdir()) == sorted((*FILES, "truth.csv"))
    assert list(export.counts) == list(FILES)
    for f in FILES:
        rows = export.data[f]
        assert isinstance(rows, list) and rows, f
        assert all(isinstance(r, dict) and r for r in rows), f
        assert export.counts[f] == len(rows), f


@pytest.mark.parametrize("file", FILES)
def test_keys_and_value_types_follow_the_contract(export: Export, file: str) -> None:
    allowed = CONTRACT[file]
    seen: set[str] = set()
    for i, row in enumerate(export.data[file]):
        for key, value in row.items():
            assert key in allowed, f"{file}[{i}]: unexpected key {key!r}"
            assert type(value) in allowed[key], f"{file}[{i}][{key!r}] = {value!r}"
            if isinstance(value, str) and key != "Website":  # only Website has "" cells
                assert value != "", f"{file}[{i}][{key!r}] is empty"
        seen.update(row)
    # every key the landing code knows as required is present in the export
    assert set(SHEETS_BY_FILE[file].required_keys) <= seen
    # and nothing the landing code does not know
    assert seen <= set(SHEETS_BY_FILE[file].known_keys)


def test_files_use_the_vendor_layout(export: Export) -> None:
    raw = (export.out / "M_A.json").read_bytes()
    assert raw.startswith(b'[\n {\n  "Deal date\xe2\x80\xaf\xc2\xa0": "')
    assert raw.endswith(b"\n }\n]")
    assert b"\\u" not in raw  # non-ASCII written as UTF-8, never escaped


def test_quirks_of_the_export(export: Export) -> None:
    d = export.data
    ma = d["M_A.json"]
    for row in ma:
        assert all(k.endswith(PAD) for k in row)
        assert all(v.endswith(PAD) for v in row.values() if isinstance(v, str))
        assert re.fullmatch(
            rf"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d{PAD}", row[f"Deal date{PAD}"]
        )
    assert any(r[f"Deal size ($M) {PAD}"] == 0 for r in ma)
    assert any(v.endswith(" " + PAD) for r in ma for v in r.values() if isinstance(v, str))
    ps = d["COMPANY___Print_services_global.json"]
    assert any(r.get("Country") == 0 for r in ps)
    assert any(isinstance(r.get("Printer model"), int) for r in ps)
    pricing = d["Print_services_Pricing_data.json"]
    for r in pricing:
        assert 44000 < r["Day ordered"] < 47000  # Excel serial days (2020s)
        assert r["Lead time"] == r["Delivery date"] - r["Day ordered"]
    assert any(r["Lead time"] < 0 for r in pricing)
    assert any(r.get("Shipping cost", 0) is None for r in pricing)
    assert any(type(r["Manufacturing cost"]) is float for r in pricing)
    assert any(r["Country"] == "U.S." for r in pricing)
    amounts = [r.get("Amount (in millions USD)") for r in d["Fundings_and_investments.json"]]
    assert " " in amounts
    assert any(
        isinstance(a, str) and re.fullmatch(r"(£|€)[\d.]+|[\d.]+ (PLN|SEK|CHF)", a) for a in amounts
    )
    assert any(type(a) is float for a in amounts) and any(type(a) is int for a in amounts)
    master = export.master()
    assert any(r.get("Website") == "" for r in master)
    assert any("Website" not in r for r in master)
    assert any("Headquarters" not in r for r in master)
    assert sum("Number of employees" in r for r in master) == 1
    assert any(
        re.fullmatch(r"[A-Z]+: ?[A-Z0-9]+|\d+:SHH|\d{5}\.HK", r.get("Public stock", ""))
        for r in master
    )
    for f in (
        "AM_market_revenue_2024.json",
        "Revenue_by_industry_2024.json",
        "Total_AM_market_size.json",
    ):
        assert any(k.startswith("__EMPTY") for r in d[f] for k in r), f
    assert any("\u00a0" in r["Industry"] for r in d["Revenue_by_industry_2024.json"])


def test_full_size_export_has_the_contract_counts_and_loads_cleanly(tmp_path) -> None:
    counts = generate_export(5188, 5, tmp_path)
    assert counts == FULL  # 17,927 rows, sheet by sheet as in the contract's table
    with (tmp_path / "truth.csv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in fh) - 1 == 17_421  # the company-name mentions of the full export
    # the project's own reader accepts the delivery, with no drift from the contract
    delivery = read_delivery(tmp_path)
    assert delivery.row_count == 17_927
    assert delivery.drift == [] and all(f.drift == [] for f in delivery.files)


# -- determinism ------------------------------------------------------------------------------


def _bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_same_seed_same_bytes_in_any_process(tmp_path) -> None:
    a, b, c, d = (tmp_path / x for x in "abcd")
    generate_export(150, 3, a)
    generate_export(150, 3, b)
    assert _bytes(a) == _bytes(b)
    # another interpreter with another string-hash seed: still the same bytes
    code = (
        "import sys; from pathlib import Path; from dedupe.synthetic import generate_export; "
        "generate_export(150, 3, Path(sys.argv[1]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-c", code, str(c)],
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert _bytes(a) == _bytes(c)
    generate_export(150, 4, d)
    da, dd = _bytes(a), _bytes(d)
    assert da["Company_information.json"] != dd["Company_information.json"]
    assert da["truth.csv"] != dd["truth.csv"]


# sha256 (first 16 hex digits) of every file of ``generate_export(300, 11)`` as the generator wrote
# them before its split into ``dedupe.synthetic``: a change to a draw, word list or key shows here.
GOLDEN_300_11 = {
    "AM_market_revenue_2024.json": "c68d53fdaf0b0d91",
    "COMPANY___AM_systems_mfrs.json": "004ad14b38a9424c",
    "COMPANY___Print_services_global.json": "f88bf9c84d35f3d2",
    "Company_information.json": "e98b79442ea20c4d",
    "Company_roles.json": "3714fec5a261a47a",
    "Directory.json": "d2e9b4fad499b43e",
    "Fundings_and_investments.json": "ece76363a22a4aef",
    "M_A.json": "c0a4c289ac848bda",
    "Print_services_Pricing_data.json": "3428c8bb4339d34a",
    "Revenue_by_industry_2024.json": "4dd419dc2041c836",
    "Total_AM_market_size.json": "90a80510b34090aa",
    "truth.csv": "05282bbb9e3cc472",
}


def test_output_bytes_are_unchanged(export: Export) -> None:
    """The same seed and size give the very bytes they gave before (update on purpose only)."""
    got = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16]
        for p in sorted(export.out.iterdir())
    }
    assert got == GOLDEN_300_11


# -- truth ------------------------------------------------------------------------------------


def test_truth_covers_every_name_mention_exactly_once(export: Export) -> None:
    keys = set()
    for t in export.truth_rows:
        f, i, field = t["source_file"], int(t["source_row"]), t["source_field"]
        assert re.fullmatch(r"E\d{7}", t["entity_id"])
        assert 0 <= i < len(export.data[f])
        value = export.data[f][i][NAME_KEYS[field]]
        assert isinstance(value, str) and value.strip(PAD + " ")
        key = (f, i, field)
        assert key not in keys
        keys.add(key)
    expected = set()
    for f in FILES[:6]:
        expected |= {(f, i, "company_name") for i in range(len(export.data[f]))}
    for i in range(len(export.data["M_A.json"])):
        expected |= {("M_A.json", i, "acquired_company"), ("M_A.json", i, "acquiring_company")}
    assert keys == expected
    assert len(load_truth(export.out / "truth.csv")) == len(expected)


def test_entities_outside_the_master_exist(export: Export) -> None:
    in_master = {e for e in export.master_entity()}
    outside = {
        f
        for ms in export.names.values()
        for f, _r, _n in ms
        if ms and all(m[0] != "Company_information.json" for m in ms)
    }
    assert {
        "Print_services_Pricing_data.json",
        "Fundings_and_investments.json",
        "M_A.json",
    } <= outside
    assert len(in_master) < len(export.names)


def test_perfect_prediction_scores_one_and_exact_names_do_not(export: Export) -> None:
    truth = load_truth(export.out / "truth.csv")
    assert evaluate(truth, truth)["pairwise"]["f1"] == 1.0
    # Clustering on the lower-cased name: hard negatives make false pairs, corruption misses.
    lowered = {}
    for t in export.truth_rows:
        row = export.data[t["source_file"]][int(t["source_row"])]
        name = row[NAME_KEYS[t["source_field"]]]
        key = f"{t['source_file']}:{t['source_row']}:{t['source_field']}"
        lowered[key] = name.strip(PAD + " ").lower()
    res = evaluate(truth, lowered)
    assert res["counts"]["false_positive_pairs"] > 0
    assert res["counts"]["false_negative_pairs"] > 0


# -- corruption kinds -------------------------------------------------------------------------
