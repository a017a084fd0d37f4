"""A synthetic vendor export with ground truth, for measuring company linkage.

``generate_export(companies, seed, out)`` writes the 11 files of the vendor export in exactly the
format ``loaders/sheets.py`` registers (same file names, same keys including the U+202F / U+00A0
padding, same value types, the same spreadsheet artefacts and quirks), plus ``truth.csv``:
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

Modules, by job: ``layout`` (sheets, row counts and keys, from the sheet registry
``loaders.sheets``), ``words`` (the word lists in ``data/*.json``), ``text`` (mojibake, accents),
``names`` (entities and their names), ``corruption`` (misspellings), ``master`` (the master list),
``company_sheets`` and ``market_sheets`` (the other ten sheets), ``output`` (streaming writers),
``export`` (``generate_export``).
"""

from .export import generate_export
from .layout import BASE_COMPANIES, BASE_ROWS, FILES, MENTION_FIELDS, TRUTH_COLUMNS

__all__ = [
    "BASE_COMPANIES",
    "BASE_ROWS",
    "FILES",
    "MENTION_FIELDS",
    "TRUTH_COLUMNS",
    "generate_export",
]
