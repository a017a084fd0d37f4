"""How the vendor misspells a company: one corruption kind at a time (``variant``), plus the
ticker tags, stock listings and owner texts that name a company in free text."""

from __future__ import annotations

from collections.abc import Callable

from .names import Entity, Namer
from .text import GERMAN, mojibake, strip_accents
from .words import EXCHANGES, LEGAL_TOKENS, Weighted

# Kinds of difference between a master row and its twin, with weights.
TWIN_KINDS: tuple[tuple[str, int], ...] = (
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
W_TWIN = Weighted(TWIN_KINDS)
_GROUP_LABELS = {"part_of": "part of", "now_part_of": "now part of", "acquired_by": "acquired by"}

# A spelling of ``name`` (a spelling of ``ent``) with one corruption, or None if it does not apply.
_Variant = Callable[[Namer, Entity, str, str], "str | None"]


def variant(g: Namer, ent: Entity, kind: str, base: str | None = None) -> str | None:
    """``base`` (default: the canonical name) spelled with one corruption, or None."""
    name = ent.name if base is None else base
    out = _VARIANTS[kind](g, ent, name, kind) if kind in _VARIANTS else None
    return out if out and out != name else None


def _legal(g: Namer, ent: Entity, name: str, kind: str) -> str:
    r = g.rng
    if ent.legal and r.random() < 0.5:
        return ent.core
    others = [f for f in ent.legal_forms if f != ent.legal]
    form = r.choice(others) if others else r.choice(ent.legal_forms)
    sep = "" if form.startswith(",") else " "
    return f"{ent.core}{sep}{form}"


def _case(g: Namer, ent: Entity, name: str, kind: str) -> str:
    r = g.rng
    if name == name.upper():
        return name.title() if r.random() < 0.5 else name.lower()
    return name.upper() if r.random() < 0.6 else name.lower()


def _spacing(g: Namer, ent: Entity, name: str, kind: str) -> str | None:
    r = g.rng
    parts = name.split(" ")
    joins = [
        i
        for i in range(len(parts) - 1)
        if parts[i + 1][:1].isalnum()
        and parts[i + 1] not in LEGAL_TOKENS
        and parts[i][-1:].isalnum()
    ]
    if joins and r.random() < 0.6:
        i = r.choice(joins)
        joiner = "" if r.random() < 0.7 else "-"
        return (
            " ".join(parts[:i]) + (" " if i else "") + parts[i] + joiner + " ".join(parts[i + 1 :])
        )
    # insert a space (or hyphen) before a digit or an inner capital
    for i in range(1, len(name)):
        a, b = name[i - 1], name[i]
        if a.isalpha() and (b.isdigit() or (b.isupper() and a.islower())):
            return name[:i] + (" " if r.random() < 0.7 else "-") + name[i:]
    if "-" in name:
        return name.replace("-", " ", 1)
    return None


def _amp(g: Namer, ent: Entity, name: str, kind: str) -> str | None:
    if " & " in name:
        return name.replace(" & ", " and ", 1)
    if "&" in name:
        return name.replace("&", " and ", 1)
    if " and " in name:
        return name.replace(" and ", " & ", 1)
    return None


def _alias(g: Namer, ent: Entity, name: str, kind: str) -> str | None:
    """``Name (ACRONYM)``, ``ACRONYM (Long name)``, or dashed ``ACRONYM – Long name``."""
    if ent.acronym:
        if kind == "alias_dash":
            forms = [f"{ent.acronym} – {ent.long}"]
        elif kind == "alias_bare":
            forms = [ent.acronym, ent.long]
        else:
            forms = [f"{ent.long} ({ent.acronym})", f"{ent.acronym} ({ent.long})"]
        forms = [f for f in forms if f != name]
        return g.rng.choice(forms) if forms else None
    words = [w for w in ent.core.split() if w[:1].isalpha()]
    if len(words) >= 2 and kind != "alias_bare":
        acr = strip_accents("".join(w[0] for w in words)).upper()
        return f"{name} ({acr})" if kind == "alias" else f"{acr} – {name}"
    return None


def _chinese(g: Namer, ent: Entity, name: str, kind: str) -> str | None:
    if not ent.cn_full:
        return None
    if name != ent.brand:
        return ent.brand
    full = ent.cn_full
    return full if g.rng.random() < 0.5 else f"{ent.brand} ({full})"


def _group(g: Namer, ent: Entity, name: str, kind: str) -> str | None:
    group = pick_group(g, ent)
    if group is None:
        return None
    return f"{name} ({_GROUP_LABELS[kind]} {group.mention()})"


def _booth(g: Namer, ent: Entity, name: str, kind: str) -> str | None:
    return None if name[-1:].isdigit() else f"{name}{g.rng.randint(100, 2999)}"


def _accent(g: Namer, ent: Entity, name: str, kind: str) -> str | None:
    if name.isascii():
        return None
    if g.rng.random() < 0.4 and name != name.translate(GERMAN):
        return name.translate(GERMAN)
    return strip_accents(name)


_VARIANTS: dict[str, _Variant] = {
    "legal": _legal,
    "case": _case,
    "spacing": _spacing,
    "amp": _amp,
    "alias": _alias,
    "alias_dash": _alias,
    "alias_bare": _alias,
    "chinese": _chinese,
    "part_of": _group,
    "now_part_of": _group,
    "acquired_by": _group,
    "formerly": lambda g, ent, name, kind: f"{name} (formerly {g.fresh_name()})",
    "closed": lambda g, ent, name, kind: f"{name} – closed",
    "booth": _booth,
    "mojibake": lambda g, ent, name, kind: None if name.isascii() else mojibake(name),
    "accent": _accent,
    "short": lambda g, ent, name, kind: ent.short or None,
    "trailing_space": lambda g, ent, name, kind: name + " ",
    "ocr": lambda g, ent, name, kind: ocr(g, name),
    "ticker": lambda g, ent, name, kind: f"{name} ({ticker(g, ent)})",
}


def ocr(g: Namer, name: str) -> str | None:
    """An OCR-like ``l`` / ``i`` / ``I`` swap, or None if the name has none of them."""
    spots = [i for i, ch in enumerate(name) if ch in "liI"]
    if not spots:
        return None
    i = g.rng.choice(spots)
    ch = name[i]
    swap = {"l": "i", "i": "l", "I": "l"}[ch]
    if ch == "l" and g.rng.random() < 0.3:
        swap = "I"
    return name[:i] + swap + name[i + 1 :]


def ticker(g: Namer, ent: Entity) -> str:
    """``EXCH: TICK``, the same every time for one company."""
    if ent.eid in g.tickers:
        return g.tickers[ent.eid]
    r = g.rng
    exch = r.choice(EXCHANGES.get(ent.cc, ("NAS", "NYSE")))
    letters = "".join(ch for ch in strip_accents(ent.core).upper() if ch.isalpha())
    tick = letters[:1] + "".join(r.sample(letters[1:] or "XYZ", min(3, len(letters[1:]) or 3)))
    g.tickers[ent.eid] = f"{exch}: {tick[:4]}"
    return g.tickers[ent.eid]


def public_stock(g: Namer, ent: Entity) -> str:
    r = g.rng
    x = r.random()
    if x < 0.1:
        return f"{r.randint(600000, 688999)}:SHH"
    if x < 0.18:
        return f"{r.randint(1, 9999):05d}.HK"
    exch, tick = ticker(g, ent).split(": ")
    return f"{exch}:{tick}" if x < 0.35 else f"{exch}: {tick}"


def pick_group(g: Namer, ent: Entity) -> Entity | None:
    if ent.parent is not None:
        return ent.parent
    if not g.groups:
        return None
    for _ in range(5):
        group = g.rng.choice(g.groups)
        if group is not ent:
            return group
    return None


def owner_text(g: Namer, parent: Entity) -> str:
    """Free text naming a parent: spelling varies from row to row."""
    r = g.rng
    x = r.random()
    if x < 0.5:
        return parent.mention()
    if x < 0.7:
        return parent.core
    v = variant(g, parent, r.choice(("legal", "case", "alias")))
    return v or parent.name
