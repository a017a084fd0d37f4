"""The synthetic export: the contract's format, determinism, a truth that points at names,
every kind of name corruption, and the hard negatives."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from dedupe.evaluate import evaluate, load_truth
from dedupe.synthetic import generate_export
from loaders.sheets import SHEETS_BY_FILE
from loaders.vendor_files import read_delivery

PAD = "\u202f\u00a0"  # U+202F U+00A0, the M&A padding
FILES = (
    "Company_information.json",
    "Company_roles.json",
    "COMPANY___Print_services_global.json",
    "COMPANY___AM_systems_mfrs.json",
    "Print_services_Pricing_data.json",
    "Fundings_and_investments.json",
    "M_A.json",
    "AM_market_revenue_2024.json",
    "Revenue_by_industry_2024.json",
    "Total_AM_market_size.json",
    "Directory.json",
)
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
NAME_KEYS = {
    "company_name": "Company name",
    "acquired_company": f"Acquired company{PAD}",
    "acquiring_company": f"Acquiring company{PAD}",
}
LEGAL = re.compile(
    r"(,?\s+(inc\.?|incorporated|llc|l\.l\.c\.|corp\.?|corporation|ltd\.?|limited|gmbh"
    r"( & co\.? kg)?|ag( & co\. kgaa)?|se|plc|s\.r\.l\.|srl|s\.p\.a\.|spa|sas|s\.a\.s\.|sarl|"
    r"s\.a\.|sa|s\.l\.|sl|b\.v\.|bv|n\.v\.|nv|sp\. ?z o\.o\.|s\. ?r\. ?o\.|a\.s\.|co\.?,? ?ltd\.?|"
    r"k\.k\.|ab|a/s|aps|oy|as|pvt\.? ltd\.?|private limited|llp|pty\.? ltd\.?|\(pty\) ltd|"
    r"ltda\.?|s\.a\. de c\.v\.|kft\.?|d\.o\.o\.|a\.ş\.|lda\.?))+$",
    re.IGNORECASE,
)
REGIONS = (
    "Europe",
    "North America",
    "Asia Pacific",
    "Americas",
    "Deutschland",
    "UK",
    "Japan",
    "China",
    "India",
    "Iberica",
    "Nordic",
    "Benelux",
    "Italia",
    "France",
    "Korea",
)


def base_name(name: str) -> str:
    return LEGAL.sub("", name.strip()).strip()


def unmojibake(text: str) -> str:
    """Undo UTF-8-read-as-Windows-1252 (bytes cp1252 leaves undefined map to themselves)."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 255:
                return text
            out.append(ord(ch))
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return text


DE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def fold(text: str) -> str:
    text = text.translate(str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "ß": "ss", "İ": "I"}))
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class Export:
    def __init__(self, out: Path, counts: dict[str, int]) -> None:
        self.out = out
        self.counts = counts
        self.data = {f: json.loads((out / f).read_text(encoding="utf-8")) for f in FILES}
        with (out / "truth.csv").open(encoding="utf-8", newline="") as fh:
            self.truth_rows = list(csv.DictReader(fh))
        self.names: dict[str, list[tuple[str, int, str]]] = defaultdict(list)  # entity -> mentions
        for t in self.truth_rows:
            row = self.data[t["source_file"]][int(t["source_row"])]
            name = row[NAME_KEYS[t["source_field"]]]
            if t["source_file"] == "M_A.json":
                name = name.removesuffix(PAD).rstrip(" ")
            self.names[t["entity_id"]].append((t["source_file"], int(t["source_row"]), name))

    def all_names(self) -> list[str]:
        return [n for ms in self.names.values() for _f, _r, n in ms]

    def same_entity_pairs(self):
        for ms in self.names.values():
            distinct = sorted({n for _f, _r, n in ms})
            for i, a in enumerate(distinct):
                for b in distinct[i + 1 :]:
                    yield a, b
                    yield b, a

    def master(self) -> list[dict]:
        return self.data["Company_information.json"]

    def master_entity(self) -> list[str]:
        ids = [""] * len(self.master())
        for t in self.truth_rows:
            if t["source_file"] == "Company_information.json":
                ids[int(t["source_row"])] = t["entity_id"]
        return ids


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Export:
    out = tmp_path_factory.mktemp("export300")
    counts = generate_export(300, 11, out)
    return Export(out, counts)


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


PAREN = re.compile(r"(.+) \(([^()]+)\)")
DASHED = re.compile(r"([A-Z0-9]{2,6}) – (.+)")
ACRONYM = re.compile(r"(?=.*[A-Z])[A-Z0-9]{2,6}")


def _alias_parts(name: str, rx: re.Pattern) -> tuple[str, ...]:
    """("Long", "ACR") for "Long (ACR)", "ACR (Long)" or "ACR – Long"; () otherwise."""
    m = rx.fullmatch(name)
    if not m or not any(ACRONYM.fullmatch(g) for g in m.groups()):
        return ()
    return m.groups()


def _alias_of(a: str, b: str, rx: re.Pattern) -> bool:
    """``a`` is ``b`` (legal form aside) with an acronym alias attached."""
    return base_name(b) in {base_name(p) for p in _alias_parts(a, rx)}


def _pair(export: Export, test) -> bool:
    return any(test(a, b) for a, b in export.same_entity_pairs())


def _any(export: Export, pattern: str) -> bool:
    rx = re.compile(pattern)
    return any(rx.search(n) for n in export.all_names())


