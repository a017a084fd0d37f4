"""The master list (``Company_information.json``): which companies it holds, in which spellings
and order, and how each row is written.

Blocks of the list: 0 alphabetical main list, 1 later additions, 2 employer-style list (careers
URLs, no HQ), 3 more additions. Twins are the same company again in another spelling, mostly in
another block. Hard negatives are built in: parents with subsidiaries / regional arms /
divisions, unrelated firms with one generic name in different countries, sister firms sharing a
group website.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .corruption import TWIN_KINDS, W_TWIN, owner_text, public_stock, variant
from .layout import BASE_COMPANIES, K_NAME
from .names import Entity, Namer, random_cc
from .text import alnum
from .words import CC, DEEP_PATHS, JOB_BOARDS, LEGAL, LEGAL_DEFAULT, REGIONS, URL_FORMATS

# (entity, spelling, block, is_twin)
MasterRow = tuple[Entity, str, int, bool]
# Writes one row; the entities are those named in the row's name fields, in field order.
Add = Callable[[dict, tuple[Entity, ...]], None]


@dataclass
class Master:
    ents: list[Entity]  # the companies of the master list
    plan: list  # rows in file order: MasterRow, or ("REPEAT", MasterRow) for an exact repeat
    sites: dict[str, str]  # entity id -> a website shared on purpose
    wrong_hq: set[int]  # id() of plan items given a wrong HQ
    force_hq: set[str]  # entity ids whose master rows always carry an HQ
    rows: list[tuple[Entity, str]] = field(default_factory=list)  # (entity, spelling) written


class _Builder:
    def __init__(self, g: Namer) -> None:
        self.g = g
        self.r = g.rng
        self.ents: list[Entity] = []
        self.plan: list[MasterRow] = []
        self.sites: dict[str, str] = {}
        self.wrong_hq: set[int] = set()
        self.force_hq: set[str] = set()

    def block(self, employer: bool = True) -> int:
        x = self.r.random()
        if not employer and 0.88 <= x < 0.93:
            return 3
        return 0 if x < 0.80 else (1 if x < 0.88 else (2 if x < 0.93 else 3))

    def add(self, ent: Entity, employer: bool = True) -> None:
        self.ents.append(ent)
        self.plan.append((ent, ent.name, self.block(employer), False))

    def groups(self, n_groups: int) -> None:
        """Parents with subsidiaries, regional arms and divisions."""
        g, r = self.g, self.r
        for _ in range(n_groups):
            parent = g.new_ent()
            parent.public = not g.groups or r.random() < 0.25
            g.groups.append(parent)
            self.add(parent)
            for _k in range(1 if r.random() < 0.6 else 2):
                self._subsidiary(parent)
        # Groups that exist in the master only as owners (and as M&A acquirers).
        for _ in range(max(2, n_groups // 2)):
            g.groups.append(g.new_ent())

    def _subsidiary(self, parent: Entity) -> None:
        g, r = self.g, self.r
        kind = r.random()
        if kind < 0.6:
            region, cc = r.choice(REGIONS)
            core = f"{parent.core} {region}"
        elif kind < 0.8:
            cc = parent.cc
            core = f"{parent.core} {r.choice(('Additive', 'AM', 'Additive Manufacturing'))}"
        else:
            cc = parent.cc
            core = f"{parent.core} – {g.stem()}"
        if not g.register(core):
            return
        sub = g.adopt(Entity("", core, cc))
        sub.legal_forms = r.choice(LEGAL.get(cc, LEGAL_DEFAULT))
        if r.random() < 0.4:
            sub.legal = sub.legal_forms[0]
        sub.parent = parent
        if r.random() < 0.5:
            sub.domain = parent.domain  # the group's site
            self.sites[sub.eid] = f"https://{parent.domain}"
            self.sites[parent.eid] = f"https://{parent.domain}"
        else:
            sub.domain = g.new_domain(sub)
        self.add(sub)

    def generic(self, n_generic: int) -> None:
        """Unrelated firms with the same generic name in different countries."""
        g, r = self.g, self.r
        for i in range(n_generic):
            first = g.new_ent(style="generic")
            exact = i == 0 or r.random() < 0.25
            if exact:
                first.legal = ""  # the very same name as the unrelated twin below
            self.force_hq.add(first.eid)
            self.add(first, employer=False)
            for _k in range(1 if r.random() < 0.85 else 2):
                cc = random_cc(r)
                while cc == first.cc:
                    cc = random_cc(r)
                twin = g.adopt(Entity("", first.core, cc))
                twin.legal_forms = r.choice(LEGAL.get(cc, LEGAL_DEFAULT))
                if not exact:
                    twin.legal = twin.legal_forms[0] if first.legal or r.random() < 0.5 else ""
                    if twin.name == first.name:
                        twin.legal = "" if twin.legal else twin.legal_forms[0]
                twin.domain = g.new_domain(twin)
                self.force_hq.add(twin.eid)
                self.add(twin, employer=False)

    def sisters(self, n_sisters: int) -> None:
        """Sister firms sharing one group website."""
        g, r = self.g, self.r
        for _ in range(n_sisters):
            label = f"{alnum(g.stem())}-group.com"
            for _k in range(r.randint(2, 3)):
                sister = g.new_ent()
                sister.domain = label
                self.sites[sister.eid] = r.choice((f"https://{label}", f"https://www.{label}/"))
                self.add(sister, employer=False)

    def everyone_else(self, n: int) -> None:
        # (the first few in naming patterns that some corruptions need: Chinese legal name,
        # acronym, "&", accented surname)
        g, r = self.g, self.r
        seeds = (("CN", "chinese"), (None, "acronym"), (None, "amp"), ("DE", "person"))
        for i in range(max(n, 1)):
            cc, style = seeds[i] if i < len(seeds) else (None, None)
            ent = g.new_ent(cc=cc, style=style)
            if r.random() < 0.01 and g.groups:
                ent.parent = r.choice(g.groups)  # owned by a group outside the master
            self.add(ent)
        for ent, _name, _b, _t in self.plan:
            ent.names.append(ent.name)

    def twins(self, n_twin: int) -> None:
        """The same company again in another spelling, mostly in another block."""
        g, r = self.g, self.r
        kinds = [k for k, _w in TWIN_KINDS]
        forced = kinds * (2 if n_twin >= 2 * len(kinds) else 1)
        for i in range(n_twin):
            kind = forced[i] if i < len(forced) else W_TWIN(r)
            spelled = None
            ent = self.ents[0]
            for _ in range(300 if i < len(forced) else 30):
                ent = r.choice(self.ents)
                spelled = variant(g, ent, kind)
                if spelled is not None:
                    break
            if spelled is None:
                spelled = variant(g, ent, "legal") or ent.name + " "
            if i >= len(forced) and r.random() < 0.12:  # a second difference
                second = r.choice(("case", "legal", "spacing"))
                spelled = variant(g, ent, second, spelled) or spelled
            x = r.random()
            block = 0 if x < 0.10 else (1 if x < 0.40 else (2 if x < 0.70 else 3))
            if i < 3:
                block = 2  # some twins always sit in the employer-style list
            ent.names.append(spelled)
            self.plan.append((ent, spelled, block, True))
        # A few twins get a wrong HQ (their primary row keeps the right one, both are written).
        primary_block_of = {p[0].eid: p[2] for p in self.plan if not p[3]}
        for p in self.plan:
            if len(self.wrong_hq) >= 2:
                break
            if p[3] and p[2] != 2 and primary_block_of.get(p[0].eid) != 2:
                self.wrong_hq.add(id(p))
                self.force_hq.add(p[0].eid)

    def ordered(self, n_repeat: int) -> list:
        """The main list alphabetically, then the other blocks; ``n_repeat`` exact repeats."""
        r = self.r
        plan = self.plan
        main = sorted((p for p in plan if p[2] == 0), key=lambda p: (alnum(p[1]), p[1], p[0].eid))
        others = [p for p in plan if p[2] != 0]
        r.shuffle(others)
        ordered: list = main + sorted(others, key=lambda p: p[2])
        # The one exact repeat (per full-export size), somewhere in the later additions.
        for _ in range(n_repeat):
            src = r.randrange(len(ordered))
            item = ordered[src]
            if item[0] == "REPEAT":
                item = item[1]
            ordered.insert(r.randrange(src + 1, len(ordered) + 1), ("REPEAT", item))
        return ordered


def build_master(g: Namer, rows: int) -> Master:
    """Choose the master list's companies and spellings (``rows`` rows) and their order."""
    n_twin = max(round(rows * 0.09), 24 if rows >= 120 else rows // 5)
    n_repeat = max(1, round(rows / BASE_COMPANIES))
    n_primary = rows - n_twin - n_repeat
    b = _Builder(g)
    # Hard negatives take part of the primaries.
    b.groups(max(3, round(n_primary * 0.02)))
    b.generic(max(2, round(n_primary * 0.006)))  # pairs with the same generic name
    b.sisters(max(2, round(n_primary * 0.006)))  # groups of sister firms on one website
    b.everyone_else(n_primary - len(b.plan))
    b.twins(n_twin)
    return Master(b.ents, b.ordered(n_repeat), b.sites, b.wrong_hq, b.force_hq)


# -- writing the rows -----------------------------------------------------------------------------


def _url(rng: random.Random, domain: str, avoid: str | None = None) -> str:
    x = rng.random()
    if x < 0.012:
        return f"https://info@{domain}"  # an e-mail address instead of a URL
    if x < 0.022:
        return f"https://{domain}{rng.choice(('3d-druck', 'products', 'en', 'home.html'))}"
    if x < 0.03:
        return f"www.https://{domain}"
    if x < 0.07:
        return f"https://{domain}{rng.choice(DEEP_PATHS)}"
    for _ in range(4):
        url = rng.choice(URL_FORMATS).format(d=domain)
        if url != avoid:
            return url
    return url


def _hq_master(rng: random.Random, cc: str) -> str:
    c = CC[cc]
    if c[3] and rng.random() < 0.18:
        return rng.choice(c[3])
    return c[2]


def _employer_site(r: random.Random, ent: Entity, twin_no: int) -> str:
    """A website in the employer-style list; ``twin_no``: the how-manyth twin there (or 0)."""
    x = r.random()
    if twin_no == 1:
        x = 0.5  # a careers page
    elif twin_no == 2:
        x = 0.0  # a job board
    if x < 0.15:
        site = r.choice(JOB_BOARDS)
    elif x < 0.75:
        site = r.choice(
            (
                f"https://careers.{ent.domain}/",
                f"https://www.{ent.domain}/careers",
                f"https://jobs.{ent.domain}",
                f"https://www.{ent.domain}",
            )
        )
    else:
        site = f"http://www.{ent.domain}"
    return f"https://careers.{ent.domain}/" if twin_no == 1 else site


def _site_and_hq(m: Master, r: random.Random, item: MasterRow, row: dict, first_url: dict) -> None:
    """Website (often) and Headquarters (mostly) of a row outside the employer-style list."""
    ent, _name, _block, is_twin = item
    x = r.random()
    if ent.eid in m.sites and (not is_twin or x < 0.9):
        row["Website"] = m.sites[ent.eid]  # the group's site, shared by its companies
    elif x < 0.04:
        pass  # absent
    elif x < 0.11:
        row["Website"] = ""
    else:
        url = _url(r, ent.domain, first_url.get(ent.eid) if is_twin else None)
        if is_twin and r.random() < 0.12:
            url = f"https://{ent.domain}{r.choice(DEEP_PATHS)}"
        row["Website"] = url
    if "Website" in row and row["Website"] and ent.eid not in first_url:
        first_url[ent.eid] = row["Website"]
    if ent.eid in m.force_hq or r.random() < (0.92 if not is_twin else 0.85):
        cc = ent.cc
        if id(item) in m.wrong_hq or (is_twin and r.random() < 0.08):
            while cc == ent.cc:
                cc = random_cc(r)  # a wrong HQ on the twin
        row["Headquarters"] = _hq_master(r, cc)


def write_master(g: Namer, m: Master, add: Add) -> None:
    r = g.rng
    first_url: dict[str, str] = {}
    written: dict[int, tuple[dict, Entity]] = {}  # id(plan item) -> the row written for it
    employee_row = r.randrange(len(m.plan))
    employer_twins = 0
    for pos, item in enumerate(m.plan):
        if item[0] == "REPEAT":
            row, ent = written[id(item[1])]
            add(dict(row), (ent,))
            m.rows.append((ent, row[K_NAME]))
            continue
        ent, name, block, is_twin = item
        row: dict = {K_NAME: name}
        if block == 2:  # employer-style list: careers pages and job boards, no HQ
            employer_twins += is_twin
            row["Website"] = _employer_site(r, ent, employer_twins if is_twin else 0)
        else:
            _site_and_hq(m, r, item, row, first_url)
        if ent.parent is not None and r.random() < 0.6:
            row["Owned by / Subsidiary of"] = owner_text(g, ent.parent)
        elif r.random() < 0.002 and g.groups:
            row["Owned by / Subsidiary of"] = owner_text(g, r.choice(g.groups))
        if ent.public and not is_twin:
            row["Public stock"] = public_stock(g, ent)
        if pos == employee_row:
            row["Number of employees"] = r.randint(5, 5000)
        add(row, (ent,))
        written[id(item)] = (row, ent)
        m.rows.append((ent, name))
