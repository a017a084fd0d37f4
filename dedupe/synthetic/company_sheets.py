"""The company sheets besides the master list: roles, print-service fleets, system makers,
pricing, fundings and M&A. Each writer draws its rows and calls ``add(row, entities)`` with the
entities named in the row's name fields."""

from __future__ import annotations

import random

from .corruption import ocr, ticker, variant
from .layout import (
    K_CHART_NOTE,
    K_MA_ACQUIRED,
    K_MA_ACQUIRING,
    K_MA_COUNTRY,
    K_MA_DATE,
    K_MA_SIZE,
    K_NAME,
    MA_PAD,
)
from .master import Add, Master
from .names import Entity, Namer, random_cc
from .words import (
    BY_PHRASES,
    CC,
    FOREIGN_AMOUNTS,
    INVESTORS,
    MARKETPLACES,
    MODELS,
    MONTHS,
    OEMS,
    PRICING_MATERIALS,
    ROLE_CATEGORIES,
    W_CATEGORY,
    W_COUNT_TYPE,
    W_PS_MATERIAL,
    W_PS_PROCESS,
    W_ROUND,
    W_SYS_FORMAT,
    W_SYS_MATERIAL,
    W_SYS_PROCESS,
)


def write_roles(g: Namer, m: Master, add: Add, target: int) -> None:
    """Roles per master row (mostly one, some none, a few several distinct ones), grouped by
    category like the sheet; a few annotated / booth-number spellings and roles-only firms."""
    r = g.rng
    cat_order = {c: i for i, (c, _w) in enumerate(ROLE_CATEGORIES)}
    recs: list[tuple[int, str | None, str, Entity]] = []
    n_annot = max(6, round(target * 0.006))
    n_new = max(2, round(target * 0.01))
    sources: list[tuple[Entity, str]] = []
    for ent, name in m.rows:
        x = r.random()
        k = 0 if x < 0.13 else (1 if x < 0.85 else (2 if x < 0.95 else 3))
        sources.extend([(ent, name)] * k)
    for i in range(n_annot + n_new):
        if i < n_annot:
            ent, name = r.choice(m.rows)
            kind = r.choice(("part_of", "acquired_by", "closed", "booth", "booth", "formerly"))
            name = variant(g, ent, kind, name) or name
        else:
            ent = g.new_ent()
            name = ent.name
        sources.append((ent, name))
    while len(sources) < target:
        sources.append(r.choice(m.rows))
    last: tuple[str, set[str | None]] = ("", set())
    for ent, name in sources:
        # distinct categories for the several roles of one row (repeats are rare, below)
        taken = last[1] if last[0] == name else set()
        for _ in range(10):
            cat = None if r.random() < 0.11 else W_CATEGORY(r)
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


def pick_bureaus(g: Namer, ents: list[Entity]) -> list[Entity]:
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


def _shuffled_queue(r: random.Random, counts: list[int]) -> list[int]:
    """Item ``j`` ``counts[j]`` times, in random order."""
    queue: list[int] = []
    for j, k in enumerate(counts):
        queue.extend([j] * k)
    r.shuffle(queue)
    return queue


def _ps_country(r: random.Random, ent: Entity) -> str | int:
    x = r.random()
    if x < 0.008:
        return 0
    cc = ent.cc if x > 0.03 else random_cc(r)
    c = CC[cc]
    if cc == "US" and r.random() < 0.06:
        return "United states"
    if cc == "CN" and r.random() < 0.03:
        return "china"
    if cc == "CZ" and r.random() < 0.5:
        return "Czechia"
    return c[2]


def _fleet_row(r: random.Random, ent: Entity, name: str, ccountry: str | int, pos: int) -> dict:
    row: dict = {K_NAME: name, "Segment": "Printing services"}
    if r.random() < 0.87:
        row["Printer manufacturer"] = r.choice(OEMS)
    if r.random() < 0.44 or pos == 2:
        row["Printer model"] = r.choice(MODELS) if pos != 2 else 5210
    ctype = W_COUNT_TYPE(r) if r.random() < 0.99 else None
    if r.random() < 0.996:
        if ctype == "Units added in year" and r.random() < 0.2:
            row["Number of printers"] = -r.randint(1, 5)
        else:
            row["Number of printers"] = r.choice((1, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 30))
    if ctype is not None:
        row["Count type"] = ctype
    if r.random() < 0.92:
        row["Process"] = W_PS_PROCESS(r)
    if r.random() < 0.82:
        row["Material type"] = W_PS_MATERIAL(r)
    if r.random() < 0.002:
        row["Material format"] = r.choice(("powder", "resin", "filament"))
    if r.random() < 0.998:
        row["Country"] = ccountry if r.random() < 0.97 else _ps_country(r, ent)
        if pos == 3:
            row["Country"] = 0  # unknown, as the vendor writes it
    row["Update year"] = r.choice((2021, 2022, 2023, 2024, 2025, 2025))
    return row