KINDS = {
    "legal form": lambda e: _pair(
        e, lambda a, b: a != b and base_name(a) == base_name(b) and base_name(a) != a
    ),
    "case": lambda e: _pair(e, lambda a, b: a != b and a.lower() == b.lower()),
    "spacing": lambda e: _pair(
        e,
        lambda a, b: (
            a.lower() != b.lower()
            and re.sub(r"[\s-]", "", a.lower()) == re.sub(r"[\s-]", "", b.lower())
        ),
    ),
    "& vs and": lambda e: _pair(
        e, lambda a, b: "&" in a and " and " in b and re.sub(r"\s*&\s*", " and ", a) == b
    ),
    "parenthetical acronym": lambda e: _pair(e, lambda a, b: _alias_of(a, b, PAREN)),
    "dashed acronym": lambda e: _pair(e, lambda a, b: _alias_of(a, b, DASHED)),
    "brand vs Chinese legal name": lambda e: _pair(
        e,
        lambda a, b: (
            a.endswith(("Co., Ltd.", "Co., Ltd.)")) and " " not in b and f" {b} " in f" {a} "
        ),
    ),
    "(part of X)": lambda e: _any(e, r" \(part of [^)]+\)"),
    "(now part of X)": lambda e: _any(e, r" \(now part of [^)]+\)"),
    "(formerly Y)": lambda e: _any(e, r" \(formerly [^)]+\)"),
    "(acquired by X)": lambda e: _any(e, r" \(acquired by [^)]+\)"),
    "– closed": lambda e: _any(e, r" – closed$"),
    "ticker tag": lambda e: _any(e, r" \([A-Z]{2,4}: [A-Z]{2,5}\)$"),
    "(via marketplace)": lambda e: _any(e, r" \(via [A-Z][A-Za-z]+\)$"),
    "by Seller": lambda e: _pair(e, lambda a, b: a.endswith(" by " + b)),
    "booth number": lambda e: _pair(
        e, lambda a, b: bool(re.fullmatch(re.escape(b) + r"\d{3,4}", a))
    ),
    "mojibake": lambda e: _pair(e, lambda a, b: a != b and unmojibake(a) == b),
    "accents": lambda e: _pair(
        e, lambda a, b: a != b and a in (fold(b), b.translate(DE), fold(b.translate(DE)))
    ),
    "OCR l/i/I": lambda e: _pair(
        e,
        lambda a, b: (
            len(a) == len(b)
            and sum(x != y for x, y in zip(a, b, strict=True)) == 1
            and {x for x, y in zip(a, b, strict=True) if x != y} <= set("liI")
            and {y for x, y in zip(a, b, strict=True) if x != y} <= set("liI")
        ),
    ),
    "leading no-break space": lambda e: _any(e, r"^\u00a0\S"),
    "short form": lambda e: _pair(
        e, lambda a, b: a != b and " " not in a and base_name(b).startswith(a + " ")
    ),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_corruption_kind_appears(export: Export, kind: str) -> None:
    assert KINDS[kind](export), f"no {kind} variant in a 300-company export"


def _hq(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.replace("\ufeff", "").strip().lower().removeprefix("the ")
    return {"czechia": "czech republic", "napal": "nepal", "netherlands": "netherlands"}.get(v, v)


def test_master_twins_far_apart_with_other_websites_and_hqs(export: Export) -> None:
    master, ids = export.master(), export.master_entity()
    rows_of: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(ids):
        rows_of[e].append(i)
    twins = [rows for rows in rows_of.values() if len(rows) > 1]
    assert len(twins) >= 15
    far = [r for r in twins if max(r) - min(r) > len(master) // 4]
    assert far
    assert any(len({master[i].get("Website") for i in r} - {None, ""}) > 1 for r in far)
    assert any(
        master[i].get("Website", "").startswith(("https://careers.", "https://jobs."))
        for r in twins
        for i in r
    )
    hqs = [{_hq(master[i].get("Headquarters")) for i in r} - {None} for r in twins]
    assert any(len(h) > 1 for h in hqs), "no twin with a wrong HQ"
    # and the one exact repeat
    assert any(master[i] == master[j] for r in twins for i in r for j in r if i < j)


# -- hard negatives ---------------------------------------------------------------------------


def test_hard_negatives_are_present(export: Export) -> None:
    master, ids = export.master(), export.master_entity()
    names = [(base_name(r["Company name"]), ids[i], r) for i, r in enumerate(master)]
    by_base: dict[str, set[str]] = defaultdict(set)
    for base, e, _r in names:
        by_base[base.lower()].add(e)
    # parent vs regional arm: "X" and "X Europe" are different companies
    regional = [
        (base, e)
        for base, e, r in names
        if any(base.endswith(" " + reg) for reg in REGIONS)
        and any(
            e2 != e
            for e2 in by_base.get(
                base.rsplit(" ", 1 if not base.endswith(("North America", "Asia Pacific")) else 2)[
                    0
                ].lower(),
                (),
            )
        )
    ]
    assert regional, "no parent / regional-arm pair"
    assert any("Owned by / Subsidiary of" in r for _b, _e, r in names)
    # same generic name, different companies in different countries
    same_name = [b for b, es in by_base.items() if len(es) > 1]
    assert same_name, "no unrelated firms with the same name"
    hq_of = defaultdict(set)
    for base, _e, r in names:
        if base.lower() in same_name and r.get("Headquarters"):
            hq_of[base.lower()].add(_hq(r["Headquarters"]))
    assert any(len(h) > 1 for h in hq_of.values())
    # distinct companies sharing a website
    by_site: dict[str, set[str]] = defaultdict(set)
    for i, r in enumerate(master):
        if r.get("Website"):
            site = re.sub(r"^(https?://)?(www\.)?", "", r["Website"].lower()).rstrip("/")
            by_site[site].add(ids[i])
    assert any(len(es) > 1 for es in by_site.values()), "no shared website"
