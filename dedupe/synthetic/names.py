"""Companies and their names: invented words, naming patterns, unique cores, domains.

``Namer`` holds the random source and every name taken so far; all draws go through its ``rng``
in a fixed order, so a seed gives the same companies in any process.
"""

from __future__ import annotations

import random

from .text import alnum
from .words import (
    AM_WORDS,
    AMP_TAILS,
    CC,
    CC_CODES,
    CC_CUM,
    CITIES,
    CN_CITIES,
    CN_TAILS,
    ENDINGS,
    FIRST_NAMES,
    GENERIC_ADJ,
    GENERIC_NOUN,
    LEGAL,
    LEGAL_DEFAULT,
    MIDDLES,
    PERSON_SUFFIX,
    PREFIXES,
    SURNAMES,
    TAILS,
)

_ODD_LETTERS = ("aa", "ii", "uu", "yy", "aea", "aia", "iai", "eae", "oia", "iio", "iia", "uio")
_ODD_JOINS = frozenset({"aa", "ii", "uu", "yy", "oo", "ee"})
_STEM_HEADS: list[str] = []


def _stem_heads() -> list[str]:
    """Prefix + up to two middles, without odd vowel runs (computed once, no randomness)."""
    if not _STEM_HEADS:
        mids = [""] + [a + b for a in MIDDLES for b in MIDDLES[1:]]
        mids = sorted(set(mids) | set(MIDDLES))
        for p in PREFIXES:
            for m in mids:
                head = p + m
                if not any(v in head.lower() for v in _ODD_LETTERS):
                    _STEM_HEADS.append(head)
    return _STEM_HEADS


def random_cc(rng: random.Random) -> str:
    """A country code drawn by the countries' weights."""
    return rng.choices(CC_CODES, cum_weights=CC_CUM)[0]


class Entity:
    """One real company: its id, core name, legal form and the spellings the master uses."""

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
        self.parent: Entity | None = None
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


def _pick_style(r: random.Random, cc: str) -> str:
    x = r.random()
    if cc in ("CN", "TW") and x < 0.5:
        return "chinese"
    if x < 0.06:
        return "acronym"
    if x < 0.15:
        return "person"
    if x < 0.21 and cc in CITIES:
        return "city"
    if x < 0.25:
        return "amp"
    if x < 0.40:
        return "tail"
    return "stem"


