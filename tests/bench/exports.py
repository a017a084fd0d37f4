"""Exports to benchmark on: the sample scaled to the full export's size, and the real export's
company sheets repeated N times with every company name respelled per copy."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import string
import unicodedata
from pathlib import Path

from loaders.settings import DEFAULT_SOURCE, PROJECT_ROOT
from loaders.sheets import SHEETS, normalise_key

FULL_EXPORT_ROWS = 17_927
FULL_EXPORT_COMPANIES = 5_188
REAL_EXPORT = Path(os.environ.get("AMX_EXPORT") or PROJECT_ROOT.parent / "shared" / "vendor_export")
# Sheets that name companies are repeated in a scaled export; the market sheets and the figure
# directory describe the market, not companies, and are delivered once.
COMPANY_TABLES = (
    "company_information",
    "company_roles",
    "print_services_global",
    "am_systems_mfrs",
    "print_services_pricing",
    "fundings_and_investments",
    "mergers_acquisitions",
)
# Keys whose values name a company (or its website): respelled per copy.
NAME_COLUMNS = ("company_name", "acquired_company", "acquiring_company", "owned_by_subsidiary_of")
WEBSITE_COLUMNS = ("website",)


def scaled_export(target: Path, total_rows: int = FULL_EXPORT_ROWS) -> int:
    """Write the sample's files with their rows repeated to ``total_rows`` rows in all."""
    files = {
        p.name: json.loads(p.read_text(encoding="utf-8")) for p in DEFAULT_SOURCE.glob("*.json")
    }
    sample_rows = sum(len(rows) for rows in files.values())
    written = 0
    for name, rows in files.items():
        n = round(len(rows) * total_rows / sample_rows)
        out = [rows[i % len(rows)] for i in range(n)]
        (target / name).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
        written += n
    return written


class Respeller:
    """Copy ``k`` of an export: every word (run of letters, or of digits) of every company name
    and website label passes through a letter and a digit permutation drawn for that copy.
    Spellings of one company stay consistent within a copy (typos, case and legal forms keep
    their shape), while copies are unrelated firms: any company holding rows of two copies is a
    false merge.

    Permutations alone make short words collide by chance (`EOS` of one copy is `ABC` of another:
    3-letter words have 17,576 spellings, 100 copies use them all), and a false merge would then
    measure the benchmark, not the model. So every respelled word is unique across copies: ``taken``
    (shared by all copies) records which copy's word owns each respelling, and a word whose
    respelling another copy's word owns gets letters appended, drawn for that word, until it is
    free. A word's respelling is fixed at its first sight, so it is the same wherever it occurs.
    Words are unique as the pipeline compares them: letters apart from digits (it drops a
    number glued to a name: `Mantle1524` is `Mantle`) and from other scripts, accents aside
    (`Wdplé` is `WDPLE`); accented letters are respelled as their plain letters. Digit runs need
    not be unique.
    """

    def __init__(self, copy: int, taken: dict[str, tuple[int, str]] | None = None) -> None:
        rng = random.Random(copy)
        lower = list(string.ascii_lowercase)
        shuffled = lower[:]
        rng.shuffle(shuffled)
        digits = list(string.digits)
        shuffled_digits = digits[:]
        rng.shuffle(shuffled_digits)
        table = dict(zip(lower, shuffled, strict=True))
        table |= {a.upper(): b.upper() for a, b in table.items()}
        table |= dict(zip(digits, shuffled_digits, strict=True))
        self.copy = copy
        self._table = str.maketrans(table) if copy else str.maketrans({})
        self._taken = taken if taken is not None else {}
        self._words: dict[str, str] = {}  # word (lower case) -> its respelling (lower case)
        self._cased: dict[str, str] = {}  # word as written -> its respelling, cased alike
        self._values: dict[str, str] = {}  # value -> its respelling

    def _word(self, match: re.Match) -> str:
        word = match.group(0)
        cased = self._cased.get(word)
        if cased is None:
            cased = self._cased[word] = self._spell(word)
        return cased

    def _spell(self, word: str) -> str:
        key = word.lower()
        spelled = self._words.get(key)
        if spelled is None:
            plain = _plain(key)
            spelled = plain.translate(self._table) if self.copy else key
            if not key.isdigit():
                extra = random.Random(f"{self.copy}:{key}")
                owner = (self.copy, plain)
                while self._taken.setdefault(_plain(spelled), owner) != owner:
                    spelled += extra.choice(string.ascii_lowercase)
            self._words[key] = spelled
        # the original's case, letter by letter; appended letters take the last one's case
        cased = "".join(
            c.upper() if o.isupper() else c for o, c in zip(word, spelled, strict=False)
        )
        tail = spelled[len(word) :]
        return cased + (tail.upper() if word[-1].isupper() else tail)

    def _respell(self, value: str) -> str:
        spelled = self._values.get(value)
        if spelled is None:
            spelled = self._values[value] = _WORD.sub(self._word, value)
        return spelled

    def name(self, value: object) -> object:
        return self._respell(value) if isinstance(value, str) else value

    def website(self, value: object) -> object:
        """Respell the registrable label (``www.acme.co.uk/en`` -> ``www.qwzr.co.uk/en``)."""
        if not isinstance(value, str):
            return value
        parts = _DOMAINS(value)
        if not parts.domain:
            return self._respell(value)
        at = value.find(parts.domain, value.find(parts.subdomain) + len(parts.subdomain))
        return value[:at] + self._respell(parts.domain) + value[at + len(parts.domain) :]


