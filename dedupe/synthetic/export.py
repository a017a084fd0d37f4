"""``generate_export``: the 11 files of a synthetic vendor export and ``truth.csv``."""

from __future__ import annotations

import gc
import random
from collections.abc import Callable
from pathlib import Path

from . import company_sheets as company
from . import market_sheets as market
from .layout import (
    DIRECTORY,
    FILES,
    FUNDINGS,
    INDUSTRY,
    MA,
    MARKET_REVENUE,
    MASTER,
    MENTION_FIELDS,
    PRICING,
    PRINT_SERVICES,
    ROLES,
    SYSTEMS,
    TOTAL,
    scaled,
)
from .master import Add, build_master, write_master
from .names import Entity, Namer
from .output import JsonListWriter, TruthWriter


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


def _writers(companies: int, g: Namer) -> dict[str, Callable[[Add], None]]:
    """file -> writer(add); each writer calls add(row, entities named in the row's name fields).

    The master list is chosen here (the other sheets draw on it); rows are drawn while writing,
    file by file in ``FILES`` order.
    """
    t = {f: scaled(f, companies) for f in FILES}  # rows per file
    m = build_master(g, t[MASTER])
    bureaus = company.pick_bureaus(g, m.ents)
    return {
        MASTER: lambda add: write_master(g, m, add),
        ROLES: lambda add: company.write_roles(g, m, add, t[ROLES]),
        PRINT_SERVICES: lambda add: company.write_print_services(
            g, add, bureaus, t[PRINT_SERVICES]
        ),
        SYSTEMS: lambda add: company.write_systems(g, add, m.ents, t[SYSTEMS]),
        PRICING: lambda add: company.write_pricing(g, add, bureaus, t[PRICING]),
        FUNDINGS: lambda add: company.write_fundings(g, add, m.ents, t[FUNDINGS]),
        MA: lambda add: company.write_ma(g, add, m.ents, t[MA]),
        MARKET_REVENUE: lambda add: market.write_market_revenue(g, add, t[MARKET_REVENUE]),
        INDUSTRY: lambda add: market.write_industry(g, add, t[INDUSTRY]),
        TOTAL: lambda add: market.write_total(g, add, t[TOTAL]),
        DIRECTORY: lambda add: market.write_directory(g, add, t[DIRECTORY]),
    }


def _generate(companies: int, seed: int, out: Path) -> dict[str, int]:
    if companies < 1:
        raise ValueError("companies must be >= 1")
    out.mkdir(parents=True, exist_ok=True)
    writers = _writers(companies, Namer(random.Random(seed)))
    truth = TruthWriter(out / "truth.csv")
    counts: dict[str, int] = {}
    for file in FILES:
        w = JsonListWriter(out / file)
        fields = MENTION_FIELDS.get(file, ())
        limit = scaled(file, companies)

        def add(row: dict, ents: tuple[Entity, ...], w=w, fields=fields, limit=limit, file=file):
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
