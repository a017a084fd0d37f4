"""Small text helpers: mojibake, accent stripping, the alphanumeric key names are compared by."""

from __future__ import annotations

import re
import unicodedata

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
GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
_NON_ALNUM = re.compile(r"[\W_]+")


def mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252 / Latin-1: ``Würth`` -> ``WÃ¼rth``."""
    return "".join(_CP1252[b] if b >= 0x80 else chr(b) for b in text.encode("utf-8"))


def strip_accents(text: str) -> str:
    """``Dvořák`` -> ``Dvorak``, ``Łódź`` -> ``Lodz``."""
    if text.isascii():
        return text
    text = text.translate(_ASCII_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def alnum(text: str) -> str:
    """Lower-case letters and digits only, accents stripped: the key names are compared by."""
    return _NON_ALNUM.sub("", strip_accents(text).lower())
