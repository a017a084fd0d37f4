"""A synthetic vendor export with ground truth, for measuring company linkage.

``generate_export(companies, seed, out)`` writes the 11 files of the vendor export in exactly the
format of /work/shared/vendor-data-contract.md (same file names, same keys including the U+202F /
U+00A0 padding, same value types, the same spreadsheet artefacts and quirks), plus ``truth.csv``:
one row per company-name mention, ``source_file,source_row,source_field,entity_id``.

``companies`` is the number of rows of the master list (``Company_information.json``); every other
sheet is scaled from the full export's counts (5,188 master rows -> 17,927 rows in all), with small
minimums so that a tiny export still shows every quirk. The market sheets are scaled too: beyond
their natural size their tables repeat (the same countries / years again), which keeps the row
proportions of the full export for load tests.

Company names are corrupted in every way the contract lists: legal-form variants, case and spacing,
``&``/``and``, parenthetical and dashed aliases and acronyms, brand vs Chinese legal name,
annotations (``(part of X)``, ``(formerly Y)``, ``(now part of Z)``, ``(acquired by X)``,
``– closed``), ticker tags, ``(via CraftCloud)`` and ``… by Seller`` wrappers, glued booth numbers,
mojibake, accents and transliteration, OCR-like ``l``/``i``/``I`` swaps, a leading no-break space
(pricing), a trailing space. The master list holds twins of one company far apart with other
website and HQ spellings (sometimes a wrong HQ). Hard negatives are built in on purpose: parent vs
subsidiary / regional arm / division (``X`` vs ``X Europe``), unrelated firms with the same generic
name in different countries, and distinct firms sharing a website (group sites, job boards).

Truth semantics: a mention's entity is the company the row is about: ``X (part of Y)``,
``X (acquired by Y)``, ``X (via CraftCloud)`` and ``3D Printing by X`` are all X; the acquirer
in ``M_A.json`` is its own entity (often a parent that the master knows only as an owner).
Entities that never appear in the master (marketplace sellers, start-ups, M&A targets) are
entities too. Every corruption kind, hard negative and quirk is forced at least once in an export
of about 120 companies or more (tests check 300); above that they follow the full export's rates.

Determinism: only ``random.Random(seed)`` is used and no set or hash order reaches the output, so a
seed gives identical bytes in any process. Files are written as a stream (rows are formatted one
by one), so a 100x export needs memory for the entities only.
"""

from __future__ import annotations

import bisect
import gc
import json
import random
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from loaders.sheets import MASTER_FILE

__all__ = [
    "BASE_COMPANIES",
    "BASE_ROWS",
    "FILES",
    "MASTER_FILE",
    "MENTION_FIELDS",
    "TRUTH_COLUMNS",
    "generate_export",
]

# --------------------------------------------------------------------------------------------
# The export's shape (from the data contract)
# --------------------------------------------------------------------------------------------

BASE_COMPANIES = 5188
BASE_ROWS: dict[str, int] = {
    "Company_information.json": 5188,
    "Company_roles.json": 5564,
    "COMPANY___Print_services_global.json": 2366,
    "COMPANY___AM_systems_mfrs.json": 302,
    "Print_services_Pricing_data.json": 3524,
    "Fundings_and_investments.json": 413,
    "M_A.json": 32,
    "AM_market_revenue_2024.json": 193,
    "Revenue_by_industry_2024.json": 48,
    "Total_AM_market_size.json": 205,
    "Directory.json": 92,
}
FILES: tuple[str, ...] = tuple(BASE_ROWS)
# Small exports keep enough rows for every quirk to show.
_MIN_ROWS: dict[str, int] = {
    "Company_information.json": 40,
    "Company_roles.json": 30,
    "COMPANY___Print_services_global.json": 30,
    "COMPANY___AM_systems_mfrs.json": 12,
    "Print_services_Pricing_data.json": 60,
    "Fundings_and_investments.json": 24,
    "M_A.json": 10,
    "AM_market_revenue_2024.json": 12,
    "Revenue_by_industry_2024.json": 16,
    "Total_AM_market_size.json": 12,
    "Directory.json": 10,
}

_MA = "\u202f\u00a0"  # every M&A key and string value ends with U+202F U+00A0
K_NAME = "Company name"
K_MA_DATE = f"Deal date{_MA}"
K_MA_ACQUIRED = f"Acquired company{_MA}"
K_MA_ACQUIRING = f"Acquiring company{_MA}"
K_MA_SIZE = f"Deal size ($M) {_MA}"
K_MA_COUNTRY = f"Country{_MA}"
K_REVENUE = " Revenue (USD) "
K_PAST_REVENUE = " Past revenue (USD) "
K_CHART_NOTE = "Scattered plot with manufacturing cost vs delivery time"

# file -> ((raw key, normalised truth field), ...): the company-name mentions the truth covers.
MENTION_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "Company_information.json": ((K_NAME, "company_name"),),
    "Company_roles.json": ((K_NAME, "company_name"),),
    "COMPANY___Print_services_global.json": ((K_NAME, "company_name"),),
    "COMPANY___AM_systems_mfrs.json": ((K_NAME, "company_name"),),
    "Print_services_Pricing_data.json": ((K_NAME, "company_name"),),
    "Fundings_and_investments.json": ((K_NAME, "company_name"),),
    "M_A.json": ((K_MA_ACQUIRED, "acquired_company"), (K_MA_ACQUIRING, "acquiring_company")),
}
TRUTH_COLUMNS = ("source_file", "source_row", "source_field", "entity_id")

# --------------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------------

# code, weight, master spelling, master variants, plain English, short, tld
_COUNTRIES: tuple[tuple[str, int, str, tuple[str, ...], str, str, str], ...] = (
    ("US", 300, "United States", ("United states", "The United States"), "U.S.", "U.S.", "com"),
    ("CN", 100, "China", ("china",), "China", "China", "cn"),
    ("DE", 90, "Germany", (), "Germany", "Germany", "de"),
    ("GB", 60, "The United Kingdom", ("United Kingdom",), "United Kingdom", "UK", "co.uk"),
    ("IT", 40, "Italy", ("italy",), "Italy", "Italy", "it"),
    ("FR", 30, "France", (), "France", "France", "fr"),
    ("IN", 30, "India", (), "India", "India", "in"),
    ("ES", 22, "Spain", (), "Spain", "Spain", "es"),
    ("NL", 20, "The Netherlands", ("Netherlands",), "Netherlands", "Netherlands", "nl"),
    ("CA", 20, "Canada", (), "Canada", "Canada", "ca"),
    ("JP", 18, "Japan", (), "Japan", "Japan", "jp"),
    ("KR", 14, "South Korea", (), "South Korea", "Korea", "co.kr"),
    ("AU", 14, "Australia", (), "Australia", "Australia", "com.au"),
    ("CH", 14, "Switzerland", (), "Switzerland", "Switzerland", "ch"),
    ("SE", 12, "Sweden", (), "Sweden", "Sweden", "se"),
    ("BE", 10, "Belgium", (), "Belgium", "Belgium", "be"),
    ("AT", 10, "Austria", (), "Austria", "Austria", "at"),
    ("PL", 10, "Poland", (), "Poland", "Poland", "pl"),
    ("CZ", 8, "The Czech Republic", ("Czechia",), "Czech Republic", "Czech Republic", "cz"),
    ("DK", 8, "Denmark", (), "Denmark", "Denmark", "dk"),
    ("FI", 7, "Finland", ("FInland",), "Finland", "Finland", "fi"),
    ("IL", 8, "Israel", (), "Israel", "Israel", "co.il"),
    ("SG", 6, "Singapore", (), "Singapore", "Singapore", "sg"),
    ("TW", 6, "Taiwan", (), "Taiwan", "Taiwan", "tw"),
    ("TR", 6, "Turkey", (), "Turkey", "Turkey", "com.tr"),
    ("BR", 5, "Brazil", (), "Brazil", "Brazil", "com.br"),
    ("MX", 4, "Mexico", ("mexico",), "Mexico", "Mexico", "mx"),
    ("ZA", 4, "South Africa", (), "South Africa", "South Africa", "co.za"),
    ("AE", 4, "United Arab Emirates", (), "United Arab Emirates", "UAE", "ae"),
    ("NZ", 3, "New Zealand", (), "New Zealand", "New Zealand", "co.nz"),
    ("PT", 4, "Portugal", (), "Portugal", "Portugal", "pt"),
    ("RU", 3, "Russia", (), "Russia", "Russia", "ru"),
    ("HU", 3, "Hungary", (), "Hungary", "Hungary", "hu"),
    ("GR", 2, "Greece", (), "Greece", "Greece", "gr"),
    ("AR", 2, "Argentina", (), "Argentina", "Argentina", "com.ar"),
    ("LU", 2, "Luxemburg", (), "Luxembourg", "Luxembourg", "lu"),
    ("SI", 2, "Slovenia", (), "Slovenia", "Slovenia", "si"),
    ("RO", 2, "Romania", (), "Romania", "Romania", "ro"),
    ("ID", 1, "Indonesia", ("indonesia",), "Indonesia", "Indonesia", "co.id"),
    ("JO", 1, "Jordan", ("Jordan\ufeff",), "Jordan", "Jordan", "jo"),
    ("NP", 1, "Nepal", ("Napal",), "Nepal", "Nepal", "com.np"),
    ("SK", 2, "Slovakia", (), "Slovakia", "Slovakia", "sk"),
    ("LT", 2, "Lithuania", (), "Lithuania", "Lithuania", "lt"),
    ("BG", 2, "Bulgaria", (), "Bulgaria", "Bulgaria", "bg"),
    ("HR", 1, "Croatia", (), "Croatia", "Croatia", "hr"),
    ("HK", 2, "Hong Kong", (), "Hong Kong", "Hong Kong", "hk"),
    ("IE", 2, "Ireland", (), "Ireland", "Ireland", "ie"),
    ("NO", 2, "Norway", (), "Norway", "Norway", "no"),
    ("SA", 1, "Saudi Arabia", (), "Saudi Arabia", "Saudi Arabia", "sa"),
)
_CC = {c[0]: c for c in _COUNTRIES}
_CC_CODES = [c[0] for c in _COUNTRIES]
_CC_CUM: list[int] = []
for _c in _COUNTRIES:
    _CC_CUM.append((_CC_CUM[-1] if _CC_CUM else 0) + _c[1])
_MARKET_EXTRA_COUNTRIES = ("Curacao", "Kosovo", "Armenia", "Jordan\ufeff", "Luxemburg")