def write_print_services(g: Namer, add: Add, bureaus: list[Entity], target: int) -> None:
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
                n_name = variant(g, ent, r.choice(("legal", "case")), name) or name
            row = _fleet_row(r, ent, n_name, ccountry, pos)
            add(row, (ent,))
            if r.random() < 0.014:
                add(dict(row), (ent,))  # exact duplicate row


def write_systems(g: Namer, add: Add, ents: list[Entity], target: int) -> None:
    r = g.rng
    n = max(3, round(target / 1.37))
    mfrs = r.sample(ents, min(n, len(ents)))
    counts = _spread(r, len(mfrs), target, 2.5)
    for ent, k in zip(mfrs, counts, strict=False):
        name = ent.names[0]
        if r.random() < 0.03:
            name = variant(g, ent, r.choice(("legal", "case", "spacing")), name) or name
        country = CC[ent.cc][2]
        for _ in range(k):
            row: dict = {K_NAME: name, "Segment": "System manufacturer"}
            if r.random() < 0.99:
                row["Process"] = W_SYS_PROCESS(r)
            if r.random() < 0.72:
                row["Material format"] = W_SYS_FORMAT(r)
            if r.random() < 0.97:
                row["Material type"] = W_SYS_MATERIAL(r)
            if r.random() < 0.97:
                row["Country"] = country
            add(row, (ent,))
            if r.random() < 0.03:
                add(dict(row), (ent,))


# -- pricing --------------------------------------------------------------------------------------

# (entity, its marketplace wrapper: "", "via" or "by", the wrapped name, shows a leading NBSP)
_Seller = tuple[Entity, str, str, bool]


def _sellers(g: Namer, bureaus: list[Entity], n_sellers: int) -> list[_Seller]:
    r = g.rng
    sellers: list[_Seller] = []
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
            f"{base} (via {r.choice(MARKETPLACES)})"
            if wrapper == "via"
            else f"{r.choice(BY_PHRASES)} {base}"
        )
        sellers.append((ent, wrapper, wrapped, i == 2 or r.random() < 0.4))
    return sellers


def _pricing_queue(r: random.Random, n_sellers: int, target: int) -> list[int]:
    counts = _spread(r, n_sellers, target, 1.3)
    for j in range(min(3, len(counts))):  # the first sellers show plain and wrapped names
        while counts[j] < 3 and max(counts) > 3:
            counts[j] += 1
            counts[counts.index(max(counts))] -= 1
    return _shuffled_queue(r, counts)


def _forced_name_positions(queue: list[int]) -> tuple[dict[int, int], set[int]]:
    """The first rows of sellers 0-2 show their wrapper / NBSP, so a small export has them all,
    and their second rows the plain name: ({row: seller}, {row})."""
    first_rows: dict[int, int] = {}
    for pos, j in enumerate(queue):
        if j in (0, 1, 2) and j not in first_rows:
            first_rows[j] = pos
    forced_pos = {pos: j for j, pos in first_rows.items()}
    plain_pos = set()
    for j, first in first_rows.items():
        nxt = next((p for p in range(first + 1, len(queue)) if queue[p] == j), None)
        if nxt is not None:
            plain_pos.add(nxt)
    return forced_pos, plain_pos


def _price_row(r: random.Random, name: str, ent: Entity, pos: int, day0: int) -> dict:
    mtype, material, process = r.choice(PRICING_MATERIALS)
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
    row["Country"] = CC[ent.cc][4]
    return row


def write_pricing(g: Namer, add: Add, bureaus: list[Entity], target: int) -> None:
    r = g.rng
    n_sellers = max(8, round(target * 105 / 3524))  # ~160 spellings with the variants
    sellers = _sellers(g, bureaus, n_sellers)
    queue = _pricing_queue(r, len(sellers), target)
    chart_row = r.randrange(len(queue))
    forced_pos, plain_pos = _forced_name_positions(queue)
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
        row = _price_row(r, name, ent, pos, day0=45830)
        if pos == chart_row:
            row[K_CHART_NOTE] = "Scatter plot: manufacturing cost (y) vs lead time (x), by process"
        add(row, (ent,))
        if r.random() < 0.003:
            add(dict(row), (ent,))


