"""What the review page accepts from a request: every value checked against a closed set or a
pattern, refused with a message that says which (``InputError``, a 400 page)."""

from __future__ import annotations

import re

from dedupe import decisions as steward
from dedupe.review import queries

CHOICES = {"same": "match", "different": "no_match", "skip": "skip"}
NOTE_MAX = 500
REVIEWER_RE = re.compile(r"^[\w.@+-](?:[\w .@+-]{0,62}[\w.@+-])?$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


class InputError(ValueError):
    """A request value outside what the page offers; the message says which."""


def check_reviewer(value: str) -> str:
    value = (value or "").strip()
    if not REVIEWER_RE.match(value):
        raise InputError(
            f"reviewer {value!r}: use 1-64 letters, digits, spaces or . @ + - _ (no leading space)"
        )
    return value


def check_note(value: str) -> str:
    note = " ".join((value or "").split())  # one line in the CSV, whatever was typed
    if len(note) > NOTE_MAX:
        raise InputError(f"note: at most {NOTE_MAX} characters ({len(note)} given)")
    if note.startswith(steward.UNDO_MARK):
        note = note[len(steward.UNDO_MARK) :].strip()  # that prefix belongs to undo rows
    return note


def check_choice(value: str) -> str:
    """The decision a form's ``choice`` stands for (``same`` -> ``match``, ...)."""
    if value not in CHOICES:
        raise InputError(f"choice {value!r} is not one of {', '.join(CHOICES)}")
    return CHOICES[value]


def parse_filters(args) -> queries.Filters:
    """Filters from a query string; empty means none, anything else must be a known value."""
    band = args.get("band") or None
    sheet = args.get("sheet") or None
    country = (args.get("country") or "").strip().upper() or None
    kind = args.get("kind") or None
    if band is not None and band not in queries.BANDS:
        raise InputError(f"band {band!r} is not one of {', '.join(queries.BANDS)}")
    if sheet is not None and sheet not in queries.RAW_TABLE:
        raise InputError(f"sheet {sheet!r} is not a sheet of the export")
    if country is not None and not COUNTRY_RE.match(country):
        raise InputError(f"country {country!r} is not a two-letter ISO code")
    if kind is not None and kind not in queries.KINDS:
        raise InputError(f"kind {kind!r} is not one of {', '.join(queries.KINDS)}")
    return queries.Filters(band=band, sheet=sheet, country=country, kind=kind)


def local_path(target: str | None) -> str | None:
    """Only same-site paths are followed after a form (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
