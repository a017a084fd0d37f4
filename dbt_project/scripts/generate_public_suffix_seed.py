"""Generate ``seeds/public_suffixes.csv`` from tldextract's *bundled* Public Suffix List snapshot.

Offline by design (no network fetch): ``TLDExtract(suffix_list_urls=())`` reads the snapshot that
ships inside the tldextract wheel. Only the ICANN section is used (no private suffixes such as
``github.io``), and wildcard/exception rules are skipped. The registrable-domain rule itself lives
once, in SQL (``macros/websites.sql``); this seed is its data.

Run from the repository root: ``python dbt_project/scripts/generate_public_suffix_seed.py``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import tldextract

SEED = Path(__file__).resolve().parents[1] / "seeds" / "public_suffixes.csv"


def suffixes() -> list[str]:
    extractor = tldextract.TLDExtract(
        cache_dir=None, suffix_list_urls=(), include_psl_private_domains=False
    )
    tlds = extractor._get_tld_extractor().tlds_excl_private  # the bundled ICANN snapshot
    keep = set()
    for s in tlds:
        if s.startswith(("*", "!")):
            continue
        try:
            s.encode("ascii")
        except UnicodeEncodeError:
            s = s.encode("idna").decode("ascii")  # hosts reach SQL in their ASCII form
        keep.add(s.lower())
    return sorted(keep)


def main() -> None:
    data = suffixes()
    with SEED.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["suffix", "label_count"])
        for s in data:
            w.writerow([s, s.count(".") + 1])
    print(f"wrote {len(data)} public suffixes to {SEED}")


if __name__ == "__main__":
    main()