# Legal forms per country: each inner tuple is one form in its spellings.
_LEGAL: dict[str, tuple[tuple[str, ...], ...]] = {
    "US": (
        ("Inc", "Inc.", ", Inc.", "INCORPORATED", "Incorporated"),
        ("LLC", ", LLC", "L.L.C."),
        ("Corp.", "Corporation", "Corp"),
    ),
    "CA": (("Inc.", "Inc"), ("Ltd.", "Ltd")),
    "DE": (
        ("GmbH", "Gmbh", "GMBH"),
        ("AG",),
        ("GmbH & Co. KG", "GmbH & Co KG"),
        ("AG & Co. KGaA",),
        ("SE",),
    ),
    "AT": (("GmbH", "Gmbh"),),
    "CH": (("AG",), ("SA",), ("GmbH",)),
    "GB": (("Ltd", "Ltd.", "Limited", "LTD"), ("PLC", "plc")),
    "IE": (("Ltd", "Limited"),),
    "IT": (("S.r.l.", "srl", "SRL", "S.R.L."), ("S.p.A.", "SpA", "S.P.A.")),
    "FR": (("SAS", "S.A.S."), ("SARL",), ("S.A.", "SA")),
    "ES": (("S.L.", "SL"), ("S.A.", "SA")),
    "NL": (("B.V.", "BV"),),
    "BE": (("NV", "N.V."), ("BV", "B.V.")),
    "PL": (("Sp. z o.o.", "sp. z o.o.", "Sp.z o.o."),),
    "CZ": (("s.r.o.", "s. r. o."), ("a.s.",)),
    "SK": (("s.r.o.",),),
    "CN": (("Co., Ltd.", "Co. Ltd", "Co.,Ltd.", "Co Ltd", "CO., LTD."),),
    "HK": (("Co., Ltd.", "Limited"),),
    "TW": (("Co., Ltd.", "CO., LTD."),),
    "JP": (("Co., Ltd.", "Co. Ltd"), ("K.K.",), ("Corporation",)),
    "KR": (("Co., Ltd.", "Co. Ltd", "Co.,Ltd."),),
    "SE": (("AB",),),
    "DK": (("A/S",), ("ApS",)),
    "FI": (("Oy",),),
    "NO": (("AS",),),
    "IN": (("Pvt Ltd", "Pvt. Ltd.", "Private Limited"), ("LLP",)),
    "AU": (("Pty Ltd", "Pty. Ltd."),),
    "NZ": (("Ltd", "Limited"),),
    "ZA": (("(Pty) Ltd",),),
    "BR": (("Ltda.", "LTDA"),),
    "MX": (("S.A. de C.V.",),),
    "HU": (("Kft", "Kft."),),
    "SI": (("d.o.o.",),),
    "HR": (("d.o.o.",),),
    "TR": (("A.Ş.", "AS"),),
    "PT": (("Lda", "Lda."),),
    "RO": (("SRL", "S.R.L."),),
}
_LEGAL_DEFAULT: tuple[tuple[str, ...], ...] = (("Ltd", "Ltd."), ("Inc", "Inc."))
_LEGAL_TOKENS = frozenset(
    tok
    for forms in (*_LEGAL.values(), _LEGAL_DEFAULT)
    for form in forms
    for spelling in form
    for tok in spelling.replace(",", " ").split()
)

_PREFIXES = (
    "Vox",
    "Lay",
    "Sinter",
    "Fab",
    "Prot",
    "Addi",
    "Form",
    "Lum",
    "Cre",
    "Neo",
    "Aero",
    "Meta",
    "Poly",
    "Nano",
    "Micro",
    "Terra",
    "Quant",
    "Vert",
    "Hex",
    "Cub",
    "Fusi",
    "Orb",
    "Zen",
    "Kin",
    "Ion",
    "Axi",
    "Astr",
    "Brix",
    "Cera",
    "Dyn",
    "Ele",
    "Flux",
    "Gran",
    "Holo",
    "Infi",
    "Jet",
    "Kor",
    "Lith",
    "Magn",
    "Nex",
    "Opt",
    "Pix",
    "Rap",
    "Sol",
    "Tek",
    "Ult",
    "Vel",
    "Wav",
    "Xyl",
    "Zir",
    "Bal",
    "Cor",
    "Del",
    "Ev",
    "Gal",
    "Hel",
    "Ir",
    "Jun",
    "Kal",
    "Lev",
    "Mor",
    "Nor",
    "Ost",
    "Pol",
    "Qua",
    "Ren",
    "Sty",
    "Tor",
    "Und",
    "Var",
    "Wol",
    "Xen",
    "Yor",
    "Zet",
    "Arc",
    "Bor",
    "Cal",
    "Dor",
    "Fer",
    "Gyr",
)
_ODD_LETTERS = ("aa", "ii", "uu", "yy", "aea", "aia", "iai", "eae", "oia", "iio", "iia", "uio")
_ODD_JOINS = frozenset({"aa", "ii", "uu", "yy", "oo", "ee"})
_STEM_HEADS: list[str] = []


def _stem_heads() -> list[str]:
    """Prefix + up to two middles, without odd vowel runs (computed once, no randomness)."""
    if not _STEM_HEADS:
        mids = [""] + [a + b for a in _MIDDLES for b in _MIDDLES[1:]]
        mids = sorted(set(mids) | set(_MIDDLES))
        for p in _PREFIXES:
            for m in mids:
                head = p + m
                if not any(v in head.lower() for v in _ODD_LETTERS):
                    _STEM_HEADS.append(head)
    return _STEM_HEADS


