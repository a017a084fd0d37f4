"""Generate ``seeds/countries.csv`` (ISO 3166-1) from pycountry.

Run from the repository root: ``python dbt_project/scripts/generate_country_seed.py``.
The CSV is committed; re-run only when pycountry's ISO data changes. Vendor spellings that are not
an ISO name (``U.S.``, ``The United Kingdom``, ``Luxemburg``…) belong in ``country_aliases.csv``,
which a person edits; this file is never edited by hand.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry

SEED = Path(__file__).resolve().parents[1] / "seeds" / "countries.csv"

# Kosovo has no ISO 3166-1 code; XK is the user-assigned code the EU, IMF and most data
# providers use. The vendor lists Kosovo as a country, so we carry it explicitly.
EXTRA = [
    {
        "country_code": "XK",
        "alpha_3": "XKX",
        "country_name": "Kosovo",
        "official_name": "Republic of Kosovo",
        "iso_name": "Kosovo",
    }
]


def rows() -> list[dict[str, str]]:
    out = []
    for c in pycountry.countries:
        out.append(
            {
                "country_code": c.alpha_2,
                "alpha_3": c.alpha_3,
                # The canonical English name the app shows: the common name where ISO's is formal
                # ("South Korea", not "Korea, Republic of").
                "country_name": getattr(c, "common_name", None) or c.name,
                "official_name": getattr(c, "official_name", None) or c.name,
                "iso_name": c.name,
            }
        )
    out.extend(EXTRA)
    return sorted(out, key=lambda r: r["country_code"])


def main() -> None:
    data = rows()
    with SEED.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(data[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    print(f"wrote {len(data)} countries to {SEED}")


if __name__ == "__main__":
    main()
