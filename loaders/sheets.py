"""The vendor export's 11 sheets, as the data contract describes them.

This is the only place that knows file names, table names and which keys each sheet carries.
Keys are normalised once, here, at landing (``normalise_key``); the original -> column mapping is
recorded per load in ``audit.loads`` so that nothing downstream depends on a key's whitespace.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

# Characters the vendor pads keys and values with, besides ordinary whitespace.
_PADDING = "\u202f\u00a0\ufeff\u200b\u2007\u2060"
_SYMBOLS = {"%": " pct ", "$": " usd ", "&": " and ", "#": " number ", "+": " plus "}


MAX_COLUMN = 63  # Postgres' identifier limit (NAMEDATALEN - 1)


def normalise_key(key: str) -> str:
    """Turn a spreadsheet header into a snake_case column name.

    ``' Revenue (USD) '`` -> ``revenue_usd``; ``'Deal size ($M) \\u202f\\u00a0'`` ->
    ``deal_size_usd_m``; ``'__EMPTY_2'`` -> ``empty_2``. A name longer than Postgres' 63 bytes
    keeps its first 54 characters and gains 8 hex digits of its hash (distinct, and never
    renamed again by dlt or Postgres).
    Symbols that carry meaning (``%``, ``$``) become words.
    """
    text = unicodedata.normalize("NFKC", key)
    for ch in _PADDING:
        text = text.replace(ch, " ")
    for symbol, word in _SYMBOLS.items():
        text = text.replace(symbol, word)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    if not text:
        raise ValueError(f"key {key!r} has no letters or digits")
    if text[0].isdigit():
        text = f"c_{text}"
    if len(text) > MAX_COLUMN:  # Postgres cuts names at 63 bytes: shorten, keep them distinct
        digest = hashlib.sha1(text.encode("ascii")).hexdigest()[:8]
        text = f"{text[: MAX_COLUMN - 9].rstrip('_')}_{digest}"
    return text


@dataclass(frozen=True)
class Sheet:
    """One vendor file and the raw table it lands in."""

    file_name: str
    table: str
    # Keys present in (nearly) every row: a delivery where one of them is absent from *every*
    # row has renamed or dropped a column, which is an error.
    required_keys: tuple[str, ...]
    # Keys the contract lists as sparse or occasional: their absence is normal.
    optional_keys: tuple[str, ...] = field(default=())
    # Keys the contract calls spreadsheet artefacts (notes, legends, chart descriptions). They are
    # landed like any key (nothing is lost) and dropped, documented, in staging.
    annotation_keys: tuple[str, ...] = field(default=())
    about: str = ""  # what the sheet holds, in a few words (the dbt source's description)

    @property
    def known_keys(self) -> tuple[str, ...]:
        return self.required_keys + self.optional_keys + self.annotation_keys

    @property
    def known_columns(self) -> dict[str, str]:
        return {normalise_key(k): k for k in self.known_keys}


_EMPTY_1_4 = ("__EMPTY_1", "__EMPTY_2", "__EMPTY_3", "__EMPTY_4")
_MA = "\u202f\u00a0"  # every M&A key ends with U+202F U+00A0

# The master list of companies: the sheet linkage anchors companies on.
MASTER_FILE = "Company_information.json"

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        MASTER_FILE,
        "company_information",
        ("Company name", "Website", "Headquarters"),
        ("Owned by / Subsidiary of", "Public stock", "Number of employees"),
        about="the master list of companies",
    ),
    Sheet(
        "Company_roles.json",
        "company_roles",
        ("Company name", "Category"),
        about="what a company does (many rows per company)",
    ),
    Sheet(
        "COMPANY___Print_services_global.json",
        "print_services_global",
        (
            "Company name",
            "Segment",
            "Printer manufacturer",
            "Number of printers",
            "Count type",
            "Country",
            "Update year",
        ),
        ("Printer model", "Process", "Material type", "Material format"),
        about="printer fleets of print-service bureaus",
    ),
    Sheet(
        "COMPANY___AM_systems_mfrs.json",
        "am_systems_mfrs",
        ("Company name", "Segment", "Process"),
        ("Material type", "Material format", "Country"),
        about="what system manufacturers build",
    ),
    Sheet(
        "Print_services_Pricing_data.json",
        "print_services_pricing",
        (
            "Company name",
            "Material type",
            "Material",
            "Quantity",
            "Manufacturing cost",
            "Day ordered",
            "Delivery date",
            "Lead time",
            "Country",
        ),
        ("Process", "Shipping cost"),
        ("Scattered plot with manufacturing cost vs delivery time",),
        about="quotes for printed parts",
    ),
    Sheet(
        "Fundings_and_investments.json",
        "fundings_and_investments",
        ("Year", "Month", "Company name", "Country"),
        ("Amount (in millions USD)", "Funding round", "Lead investor"),
        ("__EMPTY_2",),
        about="funding rounds",
    ),
    Sheet(
        "M_A.json",
        "mergers_acquisitions",
        (
            f"Deal date{_MA}",
            f"Acquired company{_MA}",
            f"Acquiring company{_MA}",
            f"Deal size ($M) {_MA}",
            f"Country{_MA}",
        ),
        about="mergers and acquisitions",
    ),
    Sheet(
        "AM_market_revenue_2024.json",
        "am_market_revenue_2024",
        (" Revenue (USD) ", "Country", "Segment"),
        (),
        _EMPTY_1_4,
        about="2024 revenue by country and segment",
    ),
    Sheet(
        "Revenue_by_industry_2024.json",
        "revenue_by_industry_2024",
        ("Industry", "Share of revenue (%)", "Region", "Material"),
        ("Revenue (USD)",),
        _EMPTY_1_4,
        about="share of 2024 revenue by industry",
    ),
    Sheet(
        "Total_AM_market_size.json",
        "total_am_market_size",
        ("Year", "Type", "Segment", " Past revenue (USD) "),
        (),
        ("__EMPTY_1", "__EMPTY_2", "__EMPTY_3"),
        about="market size history and forecasts (long format)",
    ),
    Sheet(
        "Directory.json",
        "directory",
        ("Figure name", "Sheet name and link", "V1"),
        ("Notes", "Needs further work?"),
        ("__EMPTY",),
        about="the catalogue of market figures the app shows",
    ),
)

SHEETS_BY_FILE: dict[str, Sheet] = {s.file_name: s for s in SHEETS}