_MIDDLES = (
    "",
    "a",
    "e",
    "i",
    "o",
    "u",
    "ar",
    "el",
    "in",
    "on",
    "or",
    "ex",
    "is",
    "ys",
    "ia",
    "ent",
    "al",
    "er",
    "im",
    "ul",
)
_ENDINGS = (
    "tec",
    "tek",
    "lab",
    "ix",
    "ium",
    "ora",
    "ics",
    "ex",
    "on",
    "ia",
    "ity",
    "yx",
    "fab",
    "form",
    "print",
    "tive",
    "ara",
    "eo",
    "ion",
    "o",
    "a",
    "is",
    "us",
    "ica",
    "ent",
    "ly",
    "ant",
    "ite",
    "os",
    "ax",
)
_AM_WORDS = (
    "Additive",
    "3D",
    "Print",
    "Printing",
    "Tech",
    "Technologies",
    "Labs",
    "Lab",
    "Manufacturing",
    "Solutions",
    "Systems",
    "Materials",
    "Metals",
    "Prototyping",
    "Engineering",
    "Industries",
    "Innovations",
    "Digital",
    "Fabrication",
    "Works",
    "Factory",
    "Robotics",
    "Composites",
    "Polymers",
    "Powders",
    "Design",
    "Dynamics",
    "Machines",
    "Precision",
    "Photonics",
    "Laser",
    "Ceramics",
    "Medical",
    "Aerospace",
    "Tooling",
    "Scan",
    "Forge",
    "Mfg",
    "Hub",
    "Studio",
)
# Trailing words a short spelling may drop ("Deltasys E-Forming" -> "Deltasys").
_TAILS = (
    "Technologies",
    "Technology",
    "Solutions",
    "Systems",
    "Industries",
    "Innovations",
    "International",
    "Group",
    "Manufacturing",
    "Engineering",
    "Labs",
    "E-Forming",
    "Proto",
    "Additive",
    "Robotics",
    "Dynamics",
    "Materials",
    "Digital",
)
_GENERIC_ADJ = (
    "Advanced",
    "Rapid",
    "Precision",
    "Digital",
    "Smart",
    "Innovative",
    "Integrated",
    "Applied",
    "Global",
    "Modern",
    "Creative",
    "Industrial",
    "Custom",
    "Total",
    "Prime",
    "Quality",
    "Pro",
    "First",
    "United",
    "Superior",
    "Next",
    "Future",
    "Dynamic",
    "Elite",
)
_GENERIC_NOUN = (
    "3D Solutions",
    "Additive",
    "Additive Manufacturing",
    "3D Printing",
    "Prototyping",
    "Manufacturing Systems",
    "Solutions",
    "Materials",
    "3D Works",
    "Parts",
    "Print Lab",
    "3D Concepts",
    "Engineering",
    "Fabrication",
    "3D Technologies",
    "Metal Additive",
    "Prototypes",
    "3D Labs",
    "Design",
    "Models",
)
_REGIONS: tuple[tuple[str, str], ...] = (
    ("Europe", "DE"),
    ("North America", "US"),
    ("Asia Pacific", "SG"),
    ("Americas", "US"),
    ("Deutschland", "DE"),
    ("UK", "GB"),
    ("Japan", "JP"),
    ("China", "CN"),
    ("India", "IN"),
    ("Iberica", "ES"),
    ("Nordic", "SE"),
    ("Benelux", "NL"),
    ("Italia", "IT"),
    ("France", "FR"),
    ("Korea", "KR"),
)
_CITIES: dict[str, tuple[str, ...]] = {
    "DE": ("München", "Düsseldorf", "Köln", "Aachen", "Stuttgart", "Nürnberg", "Bremen", "Jena"),
    "US": ("Detroit", "Austin", "Boston", "Denver", "Phoenix", "Seattle", "Dayton", "Pittsburgh"),
    "FR": ("Besançon", "Lyon", "Orléans", "Nantes", "Toulouse", "Grenoble"),
    "IT": ("Torino", "Brescia", "Modena", "Catania", "Bologna", "Forlì"),
    "CZ": ("Brno", "Plzeň", "Ostrava"),
    "PL": ("Kraków", "Łódź", "Gdańsk", "Wrocław"),
    "ES": ("Bilbao", "Málaga", "Zaragoza", "León"),
    "SE": ("Göteborg", "Malmö", "Västerås"),
    "CH": ("Zürich", "Genève", "Neuchâtel"),
    "GB": ("Sheffield", "Bristol", "Coventry", "Leeds"),
    "NL": ("Eindhoven", "Delft", "Enschede"),
    "BE": ("Leuven", "Liège", "Gent"),
    "AT": ("Wien", "Graz", "Linz"),
    "DK": ("Århus", "Odense"),
    "TR": ("İzmir", "Bursa"),
    "PT": ("Porto", "Coimbra"),
    "CA": ("Montréal", "Québec", "Toronto"),
}
_CN_CITIES = (
    "Shenzhen",
    "Shanghai",
    "Beijing",
    "Hangzhou",
    "Suzhou",
    "Guangzhou",
    "Wuhan",
    "Xi’an",
    "Nanjing",
    "Chongqing",
    "Tianjin",
    "Xiamen",
    "Hunan",
    "Jiangsu",
    "Zhejiang",
    "Dongguan",
    "Ningbo",
    "Qingdao",
)
_CN_TAILS = (
    "Technology",
    "Intelligent Technology",
    "Additive Manufacturing Technology",
    "3D Technology",
    "Laser Technology",
    "New Material Technology",
    "Precision Technology",
    "Electronic Technology",
    "Industry",
)
_SURNAMES = (
    "Müller",
    "Schmidt",
    "Weber",
    "Fischer",
    "Keller",
    "Böhm",
    "Jäger",
    "Würth",
    "Rossi",
    "Bianchi",
    "Ferrari",
    "Novák",
    "Dvořák",
    "Kowalski",
    "Nowak",
    "Dubois",
    "Lefèvre",
    "Girard",
    "García",
    "Peña",
    "Hernández",
    "Jensen",
    "Sørensen",
    "Ström",
    "Öztürk",
    "Çelik",
    "Lindqvist",
    "Nieminen",
    "Janssen",
    "Peeters",
    "Smith",
    "Walker",
    "Baker",
    "Carter",
    "Hughes",
    "Patel",
    "Sharma",
    "Tanaka",
    "Sato",
    "Kim",
    "Park",
    "Chen",
    "Wang",
    "Costa",
    "Silva",
    "Sánchez",
    "Brandão",
    "Gómez",
    "Pavliš",
    "Horák",
    "Černý",
    "Kováč",
    "Wiśniewski",
    "Zieliński",
    "Größ",
    "Lévêque",
    "Håkansson",
    "Mäkelä",
)
_FIRST_NAMES = (
    "Ľubomír",
    "Jiří",
    "Łukasz",
    "Zoë",
    "Søren",
    "André",
    "José",
    "François",
    "Jürgen",
    "Håkan",
    "Ondřej",
    "Tomáš",
    "Piotr",
    "Anna",
    "Marek",
    "Jan",
    "Eva",
    "Lukas",
    "Mateo",
    "Chloé",
    "Björn",
    "Ana",
    "Inês",
    "Martin",
    "Peter",
    "David",
    "Laura",
    "Sara",
    "Kai",
    "Noémie",
)
_PERSON_SUFFIX = (
    "Technik",
    "Engineering",
    "Prototyping",
    "Kunststofftechnik",
    "Maschinenbau",
    "Modellbau",
    "Formenbau",
    "Design",
    "Industries",
    "Precision",
    "Tooling",
    "3D",
    "Additive",
    "Werkzeugbau",
    "Fertigung",
)
_AMP_TAILS = (
    "Design & Engineering",
    "Tool & Die",
    "Mold & Die",
    "Research & Development",
    "Model & Prototype",
    "Scan & Print",
)
_MARKETPLACES = ("CraftCloud", "CraftCloud", "CraftCloud", "Treatstock", "Xometry")
_BY_PHRASES = ("3D Printing by", "Custom Parts by", "Prints by", "Models by", "Prototypes by")
_JOB_BOARDS = (
    "https://www.indeed.com/",
    "https://jobs.lever.co/",
    "https://boards.greenhouse.io/",
    "https://www.linkedin.com/jobs/",
    "https://www.glassdoor.com/Jobs/",
)
_EXCHANGES: dict[str, tuple[str, ...]] = {
    "US": ("NAS", "NYS", "NYSE"),
    "DE": ("ETR",),
    "GB": ("LON",),
    "JP": ("TYO",),
    "FR": ("EPA",),
    "CN": ("SHH", "SHE"),
    "AU": ("ASX",),
    "CH": ("SWX",),
    "KR": ("KRX",),
    "SE": ("STO",),
    "IL": ("NAS",),
    "NL": ("AMS",),
    "IT": ("MIL",),
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ROLE_CATEGORIES: tuple[tuple[str, int], ...] = (
    ("Printing service provider", 291),
    ("Printer manufacturer", 150),
    ("Material provider", 122),
    ("Printer reseller", 106),
    ("End user", 100),
    ("Software developer", 45),
    ("Software reseller", 9),
    ("Post processing system manufacturer", 8),
    ("Post processing", 2),
    ("Post-processing", 1),
    ("Monitoring system manufacturer", 2),
    ("Lab equipment manufacturer", 2),
    ("Printer components", 1),
    ("University", 1),
    ("Printer upgrade manufacturer", 1),
    ("Powder system manufacturer", 1),
    ("End User", 1),
    ("Consortia", 1),
    ("Research institute", 2),
    ("Distributor", 2),
    ("Consultancy", 2),
    ("Scanner manufacturer", 1),
)
_OEMS = (
    "3D Systems",
    "Stratasys",
    "EOS",
    "HP",
    "Nikon SLM",
    "Formlabs",
    "Bambu Lab",
    "Uniontech",
    "UnionTech",
    "Creality",
    "Carbon",
    "voxeljet",
    "Voxeljet",
    "Markforged",
    "Nexa3D",
    "ExOne",
    "Farsoon",
    "Farsoon SLS",
    "Colibrium Additive",
    "Intamsys",
    "Renishaw",
    "Aconity3D",
    "Phrozen",
    "Sintratec",
    "Velo3D",
    "InnovatiQ",
    "Trumpf",
    "Proprietary",
    "In-house printers",
    "Asiga",
    "Raise3D",
    "Zortrax",
    "Flashforge",
    "Shining 3D ",
    "Lithoz",
    "BLT",
    "SLM Solutions",
    "Boston Micro Fabrication",
    "Desktop Metal",
    "Prusa",
    "Ultimaker",
    "DMG Mori",
    "Xact Metal",
)
_MODELS = (
    "Projet 6000",
    "Projet 7000",
    "Neo450",
    "Fortus 450mc",
    "F370",
    "J850",
    "EOS M 290",
    "EOS P 396",
    "MJF 5210",
    "Form 3L",
    "X1 Carbon",
    "Sapphire",
    "M2 Cusing",
    "DMP Flex 350",
    "Figure 4",
    "Origin One",
    "VX1000",
    "P800",
    "S-Max",
    "Mark Two",
    5210,
    4200,
    580,
    350,
)
_COUNT_TYPES: tuple[tuple[str, int], ...] = (
    ("Minimum", 160),
    ("Total units", 121),
    ("Actual", 91),
    ("Units added in year", 47),
    ("Minumum", 2),
    ("Actial", 1),
    ("Estimate", 2),
    ("estimate", 1),
    ("minimum", 1),
)
_PS_PROCESS: tuple[tuple[str, int], ...] = (
    ("PBF-LB", 116),
    ("VPP", 98),
    ("MEX", 76),
    ("BJT", 24),
    ("PBF", 22),
    ("MJT", 20),
    ("PBF-IR", 19),
    ("PBF-EB", 3),
    ("DED-LB", 2),
    ("Other", 1),
    ("MEX,VPP", 1),
    ("MEX, VPP", 1),
    ("wDED-Arc", 1),
    ("wDED-arc", 1),
    ("pDED-LB", 1),
    ("DED", 1),
    ("DED-arc", 1),
    ("wDED-LB", 1),
    ("SHL", 1),
    ("Cold spray", 1),
    ("Cold Spray", 1),
    ("FDM", 2),
    ("Friction stir welding", 1),
    ("MEX, VPP, MEX", 1),
)
_PS_MATERIAL: tuple[tuple[str, int], ...] = (
    ("Polymer", 236),
    ("Metal", 91),
    ("Sand", 9),
    ("Ceramic", 3),
    ("polymer", 3),
    ("metal", 3),
    ("Metal, polymer, and ceramic", 1),
    ("Wax", 1),
    ("Unknown", 2),
    ("sand/ceramic", 1),
    ("wax, sand, plastic", 1),
)
_SYS_PROCESS: tuple[tuple[str, int], ...] = (
    ("MEX", 15),
    ("PBF-LB", 13),
    ("DED-LB", 12),
    ("VPP", 3),
    ("BJT", 2),
    ("MJT", 2),
    ("PBF-EB", 2),
    ("Cold spray", 1),
    ("cold spray", 1),
    ("DED-arc", 1),
    ("DED-EB", 1),
    ("FDM", 1),
)
_SYS_MATERIAL: tuple[tuple[str, int], ...] = (
    ("metal", 30),
    ("polymer", 15),
    ("ceramic", 2),
    ("biomaterials", 1),
    ("Metal", 1),
    ("Polymers", 1),
    ("Metals", 1),
    ("concrete", 1),
    ("sand", 1),
    ("Bio/Organics", 1),
    ("food", 1),
    ("wax", 1),
    ("wax / polymer", 1),
    ("silicone", 1),
    ("all", 1),
)
_SYS_FORMAT: tuple[tuple[str, int], ...] = (
    ("powder", 18),
    ("filament", 6),
    ("pellet", 3),
    ("wire", 2),
    ("liquid", 2),
    ("resin", 1),
    ("pellets", 1),
    ("paste", 1),
    ("slurry", 1),
    ("Powder", 1),
)
_PRICING_MATERIALS: tuple[tuple[str, str, str], ...] = (
    ("Polymer", "ABS", "MEX"),
    ("Polymer", "PA12", "PBF-LB"),
    ("Polymer", "PETG", "MEX"),
    ("Polymer", "PLA+", "MEX"),
    ("Polymer", "PLA", "MEX"),
    ("Polymer", "Standard Resin", "VPP"),
    ("Polymer", "ASA", "MEX"),
    ("Polymer", "TPU", "MEX"),
    ("Polymer", "PC-ABS", "MEX"),
    ("Polymer", "Transparent Resin", "VPP"),
    ("Polymer", "High-Detail Resin", "VPP"),
    ("Polymer", "PC", "MEX"),
    ("Metal", "316L", "PBF-LB"),
    ("Polymer", "Carbon Fiber Nylon", "MEX"),
    ("Metal", "PH17-4", "PBF-LB"),
    ("Metal", "Aluminum", "PBF-LB"),
    ("Polymer", "PA11", "MJF"),
    ("Polymer", "ULTEM 1010", "MEX"),
    ("Metal", "Titanium", "PBF-LB"),
    ("Metal", "Maraging steel", "PBF-LB"),
    ("Metal", "Inconel 718", "PBF-LB"),
    ("Polymer", "PA12", "MJF"),
    ("Wax", "Castable Wax", "MJT"),
    ("Ceramic", "Alumina", "VPP"),
    ("polymer", "Somos® Evolve", "VPP"),
    ("Metal", "Bronze", "AM-LWC"),
    ("Metal", "Brass", "BJT"),
    ("Polymer", "Rigid Resin", "InkJet"),
    ("Polymer", "PP", "PBF-IR"),
    ("metal", "Gold", "AM-LWC"),
)
_FUNDING_ROUNDS: tuple[tuple[str, int], ...] = (
    ("Series A", 60),
    ("Series B", 35),
    ("Series C", 15),
    ("Series D", 6),
    ("Series E", 2),
    ("Seed", 50),
    ("Pre seed", 6),
    ("Pre Seed", 3),
    ("Pre series", 2),
    ("PreSeries A", 1),
    ("Pre A", 2),
    ("Grant", 15),
    ("Govt grant", 4),
    ("Not specified", 20),
    ("Not stated", 4),
    (" ", 8),
    ("Debt", 4),
    ("Loan", 3),
    ("Acquisition", 3),
    ("Growth", 3),
    ("Crowd", 3),
    ("Kickstarter", 1),
    ("Private plct.", 1),
    ("Series B+", 1),
    ("Series B extension", 1),
    ("Incubator", 2),
    ("Angel", 3),
    ("Bridge", 2),
    ("Convertible note", 1),
    ("IPO", 1),
)
_INVESTORS = (
    "AM Ventures",
    "Kleiner Perkins",
    "Intel Capital",
    "Lockheed Martin Ventures",
    "NEA",
    "Founders Fund",
    "Prime Movers Lab",
    "Tiger Global Management",
    "In-Q-Tel",
    "Siemens Next47",
    "BASF Venture Capital",
    "Airbus Ventures",
    "GE Renewable Energy",
    "Xerox",
    "Ricoh",
    "M12",
    "Energy Capital Group",
    "Wingman Ventures",
    "Insight Partners",
    "Happiness Capital",
    "Stanley B&D, Techstars",
    "Lego, Stanley Black & Decker",
    "B. Riley Venture Capital",
    "European Innovation Council",
    "Horizon Europe",
    "ARPA E",
    "Foresight Williams Technology Funds",
)
_FOREIGN_AMOUNTS = ("£0.6", "10.0 PLN", "15.0 SEK", "18.1 CHF", "€2.5", "£1.2", "4.5 SEK")
_INDUSTRIES = (
    "Medical",
    "Space",
    "Automotive",
    "Energy",
    "Heavy\u00a0transportation",
    "AM\u00a0service\u00a0provider",
    "Electronics",
    "Aviation",
    "Defense",
    "Dental",
    "Others",
    "Oil\u00a0and\u00a0gas",
    "Consumer products",
    "Architectural / construction",
    "Academic",
    "Industrial\u00a0machinery",
)
_INDUSTRY_VARIANTS = {
    "Consumer products": "Consumer Products",
    "Architectural / construction": "Architectural/construction",
}
_MARKET_SEGMENTS = (
    "Printing service provider",
    "Material provider",
    "System manufacturer",
    "Software",
)
_TOTAL_SEGMENTS = ("Total", "Materials", "Software", "Printer sales", "Printing services")
_FIGURE_TOPICS = (
    "AM market revenue",
    "AM material market size",
    "AM software market size",
    "Printing services market size",
    "Printer sales and servicing market size",
    "Academic publications",
    "Academic activities",
    "AM investment distribution",
    "All industrial AM systems shipped",
    "Pricing for AM metal powders",
    "Pricing for AM polymers",
    "Share of AM revenue from metals",
    "Share of AM revenue from polymers",
    "Patents filed",
    "AM job postings",
    "Additive construction market distribution",
    "Installed base",
    "Material prices",
    "Printer prices",
    "Funding rounds",
    "M&A deals",
    "Service bureau fleets",
)
_FIGURE_DIMS = (
    "",
    " - over time",
    " - by region",
    " - by country",
    " - by material",
    " - by process",
    " - organization type",
    " - region and year",
    " - by segment",
    " - top 10",
)

# --------------------------------------------------------------------------------------------
# Small text helpers
# --------------------------------------------------------------------------------------------

_CP1252 = []
for _b in range(256):
    try:
        _CP1252.append(bytes([_b]).decode("cp1252"))
    except UnicodeDecodeError:
        _CP1252.append(chr(_b))
_ASCII_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "đ": "d",
        "ı": "i",
        "İ": "I",
        "æ": "ae",
    }
)
_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252 / Latin-1: ``Würth`` -> ``WÃ¼rth``."""
    return "".join(_CP1252[b] if b >= 0x80 else chr(b) for b in text.encode("utf-8"))


_NON_ALNUM = re.compile(r"[\W_]+")


def strip_accents(text: str) -> str:
    """``Dvořák`` -> ``Dvorak``, ``Łódź`` -> ``Lodz``."""
    if text.isascii():
        return text
    text = text.translate(_ASCII_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _alnum(text: str) -> str:
    return _NON_ALNUM.sub("", strip_accents(text).lower())


_Add = Callable[[dict, tuple["_Ent", ...]], None]


class _Weighted:
    """Fast repeated draws from a weighted table."""

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


_W_CATEGORY = _Weighted(_ROLE_CATEGORIES)
_W_COUNT_TYPE = _Weighted(_COUNT_TYPES)
_W_PS_PROCESS = _Weighted(_PS_PROCESS)
_W_PS_MATERIAL = _Weighted(_PS_MATERIAL)
_W_SYS_PROCESS = _Weighted(_SYS_PROCESS)
_W_SYS_MATERIAL = _Weighted(_SYS_MATERIAL)
_W_SYS_FORMAT = _Weighted(_SYS_FORMAT)
_W_ROUND = _Weighted(_FUNDING_ROUNDS)


# --------------------------------------------------------------------------------------------
# Streaming JSON writer (the vendor's layout: indent 1, UTF-8, no trailing newline)
# --------------------------------------------------------------------------------------------

_enc = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _value(v: object) -> str:
    if isinstance(v, str):
        return _enc(v)
    if v is None:
        return "null"
    if isinstance(v, float):
        # A JavaScript export writes whole numbers without a fraction.
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


class _JsonListWriter:
    def __init__(self, path: Path) -> None:
        self._f = path.open("w", encoding="utf-8", newline="")
        self._buf: list[str] = []
        self.count = 0

    def add(self, row: dict) -> int:
        """Write one row; return its 0-based position in the list."""
        body = ",\n".join([f"  {_enc(k)}: {_value(v)}" for k, v in row.items()])
        self._buf.append(" {\n" + body + "\n }")
        self.count += 1
        if len(self._buf) >= 4096:
            self._flush()
        return self.count - 1

    def _flush(self) -> None:
        if self._buf:
            prefix = "[\n" if self.count == len(self._buf) else ",\n"
            self._f.write(prefix + ",\n".join(self._buf))
            self._buf = []

    def close(self) -> None:
        self._flush()
        self._f.write("\n]" if self.count else "[]")
        self._f.close()


class _TruthWriter:
    def __init__(self, path: Path) -> None:
        self._f = path.open("w", encoding="utf-8", newline="")
        self._f.write(",".join(TRUTH_COLUMNS) + "\n")
        self._buf: list[str] = []
        self.count = 0

    def add(self, source_file: str, row: int, field: str, eid: str) -> None:
        self._buf.append(f"{source_file},{row},{field},{eid}\n")
        self.count += 1
        if len(self._buf) >= 8192:
            self._f.write("".join(self._buf))
            self._buf = []

    def close(self) -> None:
        self._f.write("".join(self._buf))
        self._f.close()


# --------------------------------------------------------------------------------------------
# Entities and their spellings
# --------------------------------------------------------------------------------------------


class _Ent:
    __slots__ = (
        "eid",
        "core",
        "legal",
        "legal_forms",
        "cc",
        "domain",
        "brand",
        "acronym",
        "long",
        "short",
        "parent",
        "names",
        "public",
        "cn_full",
    )

    def __init__(self, eid: str, core: str, cc: str) -> None:
        self.eid = eid
        self.core = core
        self.legal = ""
        self.legal_forms: tuple[str, ...] = ()
        self.cc = cc
        self.domain = ""
        self.brand = ""  # Chinese legal-name entities: the brand ("Rayshape")
        self.acronym = ""
        self.long = ""
        self.short = ""  # a shorter spelling the vendor also uses ("Deltasys")
        self.parent: _Ent | None = None
        self.names: list[str] = []  # spellings in the master list, primary first
        self.public = False
        self.cn_full = ""  # Chinese legal-name entities: the full legal name

    @property
    def name(self) -> str:
        if not self.legal:
            return self.core
        sep = "" if self.legal.startswith(",") else " "
        return f"{self.core}{sep}{self.legal}"

    def mention(self) -> str:
        return self.names[0] if self.names else self.name


_ANNOTATION_KINDS = ("part_of", "now_part_of", "acquired_by", "formerly", "closed")
# Kinds of difference between a master row and its twin, with weights.
_TWIN_KINDS: tuple[tuple[str, int], ...] = (
    ("legal", 20),
    ("case", 8),
    ("spacing", 8),
    ("amp", 4),
    ("alias", 7),
    ("alias_dash", 3),
    ("alias_bare", 2),
    ("chinese", 6),
    ("part_of", 3),
    ("now_part_of", 2),
    ("acquired_by", 3),
    ("formerly", 3),
    ("closed", 2),
    ("booth", 3),
    ("mojibake", 4),
    ("accent", 4),
    ("short", 10),
    ("trailing_space", 2),
)
_W_TWIN = _Weighted(_TWIN_KINDS)


class _Gen:
    def __init__(self, companies: int, rng: random.Random) -> None:
        self.rng = rng
        self.ents: list[_Ent] = []
        self.used: set[str] = set()  # normalised cores taken (membership only, never iterated)
        self.domains: set[str] = set()
        self.groups: list[_Ent] = []  # parents / acquirers (some only outside the master)
        self.master_rows: list[tuple[_Ent, str]] = []  # (entity, spelling) in file order
        self.master_plan: list = []
        self.master_sites: dict[str, str] = {}
        self.wrong_hq_items: set[int] = set()  # id() of master plan items given a wrong HQ
        self.force_hq: set[str] = set()
        self.tickers: dict[str, str] = {}  # entity ids whose master rows always carry an HQ

    # -- names -------------------------------------------------------------------------------

    def stem(self, exclusive: bool = False) -> str:
        """An invented word (``Voxarix``); ``exclusive`` reserves it for one company."""
        r = self.rng
        heads = _stem_heads()
        n_end = len(_ENDINGS)
        s = ""
        for _ in range(200):
            head, end = divmod(r.randrange(len(heads) * n_end), n_end)
            s = heads[head] + _ENDINGS[end]
            if (s[-len(_ENDINGS[end]) - 1 :][:2]).lower() in _ODD_JOINS:
                continue
            if not exclusive:
                return s
            key = "stem:" + s.lower()
            if key not in self.used:
                self.used.add(key)
                return s
        return s

    def _register(self, core: str) -> bool:
        key = _alnum(core)
        if len(key) < 3 or key in self.used:
            return False
        self.used.add(key)
        return True

    def new_ent(self, cc: str | None = None, style: str | None = None) -> _Ent:
        """A new company with a unique core name. ``style`` forces a naming pattern."""
        r = self.rng
        if cc is None:
            cc = r.choices(_CC_CODES, cum_weights=_CC_CUM)[0]
        if style is None:
            x = r.random()
            if cc in ("CN", "TW") and x < 0.5:
                style = "chinese"
            elif x < 0.06:
                style = "acronym"
            elif x < 0.15:
                style = "person"
            elif x < 0.21 and cc in _CITIES:
                style = "city"
            elif x < 0.25:
                style = "amp"
            elif x < 0.40:
                style = "tail"
            else:
                style = "stem"
        ent = None
        for attempt in range(60):
            # a crowded naming pattern (few surnames, cities) falls back to invented words
            ent = self._try_name(
                cc, style if attempt < 3 else ("stem" if attempt < 30 else "stem2")
            )
            if ent is not None:
                break
        assert ent is not None
        ent.eid = f"E{len(self.ents):07d}"
        self.ents.append(ent)
        if ent.cc == "CN" and not ent.legal_forms:
            ent.legal_forms = _LEGAL["CN"][0]
        if not ent.legal_forms:
            ent.legal_forms = r.choice(_LEGAL.get(cc, _LEGAL_DEFAULT))
        if not ent.legal and style not in ("chinese", "individual") and r.random() < 0.45:
            ent.legal = r.choice(ent.legal_forms[:2])
        ent.domain = self.new_domain(ent)
        return ent

    def _try_name(self, cc: str, style: str) -> _Ent | None:
        r = self.rng
        brand = acronym = long = short = ""
        legal_forms: tuple[str, ...] = ()
        legal = ""
        cn_full = ""
        if style == "chinese":
            brand = self.stem(exclusive=True)
            if r.random() < 0.2:
                brand = brand.upper()
            legal_forms = _LEGAL["CN"][0]
            cn_core = f"{r.choice(_CN_CITIES)} {brand} {r.choice(_CN_TAILS)}"
            cn_full = f"{cn_core} {legal_forms[0]}"
            if r.random() < 0.5:
                core, legal = cn_core, legal_forms[0]
            else:
                core = brand
            if not self._register(brand):
                return None
        elif style == "acronym":
            words = r.sample(_AM_WORDS[:30], 2)
            first = self.stem(exclusive=True)
            long = f"{first} {words[0]} {words[1]}"
            acronym = "".join(w[0] for w in long.split()).upper()
            if r.random() < 0.3:
                acronym += r.choice("TGS")
            core = acronym if r.random() < 0.4 else long
            if not self._register(long) or not self._register("acr:" + acronym):
                return None
        elif style == "person":
            core = f"{r.choice(_SURNAMES)} {r.choice(_PERSON_SUFFIX)}"
            if r.random() < 0.3:
                core = f"{r.choice(_FIRST_NAMES)} {core}"
        elif style == "city":
            core = f"{r.choice(_CITIES[cc])} {r.choice(_AM_WORDS)}"
            if r.random() < 0.5:
                core = f"{core} {r.choice(_AM_WORDS)}"
        elif style == "amp":
            if r.random() < 0.5:
                core = f"{r.choice(_SURNAMES)} & {r.choice(_SURNAMES)}"
            else:
                core = f"{self.stem(exclusive=True)} {r.choice(_AMP_TAILS)}"
        elif style == "individual":
            core = f"{r.choice(_FIRST_NAMES)} {r.choice(_SURNAMES)}"
        elif style == "tail":
            short = self.stem(exclusive=True)
            if not self._register(short):
                return None
            core = f"{short} {r.choice(_TAILS)}"
        elif style == "generic":
            core = f"{r.choice(_GENERIC_ADJ)} {r.choice(_GENERIC_NOUN)}"
            if r.random() < 0.5:
                core = f"{r.choice(_GENERIC_ADJ)} {r.choice(_AM_WORDS)} {r.choice(_GENERIC_NOUN)}"
        elif style == "stem2":
            core = f"{self.stem(exclusive=True)} {self.stem()}"
        else:  # stem
            s = self.stem(exclusive=True)
            x = r.random()
            if x < 0.25:
                core = s
            elif x < 0.40:
                core = f"{s}3D" if r.random() < 0.5 else f"{s} 3D"
            elif x < 0.85:
                core = f"{s} {r.choice(_AM_WORDS)}"
            else:
                w1, w2 = r.sample(_AM_WORDS, 2)
                core = f"{s} {w1} {w2}"
            y = r.random()
            if y < 0.06:
                core = core.upper()
            elif y < 0.09:
                core = core[0].lower() + core[1:]
        if style != "acronym" and not self._register(core):
            return None
        ent = _Ent("", core, cc)
        ent.brand, ent.acronym, ent.long, ent.short = brand, acronym, long, short
        ent.legal_forms, ent.legal = legal_forms, legal
        ent.cn_full = cn_full
        return ent

    def new_domain(self, ent: _Ent) -> str:
        r = self.rng
        base = ent.brand or ent.acronym or ent.core
        tokens = [t for t in (_alnum(t) for t in base.split()) if t]
        label = "".join(tokens[:2]) if r.random() < 0.7 else "-".join(tokens[:2])
        label = label or "company"
        tld = _CC[ent.cc][6] if r.random() < 0.55 else "com"
        domain = f"{label}.{tld}"
        n = 0
        while domain in self.domains:
            n += 1
            domain = f"{label}{r.choice(('3d', '-am', 'group', 'tech', str(n)))}.{tld}"
        self.domains.add(domain)
        return domain

    def fresh_name(self) -> str:
        """A name no entity uses (for ``(formerly …)``)."""
        while True:
            core = f"{self.stem()} {self.rng.choice(_AM_WORDS)}"
            if self._register(core):
                return core

    # -- spelling variants ---------------------------------------------------------------------

    def variant(self, ent: _Ent, kind: str, base: str | None = None) -> str | None:
        """``base`` (default: the canonical name) spelled with one corruption, or None."""
        r = self.rng
        name = ent.name if base is None else base
        out: str | None = None
        if kind == "legal":
            if ent.legal and r.random() < 0.5:
                out = ent.core
            else:
                others = [f for f in ent.legal_forms if f != ent.legal]
                form = r.choice(others) if others else r.choice(ent.legal_forms)
                sep = "" if form.startswith(",") else " "
                out = f"{ent.core}{sep}{form}"
        elif kind == "case":
            if name == name.upper():
                out = name.title() if r.random() < 0.5 else name.lower()
            else:
                out = name.upper() if r.random() < 0.6 else name.lower()
        elif kind == "spacing":
            out = self._respace(name)
        elif kind == "amp":
            if " & " in name:
                out = name.replace(" & ", " and ", 1)
            elif "&" in name:
                out = name.replace("&", " and ", 1)
            elif " and " in name:
                out = name.replace(" and ", " & ", 1)
        elif kind in ("alias", "alias_dash", "alias_bare"):
            # "Name (ACRONYM)", "ACRONYM (Long name)", or dashed "ACRONYM – Long name"
            if ent.acronym:
                if kind == "alias_dash":
                    forms = [f"{ent.acronym} – {ent.long}"]
                elif kind == "alias_bare":
                    forms = [ent.acronym, ent.long]
                else:
                    forms = [f"{ent.long} ({ent.acronym})", f"{ent.acronym} ({ent.long})"]
                forms = [f for f in forms if f != name]
                out = r.choice(forms) if forms else None
            else:
                words = [w for w in ent.core.split() if w[:1].isalpha()]
                if len(words) >= 2:
                    acr = strip_accents("".join(w[0] for w in words)).upper()
                    if kind != "alias_bare":
                        out = f"{name} ({acr})" if kind == "alias" else f"{acr} – {name}"
        elif kind == "chinese":
            if ent.cn_full:
                full = ent.cn_full
                out = (
                    ent.brand
                    if name != ent.brand
                    else (full if r.random() < 0.5 else f"{ent.brand} ({full})")
                )
        elif kind in ("part_of", "now_part_of", "acquired_by"):
            group = self.pick_group(ent)
            if group is not None:
                label = {
                    "part_of": "part of",
                    "now_part_of": "now part of",
                    "acquired_by": "acquired by",
                }[kind]
                out = f"{name} ({label} {group.mention()})"
        elif kind == "formerly":
            out = f"{name} (formerly {self.fresh_name()})"
        elif kind == "closed":
            out = f"{name} – closed"
        elif kind == "booth":
            if not name[-1:].isdigit():
                out = f"{name}{r.randint(100, 2999)}"
        elif kind == "mojibake":
            if not name.isascii():
                out = mojibake(name)
        elif kind == "accent":
            if not name.isascii():
                if r.random() < 0.4 and name != name.translate(_GERMAN):
                    out = name.translate(_GERMAN)
                else:
                    out = strip_accents(name)
        elif kind == "short":
            if ent.short:
                out = ent.short
        elif kind == "trailing_space":
            out = name + " "
        elif kind == "ocr":
            out = self.ocr(name)
        elif kind == "ticker":
            out = f"{name} ({self.ticker(ent)})"
        return out if out and out != name else None

    def _respace(self, name: str) -> str | None:
        r = self.rng
        parts = name.split(" ")
        joins = [
            i
            for i in range(len(parts) - 1)
            if parts[i + 1][:1].isalnum()
            and parts[i + 1] not in _LEGAL_TOKENS
            and parts[i][-1:].isalnum()
        ]
        if joins and r.random() < 0.6:
            i = r.choice(joins)
            joiner = "" if r.random() < 0.7 else "-"
            return (
                " ".join(parts[:i])
                + (" " if i else "")
                + parts[i]
                + joiner
                + " ".join(parts[i + 1 :])
            )
        # insert a space (or hyphen) before a digit or an inner capital
        for i in range(1, len(name)):
            a, b = name[i - 1], name[i]
            if a.isalpha() and (b.isdigit() or (b.isupper() and a.islower())):
                return name[:i] + (" " if r.random() < 0.7 else "-") + name[i:]
        if "-" in name:
            return name.replace("-", " ", 1)
        return None

    def ocr(self, name: str) -> str | None:
        spots = [i for i, ch in enumerate(name) if ch in "liI"]
        if not spots:
            return None
        i = self.rng.choice(spots)
        ch = name[i]
        swap = {"l": "i", "i": "l", "I": "l"}[ch]
        if ch == "l" and self.rng.random() < 0.3:
            swap = "I"
        return name[:i] + swap + name[i + 1 :]

    def ticker(self, ent: _Ent) -> str:
        """``EXCH: TICK``, the same every time for one company."""
        if ent.eid in self.tickers:
            return self.tickers[ent.eid]
        r = self.rng
        exch = r.choice(_EXCHANGES.get(ent.cc, ("NAS", "NYSE")))
        letters = "".join(ch for ch in strip_accents(ent.core).upper() if ch.isalpha())
        tick = letters[:1] + "".join(r.sample(letters[1:] or "XYZ", min(3, len(letters[1:]) or 3)))
        self.tickers[ent.eid] = f"{exch}: {tick[:4]}"
        return self.tickers[ent.eid]

    def public_stock(self, ent: _Ent) -> str:
        r = self.rng
        x = r.random()
        if x < 0.1:
            return f"{r.randint(600000, 688999)}:SHH"
        if x < 0.18:
            return f"{r.randint(1, 9999):05d}.HK"
        exch, tick = self.ticker(ent).split(": ")
        return f"{exch}:{tick}" if x < 0.35 else f"{exch}: {tick}"

    def pick_group(self, ent: _Ent) -> _Ent | None:
        if ent.parent is not None:
            return ent.parent
        if not self.groups:
            return None
        for _ in range(5):
            g = self.rng.choice(self.groups)
            if g is not ent:
                return g
        return None

    def owner_text(self, parent: _Ent) -> str:
        """Free text naming a parent: spelling varies from row to row."""
        r = self.rng
        x = r.random()
        if x < 0.5:
            return parent.mention()
        if x < 0.7:
            return parent.core
        v = self.variant(parent, r.choice(("legal", "case", "alias")))
        return v or parent.name


# --------------------------------------------------------------------------------------------
# Website, country helpers
# --------------------------------------------------------------------------------------------

_URL_FORMATS = (
    "https://{d}",
    "https://{d}",
    "https://{d}",
    "https://{d}",
    "https://www.{d}",
    "https://www.{d}/",
    "http://www.{d}",
    "www.{d}",
    "https://{d}/",
    "https://{d}/en",
    "https://{d}/en/",
    "https://www.{d}/home.html",
    "http://{d}",
    "https://{d}/de/home",
)
_DEEP_PATHS = (
    "/products/additive-manufacturing",
    "/en/3d-printing",
    "/service/3d-printing",
    "/contact.html",
    "/about-us",
    "/index.php",
    "/solutions/am",
)


def _url(rng: random.Random, domain: str, avoid: str | None = None) -> str:
    x = rng.random()
    if x < 0.012:
        return f"https://info@{domain}"  # an e-mail address instead of a URL
    if x < 0.022:
        return f"https://{domain}{rng.choice(('3d-druck', 'products', 'en', 'home.html'))}"
    if x < 0.03:
        return f"www.https://{domain}"
    if x < 0.07:
        return f"https://{domain}{rng.choice(_DEEP_PATHS)}"
    for _ in range(4):
        url = rng.choice(_URL_FORMATS).format(d=domain)
        if url != avoid:
            return url
    return url


def _hq_master(rng: random.Random, cc: str) -> str:
    c = _CC[cc]
    if c[3] and rng.random() < 0.18:
        return rng.choice(c[3])
    return c[2]


def _random_cc(rng: random.Random) -> str:
    return rng.choices(_CC_CODES, cum_weights=_CC_CUM)[0]


def _scaled(file: str, companies: int) -> int:
    if file == MASTER_FILE:
        return max(companies, _MIN_ROWS[file])
    return max(round(BASE_ROWS[file] * companies / BASE_COMPANIES), _MIN_ROWS[file])


# --------------------------------------------------------------------------------------------
# The export
# --------------------------------------------------------------------------------------------


def generate_export(companies: int, seed: int, out: Path) -> dict[str, int]:
    """Write a synthetic vendor export (11 JSON files) and ``truth.csv`` into ``out``.

    ``companies`` is the number of master-list rows (the full export has 5,188); the other sheets
    are scaled from the full export's counts. Returns ``{file name: rows written}`` for the 11
    files. The same ``seed`` gives byte-identical files.
    """
    # Millions of small long-lived objects and no reference cycles: the cyclic garbage collector
    # would rescan them again and again (a 100x export ran ~40% slower with it on).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(companies, seed, Path(out))
    finally:
        if was_enabled:
            gc.enable()


def _generate(companies: int, seed: int, out: Path) -> dict[str, int]:
    if companies < 1:
        raise ValueError("companies must be >= 1")
    out.mkdir(parents=True, exist_ok=True)
    g = _Gen(companies, random.Random(seed))
    t = {f: _scaled(f, companies) for f in FILES}  # rows per file
    master = _build_master(g, t[MASTER_FILE])
    bureaus = _pick_bureaus(g, master)
    # file -> writer(add); each writer calls add(row, entities named in the row's name fields)
    writers: dict[str, Callable[[_Add], None]] = {
        "Company_information.json": lambda add: _write_master(g, add),
        "Company_roles.json": lambda add: _write_roles(g, add, t["Company_roles.json"]),
        "COMPANY___Print_services_global.json": lambda add: _write_print_services(
            g, add, bureaus, t["COMPANY___Print_services_global.json"]
        ),
        "COMPANY___AM_systems_mfrs.json": lambda add: _write_systems(
            g, add, master, t["COMPANY___AM_systems_mfrs.json"]
        ),
        "Print_services_Pricing_data.json": lambda add: _write_pricing(
            g, add, bureaus, t["Print_services_Pricing_data.json"]
        ),
        "Fundings_and_investments.json": lambda add: _write_fundings(
            g, add, master, t["Fundings_and_investments.json"]
        ),
        "M_A.json": lambda add: _write_ma(g, add, master, t["M_A.json"]),
        "AM_market_revenue_2024.json": lambda add: _write_market_revenue(
            g, add, t["AM_market_revenue_2024.json"]
        ),
        "Revenue_by_industry_2024.json": lambda add: _write_industry(
            g, add, t["Revenue_by_industry_2024.json"]
        ),
        "Total_AM_market_size.json": lambda add: _write_total(
            g, add, t["Total_AM_market_size.json"]
        ),
        "Directory.json": lambda add: _write_directory(g, add, t["Directory.json"]),
    }
    truth = _TruthWriter(out / "truth.csv")
    counts: dict[str, int] = {}
    for file in FILES:
        w = _JsonListWriter(out / file)
        fields = MENTION_FIELDS.get(file, ())
        limit = t[file]

        def add(row: dict, ents: tuple[_Ent, ...], w=w, fields=fields, limit=limit, file=file):
            if w.count >= limit:  # exact duplicate rows count towards the sheet's size
                return
            i = w.add(row)
            for (_key, field), ent in zip(fields, ents, strict=True):
                truth.add(file, i, field, ent.eid)

        writers[file](add)
        w.close()
        counts[file] = w.count
    truth.close()
    return counts


# -- master list -----------------------------------------------------------------------------

# (entity, spelling, block, is_twin); blocks: 0 alphabetical main list, 1 later additions,
# 2 employer-style list (careers URLs, no HQ), 3 more additions.
_MasterRow = tuple[_Ent, str, int, bool]


def _build_master(g: _Gen, rows: int) -> list[_Ent]:
    r = g.rng
    n_twin = max(round(rows * 0.09), 24 if rows >= 120 else rows // 5)
    n_repeat = max(1, round(rows / BASE_COMPANIES))
    n_primary = rows - n_twin - n_repeat
    # Hard negatives take part of the primaries.
    n_groups = max(3, round(n_primary * 0.02))
    n_generic = max(2, round(n_primary * 0.006))  # pairs with the same generic name
    n_sisters = max(2, round(n_primary * 0.006))  # groups of sister firms on one website

    ents: list[_Ent] = []
    plan: list[_MasterRow] = []
    site_of: dict[str, str] = {}  # eid -> website shared on purpose

    def primary_block(employer: bool = True) -> int:
        x = r.random()
        if not employer and 0.88 <= x < 0.93:
            return 3
        return 0 if x < 0.80 else (1 if x < 0.88 else (2 if x < 0.93 else 3))

    # Parents with subsidiaries, regional arms and divisions.
    budget = n_primary
    for _ in range(n_groups):
        parent = g.new_ent()
        parent.public = not g.groups or r.random() < 0.25
        g.groups.append(parent)
        ents.append(parent)
        plan.append((parent, parent.name, primary_block(), False))
        budget -= 1
        for _k in range(1 if r.random() < 0.6 else 2):
            kind = r.random()
            if kind < 0.6:
                region, cc = r.choice(_REGIONS)
                core = f"{parent.core} {region}"
            elif kind < 0.8:
                cc = parent.cc
                core = f"{parent.core} {r.choice(('Additive', 'AM', 'Additive Manufacturing'))}"
            else:
                cc = parent.cc
                core = f"{parent.core} – {g.stem()}"
            if not g._register(core):
                continue
            sub = _Ent("", core, cc)
            sub.eid = f"E{len(g.ents):07d}"
            g.ents.append(sub)
            sub.legal_forms = r.choice(_LEGAL.get(cc, _LEGAL_DEFAULT))
            if r.random() < 0.4:
                sub.legal = sub.legal_forms[0]
            sub.parent = parent
            if r.random() < 0.5:
                sub.domain = parent.domain  # the group's site
                site_of[sub.eid] = f"https://{parent.domain}"
                site_of[parent.eid] = f"https://{parent.domain}"
            else:
                sub.domain = g.new_domain(sub)
            ents.append(sub)
            plan.append((sub, sub.name, primary_block(), False))
            budget -= 1
    # Groups that exist in the master only as owners (and as M&A acquirers).
    for _ in range(max(2, n_groups // 2)):
        outside = g.new_ent()
        g.groups.append(outside)
    # Unrelated firms with the same generic name in different countries.
    generic_done = False
    for _ in range(n_generic):
        first = g.new_ent(style="generic")
        exact = not generic_done or r.random() < 0.25
        generic_done = True
        if exact:
            first.legal = ""  # the very same name as the unrelated twin below
        ents.append(first)
        g.force_hq.add(first.eid)
        plan.append((first, first.name, primary_block(employer=False), False))
        budget -= 1
        for _k in range(1 if r.random() < 0.85 else 2):
            cc = _random_cc(r)
            while cc == first.cc:
                cc = _random_cc(r)
            twin = _Ent(f"E{len(g.ents):07d}", first.core, cc)
            g.ents.append(twin)
            twin.legal_forms = r.choice(_LEGAL.get(cc, _LEGAL_DEFAULT))
            if not exact:
                twin.legal = twin.legal_forms[0] if first.legal or r.random() < 0.5 else ""
                if twin.name == first.name:
                    twin.legal = "" if twin.legal else twin.legal_forms[0]
            twin.domain = g.new_domain(twin)
            ents.append(twin)
            g.force_hq.add(twin.eid)
            plan.append((twin, twin.name, primary_block(employer=False), False))
            budget -= 1
    # Sister firms sharing one group website.
    for _ in range(n_sisters):
        label = f"{_alnum(g.stem())}-group.com"
        for _k in range(r.randint(2, 3)):
            sister = g.new_ent()
            sister.domain = label
            site_of[sister.eid] = r.choice((f"https://{label}", f"https://www.{label}/"))
            ents.append(sister)
            plan.append((sister, sister.name, primary_block(employer=False), False))
            budget -= 1
    # Everyone else.
    # (the first few in naming patterns that some corruptions need: Chinese legal name,
    # acronym, "&", accented surname)
    seeds = (("CN", "chinese"), (None, "acronym"), (None, "amp"), ("DE", "person"))
    for i in range(max(budget, 1)):
        cc, style = seeds[i] if i < len(seeds) else (None, None)
        ent = g.new_ent(cc=cc, style=style)
        if r.random() < 0.01 and g.groups:
            ent.parent = r.choice(g.groups)  # owned by a group outside the master
        ents.append(ent)
        plan.append((ent, ent.name, primary_block(), False))

    for ent, _name, _b, _t in plan:
        ent.names.append(ent.name)

    # Twins: the same company again in another spelling, mostly in another block.
    kinds = [k for k, _w in _TWIN_KINDS]
    forced = kinds * (2 if n_twin >= 2 * len(kinds) else 1)
    for i in range(n_twin):
        kind = forced[i] if i < len(forced) else _W_TWIN(r)
        spelled = None
        ent = ents[0]
        for _ in range(300 if i < len(forced) else 30):
            ent = r.choice(ents)
            spelled = g.variant(ent, kind)
            if spelled is not None:
                break
        if spelled is None:
            spelled = g.variant(ent, "legal") or ent.name + " "
        if i >= len(forced) and r.random() < 0.12:  # a second difference
            spelled = g.variant(ent, r.choice(("case", "legal", "spacing")), spelled) or spelled
        x = r.random()
        block = 0 if x < 0.10 else (1 if x < 0.40 else (2 if x < 0.70 else 3))
        if i < 3:
            block = 2  # some twins always sit in the employer-style list
        ent.names.append(spelled)
        plan.append((ent, spelled, block, True))
    # A few twins get a wrong HQ (their primary row keeps the right one, both are written).
    primary_block_of = {p[0].eid: p[2] for p in plan if not p[3]}
    for p in plan:
        if len(g.wrong_hq_items) >= 2:
            break
        if p[3] and p[2] != 2 and primary_block_of.get(p[0].eid) != 2:
            g.wrong_hq_items.add(id(p))
            g.force_hq.add(p[0].eid)

    main = sorted((p for p in plan if p[2] == 0), key=lambda p: (_alnum(p[1]), p[1], p[0].eid))
    others = [p for p in plan if p[2] != 0]
    r.shuffle(others)
    ordered = main + sorted(others, key=lambda p: p[2])
    # The one exact repeat (per full-export size), somewhere in the later additions.
    for _ in range(n_repeat):
        src = r.randrange(len(ordered))
        item = ordered[src]
        if item[0] == "REPEAT":
            item = item[1]
        ordered.insert(r.randrange(src + 1, len(ordered) + 1), ("REPEAT", item))

    g.master_plan = ordered
    g.master_sites = site_of
    return ents


def _write_master(g: _Gen, add: Callable[[dict, tuple[_Ent, ...]], None]) -> None:
    r = g.rng
    plan = g.master_plan
    sites = g.master_sites
    first_url: dict[str, str] = {}
    written: dict[int, tuple[dict, _Ent]] = {}  # id(plan item) -> the row written for it
    employee_row = r.randrange(len(plan))
    employer_rows = 0
    for pos, item in enumerate(plan):
        if item[0] == "REPEAT":
            row, ent = written[id(item[1])]
            add(dict(row), (ent,))
            g.master_rows.append((ent, row[K_NAME]))
            continue
        ent, name, block, is_twin = item
        row: dict = {K_NAME: name}
        if block == 2:  # employer-style list: careers pages and job boards, no HQ
            x = r.random()
            employer_rows += is_twin
            if employer_rows == 1 and is_twin:
                x = 0.5  # a careers page
            elif employer_rows == 2 and is_twin:
                x = 0.0  # a job board
            if x < 0.15:
                row["Website"] = r.choice(_JOB_BOARDS)
            elif x < 0.75:
                row["Website"] = r.choice(
                    (
                        f"https://careers.{ent.domain}/",
                        f"https://www.{ent.domain}/careers",
                        f"https://jobs.{ent.domain}",
                        f"https://www.{ent.domain}",
                    )
                )
            else:
                row["Website"] = f"http://www.{ent.domain}"
            if employer_rows == 1 and is_twin:
                row["Website"] = f"https://careers.{ent.domain}/"
        else:
            x = r.random()
            if ent.eid in sites and (not is_twin or x < 0.9):
                row["Website"] = sites[ent.eid]  # the group's site, shared by its companies
            elif x < 0.04:
                pass  # absent
            elif x < 0.11:
                row["Website"] = ""
            else:
                url = _url(r, ent.domain, first_url.get(ent.eid) if is_twin else None)
                if is_twin and r.random() < 0.12:
                    url = f"https://{ent.domain}{r.choice(_DEEP_PATHS)}"
                row["Website"] = url
            if "Website" in row and row["Website"] and ent.eid not in first_url:
                first_url[ent.eid] = row["Website"]
            if ent.eid in g.force_hq or r.random() < (0.92 if not is_twin else 0.85):
                cc = ent.cc
                if id(item) in g.wrong_hq_items or (is_twin and r.random() < 0.08):
                    while cc == ent.cc:
                        cc = _random_cc(r)  # a wrong HQ on the twin
                row["Headquarters"] = _hq_master(r, cc)
        if ent.parent is not None and r.random() < 0.6:
            row["Owned by / Subsidiary of"] = g.owner_text(ent.parent)
        elif r.random() < 0.002 and g.groups:
            row["Owned by / Subsidiary of"] = g.owner_text(r.choice(g.groups))
        if ent.public and not is_twin:
            row["Public stock"] = g.public_stock(ent)
        if pos == employee_row:
            row["Number of employees"] = r.randint(5, 5000)
        add(row, (ent,))
        written[id(item)] = (row, ent)
        g.master_rows.append((ent, name))


# -- other company sheets --------------------------------------------------------------------


def _write_roles(g: _Gen, add: Callable, target: int) -> None:
    """Roles per master row (mostly one, some none, a few several distinct ones), grouped by
    category like the sheet; a few annotated / booth-number spellings and roles-only firms."""
    r = g.rng
    cat_order = {c: i for i, (c, _w) in enumerate(_ROLE_CATEGORIES)}
    recs: list[tuple[int, str | None, str, _Ent]] = []
    n_annot = max(6, round(target * 0.006))
    n_new = max(2, round(target * 0.01))
    sources: list[tuple[_Ent, str]] = []
    for ent, name in g.master_rows:
        x = r.random()
        k = 0 if x < 0.13 else (1 if x < 0.85 else (2 if x < 0.95 else 3))
        sources.extend([(ent, name)] * k)
    for i in range(n_annot + n_new):
        if i < n_annot:
            ent, name = r.choice(g.master_rows)
            kind = r.choice(("part_of", "acquired_by", "closed", "booth", "booth", "formerly"))
            name = g.variant(ent, kind, name) or name
        else:
            ent = g.new_ent()
            name = ent.name
        sources.append((ent, name))
    while len(sources) < target:
        sources.append(r.choice(g.master_rows))
    last: tuple[str, set[str | None]] = ("", set())
    for ent, name in sources:
        # distinct categories for the several roles of one row (repeats are rare, below)
        taken = last[1] if last[0] == name else set()
        for _ in range(10):
            cat = None if r.random() < 0.11 else _W_CATEGORY(r)
            if cat not in taken:
                break
        taken.add(cat)
        last = (name, taken)
        recs.append((cat_order.get(cat, 99) if cat else 99, cat, name, ent))
        if r.random() < 0.0025:
            recs.append(recs[-1])  # exact duplicate row
    r.shuffle(recs)
    recs = recs[:target]
    recs.sort(key=lambda t: t[0])  # stable: grouped by category like the sheet
    for _o, cat, name, ent in recs:
        row = {K_NAME: name}
        if cat is not None:
            row["Category"] = cat
        add(row, (ent,))


def _pick_bureaus(g: _Gen, ents: list[_Ent]) -> list[_Ent]:
    n = max(4, round(len(ents) * 430 / 4700))
    return g.rng.sample(ents, min(n, len(ents)))


def _spread(r: random.Random, n_items: int, total: int, skew: float) -> list[int]:
    """Split ``total`` rows over ``n_items`` with a heavy tail; every item gets at least one."""
    if n_items <= 0:
        return []
    n_items = min(n_items, total)
    weights = [r.paretovariate(skew) for _ in range(n_items)]
    counts = [1] * n_items
    extra = total - n_items
    if extra > 0:
        for j in r.choices(range(n_items), weights=weights, k=extra):
            counts[j] += 1
    return counts


def _ps_country(r: random.Random, ent: _Ent) -> str | int:
    x = r.random()
    if x < 0.008:
        return 0
    cc = ent.cc if x > 0.03 else _random_cc(r)
    c = _CC[cc]
    if cc == "US" and r.random() < 0.06:
        return "United states"
    if cc == "CN" and r.random() < 0.03:
        return "china"
    if cc == "CZ" and r.random() < 0.5:
        return "Czechia"
    return c[2]


def _write_print_services(g: _Gen, add: Callable, bureaus: list[_Ent], target: int) -> None:
    r = g.rng
    counts = _spread(r, len(bureaus), target, 1.6)
    pos = 0
    for ent, k in zip(bureaus, counts, strict=False):
        name = ent.names[0]
        ccountry = _ps_country(r, ent)
        for _ in range(k):
            pos += 1
            n_name = name
            if r.random() < 0.01:
                n_name = g.variant(ent, r.choice(("legal", "case")), name) or name
            row: dict = {K_NAME: n_name, "Segment": "Printing services"}
            if r.random() < 0.87:
                row["Printer manufacturer"] = r.choice(_OEMS)
            if r.random() < 0.44 or pos == 2:
                row["Printer model"] = r.choice(_MODELS) if pos != 2 else 5210
            ctype = _W_COUNT_TYPE(r) if r.random() < 0.99 else None
            if r.random() < 0.996:
                if ctype == "Units added in year" and r.random() < 0.2:
                    row["Number of printers"] = -r.randint(1, 5)
                else:
                    row["Number of printers"] = r.choice((1, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 30))
            if ctype is not None:
                row["Count type"] = ctype
            if r.random() < 0.92:
                row["Process"] = _W_PS_PROCESS(r)
            if r.random() < 0.82:
                row["Material type"] = _W_PS_MATERIAL(r)
            if r.random() < 0.002:
                row["Material format"] = r.choice(("powder", "resin", "filament"))
            if r.random() < 0.998:
                row["Country"] = ccountry if r.random() < 0.97 else _ps_country(r, ent)
                if pos == 3:
                    row["Country"] = 0  # unknown, as the vendor writes it
            row["Update year"] = r.choice((2021, 2022, 2023, 2024, 2025, 2025))
            add(row, (ent,))
            if r.random() < 0.014:
                add(dict(row), (ent,))  # exact duplicate row


def _write_systems(g: _Gen, add: Callable, ents: list[_Ent], target: int) -> None:
    r = g.rng
    n = max(3, round(target / 1.37))
    mfrs = r.sample(ents, min(n, len(ents)))
    counts = _spread(r, len(mfrs), target, 2.5)
    for ent, k in zip(mfrs, counts, strict=False):
        name = ent.names[0]
        if r.random() < 0.03:
            name = g.variant(ent, r.choice(("legal", "case", "spacing")), name) or name
        country = _CC[ent.cc][2]
        for _ in range(k):
            row: dict = {K_NAME: name, "Segment": "System manufacturer"}
            if r.random() < 0.99:
                row["Process"] = _W_SYS_PROCESS(r)
            if r.random() < 0.72:
                row["Material format"] = _W_SYS_FORMAT(r)
            if r.random() < 0.97:
                row["Material type"] = _W_SYS_MATERIAL(r)
            if r.random() < 0.97:
                row["Country"] = country
            add(row, (ent,))
            if r.random() < 0.03:
                add(dict(row), (ent,))


def _write_pricing(g: _Gen, add: Callable, bureaus: list[_Ent], target: int) -> None:
    r = g.rng
    n_sellers = max(8, round(target * 105 / 3524))  # ~160 spellings with the variants
    # (entity, its marketplace wrapper: "", "via" or "by", the wrapped name, shows a leading NBSP)
    sellers: list[tuple[_Ent, str, str, bool]] = []
    for i in range(n_sellers):
        x = r.random()
        if i == 2:
            ent = g.new_ent(cc="US")
        elif (i == 0 or x < 0.25) and bureaus:
            ent = r.choice(bureaus)
        elif i == 1 or x < 0.45:  # an individual
            cc = r.choice(("CZ", "SK", "PL", "DE", "FR", "ES", "US", "IT"))
            ent = g.new_ent(cc=cc, style="individual")
        else:
            ent = g.new_ent(cc=r.choice(("US", "US", "US", "CN", "DE", "CA", "IT", "GB", "LT")))
        base = ent.mention()
        wrapper = ""
        if i < 3 or r.random() < 0.2:
            wrapper = "via" if (i == 0 or r.random() < 0.65) and i != 1 else "by"
        wrapped = (
            f"{base} (via {r.choice(_MARKETPLACES)})"
            if wrapper == "via"
            else f"{r.choice(_BY_PHRASES)} {base}"
        )
        sellers.append((ent, wrapper, wrapped, i == 2 or r.random() < 0.4))
    counts = _spread(r, len(sellers), target, 1.3)
    for j in range(min(3, len(counts))):  # the first sellers show plain and wrapped names
        while counts[j] < 3 and max(counts) > 3:
            counts[j] += 1
            counts[counts.index(max(counts))] -= 1
    queue: list[int] = []
    for j, k in enumerate(counts):
        queue.extend([j] * k)
    r.shuffle(queue)
    day0 = 45830
    chart_row = r.randrange(len(queue))
    # the first rows of sellers 0-2 show their wrapper / NBSP, so a small export has them all
    forced = {0: 0, 1: 1, 2: 2}
    first_rows = {}
    for pos, j in enumerate(queue):
        if j in forced and j not in first_rows:
            first_rows[j] = pos
    forced_pos = {pos: j for j, pos in first_rows.items()}
    plain_pos = set()  # and their second rows the plain name
    for j, first in first_rows.items():
        nxt = next((p for p in range(first + 1, len(queue)) if queue[p] == j), None)
        if nxt is not None:
            plain_pos.add(nxt)
    for pos, j in enumerate(queue):
        ent, wrapper, wrapped, nbsp = sellers[j]
        base = ent.mention()
        x = r.random()
        if pos in forced_pos:
            x = 0.5 if forced_pos[pos] == 2 else 0.0
        elif pos in plain_pos:
            x = 0.99
        if wrapper and x < 0.4:
            name = wrapped
        elif nbsp and x < 0.7:
            name = "\u00a0" + base
        else:
            name = base
        mtype, material, process = r.choice(_PRICING_MATERIALS)
        qty = 1 if r.random() < 0.7 else 1000
        unit = round(r.lognormvariate(4.5, 1.2), 2)
        cost = round(unit * qty * r.uniform(0.3, 1.0), 2) if qty > 1 else unit
        if r.random() < 0.012:
            cost = float(int(cost)) + 0.0  # whole: written as an int
        row: dict = {K_NAME: name, "Material type": mtype, "Material": material}
        if r.random() < 0.998:
            row["Process"] = process
        row["Quantity"] = qty
        row["Manufacturing cost"] = cost
        y = r.random()
        if y < 0.005:
            pass  # absent
        elif y < 0.011 or pos == 4:
            row["Shipping cost"] = None
        elif y < 0.14:
            row["Shipping cost"] = r.choice((0, 10, 15, 25, 50))
        else:
            row["Shipping cost"] = round(r.lognormvariate(3.0, 0.9), 2)
        ordered = day0 + r.randint(0, 40)
        lead = r.randint(2, 40)
        if r.random() < 0.01 or pos == 3:
            lead = -r.randint(1, 181)  # delivery before order: impossible, but in the data
        row["Day ordered"] = ordered
        row["Delivery date"] = ordered + lead
        row["Lead time"] = lead
        row["Country"] = _CC[ent.cc][4]
        if pos == chart_row:
            row[K_CHART_NOTE] = "Scatter plot: manufacturing cost (y) vs lead time (x), by process"
        add(row, (ent,))
        if r.random() < 0.003:
            add(dict(row), (ent,))


def _write_fundings(g: _Gen, add: Callable, ents: list[_Ent], target: int) -> None:
    r = g.rng
    n_names = max(6, round(target * 300 / 413))
    funded: list[_Ent] = []
    for i in range(n_names):
        if i % 3 == 0 and ents:
            funded.append(r.choice(ents))
        else:
            ent = g.new_ent(
                cc=r.choice(
                    (
                        "US",
                        "US",
                        "US",
                        "GB",
                        "DE",
                        "IL",
                        "CN",
                        "FR",
                        "IT",
                        "KR",
                        "NL",
                        "AE",
                        "CH",
                        "JP",
                        "ES",
                    )
                )
            )
            if r.random() < 0.15:
                ent.core = ent.core[0].lower() + ent.core[1:]
            funded.append(ent)
    counts = _spread(r, len(funded), target, 2.0)
    queue: list[int] = []
    for j, k in enumerate(counts):
        queue.extend([j] * k)
    r.shuffle(queue)
    note_row = r.randrange(len(queue))
    ocr_done = False
    for pos, j in enumerate(queue):
        ent = funded[j]
        name = ent.mention()
        # OCR-like typos; one at least on a company that the master spells right
        if (not ocr_done and ent.names) or r.random() < 0.08:
            typo = g.ocr(name)
            if typo is not None:
                name = typo
                ocr_done = ocr_done or bool(ent.names)
        cc = ent.cc
        country = _CC[cc][5]
        if cc == "KR" and r.random() < 0.5:
            country = "South Korea"
        row: dict = {
            "Year": r.randint(2019, 2024),
            "Month": r.choice(_MONTHS),
            K_NAME: name,
            "Country": country,
        }
        x = r.random()
        if pos < 4:
            x = (0.19, 0.1, 0.5, 0.9)[pos]  # every kind of amount shows in a small export
        if x < 0.05:
            pass
        elif x < 0.18:
            row["Amount (in millions USD)"] = " "
        elif x < 0.20:
            row["Amount (in millions USD)"] = r.choice(_FOREIGN_AMOUNTS)
        elif x < 0.6:
            row["Amount (in millions USD)"] = r.choice(
                (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50, 65, 88, 140, 230)
            )
        else:
            row["Amount (in millions USD)"] = round(r.uniform(0.1, 60), 1)
        if r.random() < 0.94:
            row["Funding round"] = _W_ROUND(r)
        if r.random() < 0.95:
            inv = (
                r.choice(_INVESTORS)
                if r.random() < 0.6
                else (f"{g.stem()} {r.choice(('Ventures', 'Capital', 'Partners', 'Fund'))}")
            )
            if r.random() < 0.04:
                inv = inv.replace("Capital", "Capltal").replace("Ventures", "Ventues")
            row["Lead investor"] = inv
        if pos == note_row:
            row["__EMPTY_2"] = "Amounts in other currencies not converted"
        add(row, (ent,))
        if r.random() < 0.035:
            add(dict(row), (ent,))


def _write_ma(g: _Gen, add: Callable, ents: list[_Ent], target: int) -> None:
    r = g.rng
    masters_with_owner = [e for e in ents if e.parent is not None]
    for i in range(target):
        if i % 5 == 1 or r.random() < 0.35:
            acquired = r.choice(ents)
            acq_name = acquired.mention()
        else:
            acquired = g.new_ent()
            acq_name = acquired.name
        x = r.random()
        if (i == 0 or x < 0.3) and masters_with_owner:
            buyer = r.choice(masters_with_owner).parent  # maybe only an owner in the master
        elif x < 0.6 and g.groups:
            buyer = r.choice(g.groups)
        else:
            buyer = g.new_ent(cc=r.choice(("US", "US", "DE", "GB", "FR", "JP", "CH")))
        assert buyer is not None
        buyer_name = buyer.mention()
        if i < 2 or r.random() < 0.5:
            buyer_name = f"{buyer_name} ({g.ticker(buyer)})"
        month = r.choice(_MONTHS)
        year = r.randint(19, 25)
        size: int | float = 0
        if r.random() < 0.25:
            size = r.choice((12, 45, 100, 250, 7.5, 33.3, 1.2))
        country = _CC[acquired.cc][5]
        pad = " " + _MA if r.random() < 0.08 else _MA
        if country == "Netherlands" and r.random() < 0.5:
            pad = " " + _MA
        row = {
            K_MA_DATE: f"{month} {year:02d}{_MA}",
            K_MA_ACQUIRED: f"{acq_name}{_MA}",
            K_MA_ACQUIRING: f"{buyer_name}{' ' + _MA if i == 0 or r.random() < 0.06 else _MA}",
            K_MA_SIZE: size,
            K_MA_COUNTRY: f"{country}{pad}",
        }
        add(row, (acquired, buyer))


# -- market sheets ---------------------------------------------------------------------------


def _write_market_revenue(g: _Gen, add: Callable, target: int) -> None:
    r = g.rng
    countries = [c[2] for c in _COUNTRIES] + list(_MARKET_EXTRA_COUNTRIES)
    legend = (
        {"__EMPTY_2": "- pie chart of 2024 AM market revenue \r\n- filters: segment, country"},
        {
            "__EMPTY_1": "Filters",
            "__EMPTY_2": "Segment",
            "__EMPTY_3": "Country",
            "__EMPTY_4": "Region",
        },
        {"__EMPTY_2": "Material sales", "__EMPTY_3": "Albania", "__EMPTY_4": "APAC"},
        {"__EMPTY_2": "Printers sales and servicing", "__EMPTY_3": "Belarus", "__EMPTY_4": "EMEA"},
        {"__EMPTY_2": "Printing services", "__EMPTY_3": "…"},
        {"__EMPTY_2": "Software sales"},
    )
    i = 0
    while i < target:
        for seg in _MARKET_SEGMENTS:
            for j, country in enumerate(countries):
                if i >= target:
                    return
                block_pos = i % BASE_ROWS["AM_market_revenue_2024.json"]
                row: dict = {
                    K_REVENUE: r.choice((1.0, 2.0, 4.0, 11.0))
                    * 6181818.181818182
                    * (1 + j % 7)
                    / 3,
                    "Country": country,
                    "Segment": seg,
                }
                if block_pos < len(legend):
                    row.update(legend[block_pos])
                add(row, ())
                i += 1


def _write_industry(g: _Gen, add: Callable, target: int) -> None:
    r = g.rng
    notes = (
        {"__EMPTY_1": "Data viz"},
        {
            "__EMPTY_1": "Filters",
            "__EMPTY_2": "by region",
            "__EMPTY_3": "by Material",
            "__EMPTY_4": "by industry",
        },
        {"__EMPTY_2": "Americas", "__EMPTY_3": "Metal"},
        {"__EMPTY_2": "APAC", "__EMPTY_3": "Polymer"},
        {"__EMPTY_2": "EMEA"},
    )
    total = 21_900_000_000
    i = 0
    while i < target:
        for material in ("All", "Polymer", "Metal"):
            for industry in _INDUSTRIES:
                if i >= target:
                    return
                share = round(r.uniform(1.0, 12.0), 1)
                name = industry
                if material != "All" and industry in _INDUSTRY_VARIANTS and r.random() < 0.5:
                    name = _INDUSTRY_VARIANTS[industry]
                row: dict = {"Industry": name, "Share of revenue (%)": share}
                if material == "All":
                    rev = total * share / 100
                    row["Revenue (USD)"] = rev if r.random() < 0.3 else round(rev)
                row["Region"] = "Global"
                row["Material"] = material
                block_pos = i % BASE_ROWS["Revenue_by_industry_2024.json"]
                if block_pos < len(notes):
                    row.update(notes[block_pos])
                add(row, ())
                i += 1


def _write_total(g: _Gen, add: Callable, target: int) -> None:
    r = g.rng
    notes = (
        {
            "__EMPTY_2": "- segmented (stacked) bar plot from 2024 to 2034 with low/avh/high "
            "forecasts broken down by segment\r\n- filters: segment"
        },
        {"__EMPTY_1": "Filters", "__EMPTY_2": "Segment"},
        {"__EMPTY_2": "Material sales", "__EMPTY_3": "AM material market size'!A1"},
        {
            "__EMPTY_2": "Printers sales and servicing",
            "__EMPTY_3": "Printer sales servicing size'!A1",
        },
        {"__EMPTY_2": "Printing services", "__EMPTY_3": "Printing services market'!A1"},
        {"__EMPTY_2": "Software sales", "__EMPTY_3": "AM software market size'!A1"},
    )
    base = {
        "Total": 4_102_000_000,
        "Materials": 1_100_000_000,
        "Software": 400_000_000,
        "Printer sales": 1_500_000_000,
        "Printing services": 1_100_000_000,
    }
    i = 0
    while i < target:
        for seg in _TOTAL_SEGMENTS:
            for typ, years in (
                ("Past revenue", range(2014, 2025)),
                ("Low end forecast", range(2025, 2035)),
                ("Average forecast", range(2025, 2035)),
                ("High end forecast", range(2025, 2035)),
            ):
                growth = {
                    "Past revenue": 1.17,
                    "Low end forecast": 1.12,
                    "Average forecast": 1.17,
                    "High end forecast": 1.22,
                }[typ]
                for year in years:
                    if i >= target:
                        return
                    value = int(base[seg] * growth ** (year - 2014) * r.uniform(0.97, 1.03))
                    row: dict = {"Year": year, "Type": typ, "Segment": seg, K_PAST_REVENUE: value}
                    block_pos = i % BASE_ROWS["Total_AM_market_size.json"]
                    if block_pos < len(notes):
                        row.update(notes[block_pos])
                    add(row, ())
                    i += 1


def _write_directory(g: _Gen, add: Callable, target: int) -> None:
    r = g.rng
    names = [f"{t}{d}" for t in _FIGURE_TOPICS for d in _FIGURE_DIMS]
    for i in range(target):
        name = names[i % len(names)]
        if i >= len(names):
            name = f"{name} ({i // len(names) + 1})"  # names stay unique
        sheet = name.replace(" - ", " ")[:28]
        link = f"{sheet}'!A1"
        row: dict = {"Figure name": name, "Sheet name and link": link}
        x = r.random()
        if x < 0.78:
            row["V1"] = r.choice((1, 1, 1, 1, 2, 2, 3, 4, 5))
        else:
            row["V1"] = r.choice(
                (
                    "Used elsewhere",
                    "Used elsewhere",
                    "^",
                    "Yes",
                    "Better not",
                    link,
                    "to be explored (breakdown by region/deal type)?",
                )
            )
        if r.random() < 0.12:
            row["__EMPTY"] = r.choice(("v1", "v1", "v1?", "Maybe too narrow interest for v1"))
        if r.random() < 0.08:
            row["Needs further work?"] = r.choice(
                (
                    "Yes",
                    "No",
                    "Yes (country breakdown)",
                    "To be consolidated into Total AM market yearly growth rate",
                )
            )
        if r.random() < 0.07:
            row["Notes"] = r.choice(
                (
                    "Use together with revenues by material type?",
                    "Combine with region and material filters?",
                    "Add previoius years' data",
                )
            )
        add(row, ())
