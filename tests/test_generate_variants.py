"""The synthetic export holds every kind of name corruption the vendor's sheets show, the
master list's twins and the hard negatives (different companies that look alike)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

import pytest

from tests.synthetic_export import Export

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