# -- fundings and M&A -----------------------------------------------------------------------------

# Countries of funded firms outside the master, drawn uniformly (US three times as often).
_FUNDED_COUNTRIES = ("US",) * 3 + ("GB", "DE", "IL", "CN", "FR", "IT", "KR", "NL", "AE", "CH")
_FUNDED_COUNTRIES += ("JP", "ES")


def _funded(g: Namer, ents: list[Entity], n_names: int) -> list[Entity]:
    r = g.rng
    funded: list[Entity] = []
    for i in range(n_names):
        if i % 3 == 0 and ents:
            funded.append(r.choice(ents))
        else:
            ent = g.new_ent(cc=r.choice(_FUNDED_COUNTRIES))
            if r.random() < 0.15:
                ent.core = ent.core[0].lower() + ent.core[1:]
            funded.append(ent)
    return funded


def _funding_amount(r: random.Random, row: dict, pos: int) -> None:
    x = r.random()
    if pos < 4:
        x = (0.19, 0.1, 0.5, 0.9)[pos]  # every kind of amount shows in a small export
    if x < 0.05:
        pass
    elif x < 0.18:
        row["Amount (in millions USD)"] = " "
    elif x < 0.20:
        row["Amount (in millions USD)"] = r.choice(FOREIGN_AMOUNTS)
    elif x < 0.6:
        row["Amount (in millions USD)"] = r.choice(
            (1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50, 65, 88, 140, 230)
        )
    else:
        row["Amount (in millions USD)"] = round(r.uniform(0.1, 60), 1)


def _lead_investor(g: Namer) -> str:
    r = g.rng
    inv = (
        r.choice(INVESTORS)
        if r.random() < 0.6
        else (f"{g.stem()} {r.choice(('Ventures', 'Capital', 'Partners', 'Fund'))}")
    )
    if r.random() < 0.04:
        inv = inv.replace("Capital", "Capltal").replace("Ventures", "Ventues")
    return inv


def write_fundings(g: Namer, add: Add, ents: list[Entity], target: int) -> None:
    r = g.rng
    funded = _funded(g, ents, max(6, round(target * 300 / 413)))
    queue = _shuffled_queue(r, _spread(r, len(funded), target, 2.0))
    note_row = r.randrange(len(queue))
    ocr_done = False
    for pos, j in enumerate(queue):
        ent = funded[j]
        name = ent.mention()
        # OCR-like typos; one at least on a company that the master spells right
        if (not ocr_done and ent.names) or r.random() < 0.08:
            typo = ocr(g, name)
            if typo is not None:
                name = typo
                ocr_done = ocr_done or bool(ent.names)
        country = CC[ent.cc][5]
        if ent.cc == "KR" and r.random() < 0.5:
            country = "South Korea"
        row: dict = {
            "Year": r.randint(2019, 2024),
            "Month": r.choice(MONTHS),
            K_NAME: name,
            "Country": country,
        }
        _funding_amount(r, row, pos)
        if r.random() < 0.94:
            row["Funding round"] = W_ROUND(r)
        if r.random() < 0.95:
            row["Lead investor"] = _lead_investor(g)
        if pos == note_row:
            row["__EMPTY_2"] = "Amounts in other currencies not converted"
        add(row, (ent,))
        if r.random() < 0.035:
            add(dict(row), (ent,))


def write_ma(g: Namer, add: Add, ents: list[Entity], target: int) -> None:
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
            buyer_name = f"{buyer_name} ({ticker(g, buyer)})"
        month = r.choice(MONTHS)
        year = r.randint(19, 25)
        size: int | float = 0
        if r.random() < 0.25:
            size = r.choice((12, 45, 100, 250, 7.5, 33.3, 1.2))
        country = CC[acquired.cc][5]
        pad = " " + MA_PAD if r.random() < 0.08 else MA_PAD
        if country == "Netherlands" and r.random() < 0.5:
            pad = " " + MA_PAD
        acquiring_pad = " " + MA_PAD if i == 0 or r.random() < 0.06 else MA_PAD
        row = {
            K_MA_DATE: f"{month} {year:02d}{MA_PAD}",
            K_MA_ACQUIRED: f"{acq_name}{MA_PAD}",
            K_MA_ACQUIRING: f"{buyer_name}{acquiring_pad}",
            K_MA_SIZE: size,
            K_MA_COUNTRY: f"{country}{pad}",
        }
        add(row, (acquired, buyer))
