"""The export's shape: which sheets, how many rows each, the keys the generator spells.

File names and key spellings (with their U+202F / U+00A0 padding) come from the sheet registry,
``loaders.sheets``; what the generator adds is the full export's row counts (from the data
contract), the minimums a small export keeps, and which keys carry company-name mentions.
"""

from __future__ import annotations

from loaders.sheets import MASTER_FILE, SHEETS, SHEETS_BY_FILE, normalise_key

_FILE_OF_TABLE = {s.table: s.file_name for s in SHEETS}


def _file(table: str) -> str:
    return _FILE_OF_TABLE[table]


def _key(file: str, label: str) -> str:
    """The registry's spelling of a sheet's key, found by its visible label (padding stripped)."""
    (key,) = [k for k in SHEETS_BY_FILE[file].known_keys if k.strip() == label]
    return key


MASTER = MASTER_FILE
ROLES = _file("company_roles")
PRINT_SERVICES = _file("print_services_global")
SYSTEMS = _file("am_systems_mfrs")
PRICING = _file("print_services_pricing")
FUNDINGS = _file("fundings_and_investments")
MA = _file("mergers_acquisitions")
MARKET_REVENUE = _file("am_market_revenue_2024")
INDUSTRY = _file("revenue_by_industry_2024")
TOTAL = _file("total_am_market_size")
DIRECTORY = _file("directory")
FILES: tuple[str, ...] = tuple(s.file_name for s in SHEETS)  # the order files are written in

BASE_COMPANIES = 5188
# Rows of the full export (the contract's table) and, for small exports, the rows kept so that
# every quirk still shows.
BASE_ROWS: dict[str, int] = {
    MASTER: BASE_COMPANIES,
    ROLES: 5564,
    PRINT_SERVICES: 2366,
    SYSTEMS: 302,
    PRICING: 3524,
    FUNDINGS: 413,
    MA: 32,
    MARKET_REVENUE: 193,
    INDUSTRY: 48,
    TOTAL: 205,
    DIRECTORY: 92,
}
_MIN_ROWS: dict[str, int] = {
    MASTER: 40,
    ROLES: 30,
    PRINT_SERVICES: 30,
    SYSTEMS: 12,
    PRICING: 60,
    FUNDINGS: 24,
    MA: 10,
    MARKET_REVENUE: 12,
    INDUSTRY: 16,
    TOTAL: 12,
    DIRECTORY: 10,
}
assert set(BASE_ROWS) == set(FILES) == set(_MIN_ROWS), "a sheet the generator does not know"

MA_PAD = "\u202f\u00a0"  # every M&A key and string value ends with U+202F U+00A0
K_NAME = _key(MASTER, "Company name")
K_MA_DATE = _key(MA, "Deal date")
K_MA_ACQUIRED = _key(MA, "Acquired company")
K_MA_ACQUIRING = _key(MA, "Acquiring company")
K_MA_SIZE = _key(MA, "Deal size ($M)")
K_MA_COUNTRY = _key(MA, "Country")
K_REVENUE = _key(MARKET_REVENUE, "Revenue (USD)")
K_PAST_REVENUE = _key(TOTAL, "Past revenue (USD)")
K_CHART_NOTE = _key(PRICING, "Scattered plot with manufacturing cost vs delivery time")

# file -> ((raw key, normalised truth field), ...): the company-name mentions the truth covers.
MENTION_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    file: tuple((key, normalise_key(key)) for key in keys)
    for file, keys in (
        (MASTER, (K_NAME,)),
        (ROLES, (K_NAME,)),
        (PRINT_SERVICES, (K_NAME,)),
        (SYSTEMS, (K_NAME,)),
        (PRICING, (K_NAME,)),
        (FUNDINGS, (K_NAME,)),
        (MA, (K_MA_ACQUIRED, K_MA_ACQUIRING)),
    )
}
TRUTH_COLUMNS = ("source_file", "source_row", "source_field", "entity_id")


def scaled(file: str, companies: int) -> int:
    """Rows of ``file`` in an export whose master list has ``companies`` rows."""
    if file == MASTER:
        return max(companies, _MIN_ROWS[file])
    return max(round(BASE_ROWS[file] * companies / BASE_COMPANIES), _MIN_ROWS[file])