# a word: Latin letters, accented or not (other scripts separate words, as the pipeline's names
# drop them: `Flam王D` is `flam d`), or digits
_WORD = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+|[0-9]+")


def _plain(word: str) -> str:
    """The word without its accents (`é` -> `e`)."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _offline_domains():
    import tldextract

    # the Public Suffix List snapshot bundled in the wheel: no network
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


_DOMAINS = _offline_domains()


def respelled_export(source: Path, target: Path, copies: int) -> dict[str, int]:
    """The export with its company sheets repeated ``copies`` times, each copy respelled.

    Returns rows per file in one copy (the original), to tell a row's copy from its position.
    """
    per_copy: dict[str, int] = {}
    target.mkdir(parents=True, exist_ok=True)
    taken: dict[str, tuple[int, str]] = {}  # respelled word -> (copy, word): unique across copies
    spellers = [Respeller(k, taken) for k in range(copies)]
    sheets = {
        sheet.file_name: json.loads(next(source.rglob(sheet.file_name)).read_text("utf-8"))
        for sheet in SHEETS
        if sheet.table in COMPANY_TABLES
    }
    # every copy's words first, copy by copy: the original (copy 0) keeps its own spelling and
    # a word's respelling does not depend on which sheet the files are written in
    column = {k: normalise_key(k) for rows in sheets.values() for row in rows for k in row}
    named = {
        name: (
            [(r, k) for r in rows for k, v in r.items() if column[k] in NAME_COLUMNS and v],
            [(r, k) for r in rows for k, v in r.items() if column[k] in WEBSITE_COLUMNS and v],
        )
        for name, rows in sheets.items()
    }
    for speller in spellers:
        for names, websites in named.values():
            for row, key in names:
                speller.name(row[key])
            for row, key in websites:
                speller.website(row[key])
    for sheet in SHEETS:
        path = next(source.rglob(sheet.file_name))
        if sheet.table not in COMPANY_TABLES:
            per_copy[sheet.file_name] = len(json.loads(path.read_text(encoding="utf-8")))
            shutil.copyfile(path, target / sheet.file_name)
            continue
        rows = sheets[sheet.file_name]
        per_copy[sheet.file_name] = len(rows)
        keys = {k: normalise_key(k) for row in rows for k in row}
        with (target / sheet.file_name).open("w", encoding="utf-8") as out:
            out.write("[")
            first = True
            for speller in spellers:
                for row in rows:
                    copied = {}
                    for key, value in row.items():
                        column = keys[key]
                        if column in NAME_COLUMNS:
                            value = speller.name(value)
                        elif column in WEBSITE_COLUMNS:
                            value = speller.website(value)
                        copied[key] = value
                    out.write(("" if first else ",") + json.dumps(copied, ensure_ascii=False))
                    first = False
            out.write("]")
    return per_copy