class Namer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ents: list[Entity] = []
        self.used: set[str] = set()  # normalised cores taken (membership only, never iterated)
        self.domains: set[str] = set()
        self.groups: list[Entity] = []  # parents / acquirers (some only outside the master)
        self.tickers: dict[str, str] = {}  # entity id -> its ticker, the same every time

    def stem(self, exclusive: bool = False) -> str:
        """An invented word (``Voxarix``); ``exclusive`` reserves it for one company."""
        r = self.rng
        heads = _stem_heads()
        n_end = len(ENDINGS)
        s = ""
        for _ in range(200):
            head, end = divmod(r.randrange(len(heads) * n_end), n_end)
            s = heads[head] + ENDINGS[end]
            if (s[-len(ENDINGS[end]) - 1 :][:2]).lower() in _ODD_JOINS:
                continue
            if not exclusive:
                return s
            key = "stem:" + s.lower()
            if key not in self.used:
                self.used.add(key)
                return s
        return s

    def register(self, core: str) -> bool:
        """Take ``core`` for one company; False if it (or its alphanumeric key) is taken."""
        key = alnum(core)
        if len(key) < 3 or key in self.used:
            return False
        self.used.add(key)
        return True

    def adopt(self, ent: Entity) -> Entity:
        """Give ``ent`` the next entity id and keep it."""
        ent.eid = f"E{len(self.ents):07d}"
        self.ents.append(ent)
        return ent

    def new_ent(self, cc: str | None = None, style: str | None = None) -> Entity:
        """A new company with a unique core name. ``style`` forces a naming pattern."""
        r = self.rng
        if cc is None:
            cc = random_cc(r)
        if style is None:
            style = _pick_style(r, cc)
        ent = None
        for attempt in range(60):
            # a crowded naming pattern (few surnames, cities) falls back to invented words
            ent = self._try_name(
                cc, style if attempt < 3 else ("stem" if attempt < 30 else "stem2")
            )
            if ent is not None:
                break
        assert ent is not None
        self.adopt(ent)
        if ent.cc == "CN" and not ent.legal_forms:
            ent.legal_forms = LEGAL["CN"][0]
        if not ent.legal_forms:
            ent.legal_forms = r.choice(LEGAL.get(cc, LEGAL_DEFAULT))
        if not ent.legal and style not in ("chinese", "individual") and r.random() < 0.45:
            ent.legal = r.choice(ent.legal_forms[:2])
        ent.domain = self.new_domain(ent)
        return ent

    def _try_name(self, cc: str, style: str) -> Entity | None:
        ent = _STYLES.get(style, Namer._name_stem)(self, cc)
        if ent is None or (style != "acronym" and not self.register(ent.core)):
            return None
        return ent

    # -- naming patterns: each returns an entity with its core (not yet registered) or None ----

    def _name_chinese(self, cc: str) -> Entity | None:
        r = self.rng
        brand = self.stem(exclusive=True)
        if r.random() < 0.2:
            brand = brand.upper()
        legal_forms = LEGAL["CN"][0]
        cn_core = f"{r.choice(CN_CITIES)} {brand} {r.choice(CN_TAILS)}"
        legal = ""
        if r.random() < 0.5:
            core, legal = cn_core, legal_forms[0]
        else:
            core = brand
        if not self.register(brand):
            return None
        ent = Entity("", core, cc)
        ent.brand, ent.legal_forms, ent.legal = brand, legal_forms, legal
        ent.cn_full = f"{cn_core} {legal_forms[0]}"
        return ent

    def _name_acronym(self, cc: str) -> Entity | None:
        r = self.rng
        words = r.sample(AM_WORDS[:30], 2)
        first = self.stem(exclusive=True)
        long = f"{first} {words[0]} {words[1]}"
        acronym = "".join(w[0] for w in long.split()).upper()
        if r.random() < 0.3:
            acronym += r.choice("TGS")
        core = acronym if r.random() < 0.4 else long
        if not self.register(long) or not self.register("acr:" + acronym):
            return None
        ent = Entity("", core, cc)
        ent.acronym, ent.long = acronym, long
        return ent

    def _name_person(self, cc: str) -> Entity:
        r = self.rng
        core = f"{r.choice(SURNAMES)} {r.choice(PERSON_SUFFIX)}"
        return Entity("", f"{r.choice(FIRST_NAMES)} {core}" if r.random() < 0.3 else core, cc)

    def _name_city(self, cc: str) -> Entity:
        r = self.rng
        core = f"{r.choice(CITIES[cc])} {r.choice(AM_WORDS)}"
        return Entity("", f"{core} {r.choice(AM_WORDS)}" if r.random() < 0.5 else core, cc)

    def _name_amp(self, cc: str) -> Entity:
        r = self.rng
        if r.random() < 0.5:
            core = f"{r.choice(SURNAMES)} & {r.choice(SURNAMES)}"
        else:
            core = f"{self.stem(exclusive=True)} {r.choice(AMP_TAILS)}"
        return Entity("", core, cc)

    def _name_individual(self, cc: str) -> Entity:
        r = self.rng
        return Entity("", f"{r.choice(FIRST_NAMES)} {r.choice(SURNAMES)}", cc)

    def _name_tail(self, cc: str) -> Entity | None:
        short = self.stem(exclusive=True)
        if not self.register(short):
            return None
        ent = Entity("", f"{short} {self.rng.choice(TAILS)}", cc)
        ent.short = short
        return ent

    def _name_generic(self, cc: str) -> Entity:
        r = self.rng
        core = f"{r.choice(GENERIC_ADJ)} {r.choice(GENERIC_NOUN)}"
        if r.random() < 0.5:  # a fresh three-word name instead
            core = f"{r.choice(GENERIC_ADJ)} {r.choice(AM_WORDS)} {r.choice(GENERIC_NOUN)}"
        return Entity("", core, cc)

    def _name_stem2(self, cc: str) -> Entity:
        return Entity("", f"{self.stem(exclusive=True)} {self.stem()}", cc)

    def _name_stem(self, cc: str) -> Entity:
        r = self.rng
        s = self.stem(exclusive=True)
        x = r.random()
        if x < 0.25:
            core = s
        elif x < 0.40:
            core = f"{s}3D" if r.random() < 0.5 else f"{s} 3D"
        elif x < 0.85:
            core = f"{s} {r.choice(AM_WORDS)}"
        else:
            w1, w2 = r.sample(AM_WORDS, 2)
            core = f"{s} {w1} {w2}"
        y = r.random()
        if y < 0.06:
            core = core.upper()
        elif y < 0.09:
            core = core[0].lower() + core[1:]
        return Entity("", core, cc)

    # -----------------------------------------------------------------------------------------

    def new_domain(self, ent: Entity) -> str:
        r = self.rng
        base = ent.brand or ent.acronym or ent.core
        tokens = [t for t in (alnum(t) for t in base.split()) if t]
        label = "".join(tokens[:2]) if r.random() < 0.7 else "-".join(tokens[:2])
        label = label or "company"
        tld = CC[ent.cc][6] if r.random() < 0.55 else "com"
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
            core = f"{self.stem()} {self.rng.choice(AM_WORDS)}"
            if self.register(core):
                return core


_STYLES = {
    "chinese": Namer._name_chinese,
    "acronym": Namer._name_acronym,
    "person": Namer._name_person,
    "city": Namer._name_city,
    "amp": Namer._name_amp,
    "individual": Namer._name_individual,
    "tail": Namer._name_tail,
    "generic": Namer._name_generic,
    "stem2": Namer._name_stem2,
    "stem": Namer._name_stem,
}
