"""The generator's word lists, read from ``data/*.json`` once at import.

Lists become tuples (nested lists too), objects stay dicts in file order, so the generator draws
from exactly the sequences the files spell out. Each file's ``_about`` says what its lists are.
"""

from __future__ import annotations

import bisect
import json
import random
from importlib import resources
from typing import Any


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def _load(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("data").joinpath(f"{name}.json").read_text("utf-8")
    data = _tuples(json.loads(text))
    data.pop("_about", None)
    return data


class Weighted:
    """Fast repeated draws from a weighted table of ``(value, weight)`` pairs."""

    __slots__ = ("values", "cum")

    def __init__(self, table: tuple[tuple[str, int], ...]) -> None:
        self.values = [t[0] for t in table]
        total = 0
        self.cum = []
        for t in table:
            total += t[1]
            self.cum.append(total)

    def __call__(self, rng: random.Random) -> str:
        return self.values[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


# -- countries: (code, weight, master spelling, master variants, plain English, short, tld) ------
_countries = _load("countries")
COUNTRIES: tuple[tuple[str, int, str, tuple[str, ...], str, str, str], ...] = _countries[
    "countries"
]
CC = {c[0]: c for c in COUNTRIES}
CC_CODES = [c[0] for c in COUNTRIES]
CC_CUM: list[int] = []
for _c in COUNTRIES:
    CC_CUM.append((CC_CUM[-1] if CC_CUM else 0) + _c[1])
MARKET_EXTRA_COUNTRIES: tuple[str, ...] = _countries["market_extra_countries"]
REGIONS: tuple[tuple[str, str], ...] = _countries["regions"]
CITIES: dict[str, tuple[str, ...]] = _countries["cities"]
EXCHANGES: dict[str, tuple[str, ...]] = _countries["exchanges"]

# -- legal forms: each inner tuple is one form in its spellings ---------------------------------
_legal = _load("legal_forms")
LEGAL: dict[str, tuple[tuple[str, ...], ...]] = _legal["by_country"]
LEGAL_DEFAULT: tuple[tuple[str, ...], ...] = _legal["default"]
LEGAL_TOKENS = frozenset(
    tok
    for forms in (*LEGAL.values(), LEGAL_DEFAULT)
    for form in forms
    for spelling in form
    for tok in spelling.replace(",", " ").split()
)

# -- pieces of company names ----------------------------------------------------------------------
_names = _load("name_parts")
PREFIXES: tuple[str, ...] = _names["prefixes"]
MIDDLES: tuple[str, ...] = _names["middles"]
ENDINGS: tuple[str, ...] = _names["endings"]
AM_WORDS: tuple[str, ...] = _names["am_words"]
TAILS: tuple[str, ...] = _names["tails"]  # trailing words a short spelling may drop
GENERIC_ADJ: tuple[str, ...] = _names["generic_adjectives"]
GENERIC_NOUN: tuple[str, ...] = _names["generic_nouns"]
CN_CITIES: tuple[str, ...] = _names["cn_cities"]
CN_TAILS: tuple[str, ...] = _names["cn_tails"]
SURNAMES: tuple[str, ...] = _names["surnames"]
FIRST_NAMES: tuple[str, ...] = _names["first_names"]
PERSON_SUFFIX: tuple[str, ...] = _names["person_suffixes"]
AMP_TAILS: tuple[str, ...] = _names["amp_tails"]

# -- websites and marketplace wrappers ------------------------------------------------------------
_web = _load("web")
URL_FORMATS: tuple[str, ...] = _web["url_formats"]
DEEP_PATHS: tuple[str, ...] = _web["deep_paths"]
JOB_BOARDS: tuple[str, ...] = _web["job_boards"]
MARKETPLACES: tuple[str, ...] = _web["marketplaces"]
BY_PHRASES: tuple[str, ...] = _web["by_phrases"]

# -- values of the company sheets -----------------------------------------------------------------
_company = _load("company_values")
MONTHS: tuple[str, ...] = _company["months"]
ROLE_CATEGORIES: tuple[tuple[str, int], ...] = _company["role_categories"]
OEMS: tuple[str, ...] = _company["oems"]
MODELS: tuple[str | int, ...] = _company["printer_models"]
PRICING_MATERIALS: tuple[tuple[str, str, str], ...] = _company["pricing_materials"]
INVESTORS: tuple[str, ...] = _company["investors"]
FOREIGN_AMOUNTS: tuple[str, ...] = _company["foreign_amounts"]
W_CATEGORY = Weighted(ROLE_CATEGORIES)
W_COUNT_TYPE = Weighted(_company["count_types"])
W_PS_PROCESS = Weighted(_company["print_service_processes"])
W_PS_MATERIAL = Weighted(_company["print_service_materials"])
W_SYS_PROCESS = Weighted(_company["system_processes"])
W_SYS_MATERIAL = Weighted(_company["system_materials"])
W_SYS_FORMAT = Weighted(_company["system_formats"])
W_ROUND = Weighted(_company["funding_rounds"])

# -- values of the market sheets and the directory ------------------------------------------------
_market = _load("market_values")
INDUSTRIES: tuple[str, ...] = _market["industries"]
INDUSTRY_VARIANTS: dict[str, str] = _market["industry_variants"]
MARKET_SEGMENTS: tuple[str, ...] = _market["market_segments"]
TOTAL_SEGMENTS: tuple[str, ...] = _market["total_segments"]
FIGURE_TOPICS: tuple[str, ...] = _market["figure_topics"]
FIGURE_DIMS: tuple[str, ...] = _market["figure_dims"]
