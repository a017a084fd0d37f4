"""An existing production snapshot (``amx run --existing FILE``): companies whose ids must survive.

The file is a JSON list of ``{id, name, website, country}`` objects — what production holds
today. Its rows are landed in ``raw.existing_companies`` with the delivery and go through the same
name cleaning as the vendor's mentions (dbt); a cluster that takes in an existing company keeps
that company's id. Without ``--existing`` the table is emptied: ids then derive from the
clusters' stable keys.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from loaders.vendor_files import VendorFileError

FIELDS = ("id", "name", "website", "country")


def read_existing(path: Path) -> list[dict[str, str | None]]:
    """Parse and check the snapshot; every problem names the file, row and key."""
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise VendorFileError([f"{path}: existing snapshot not found"]) from exc
    except json.JSONDecodeError as exc:
        raise VendorFileError(
            [f"{name}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
        ) from exc
    if not isinstance(data, list):
        raise VendorFileError([f"{name}: expected a JSON list of {{id, name, website, country}}"])
    problems: list[str] = []
    rows: list[dict[str, str | None]] = []
    seen: dict[str, int] = {}
    for i, obj in enumerate(data):
        if not isinstance(obj, dict):
            problems.append(f"{name}: row {i} is a {type(obj).__name__}, not an object")
            continue
        unknown = sorted(set(obj) - set(FIELDS))
        if unknown:
            problems.append(f"{name}: row {i}: unknown key(s) {', '.join(map(repr, unknown))}")
        row: dict[str, str | None] = {}
        for key in FIELDS:
            value = obj.get(key)
            if value is not None and not isinstance(value, str):
                problems.append(f"{name}: row {i}, key {key!r}: expected a string")
                value = None
            row[key] = value.strip() if isinstance(value, str) and value.strip() else None
        if row["id"] is None:
            problems.append(f"{name}: row {i}, key 'id': missing")
        else:
            try:
                row["id"] = str(uuid.UUID(row["id"]))
            except ValueError:
                problems.append(f"{name}: row {i}, key 'id': {row['id']!r} is not a UUID")
            if row["id"] in seen:
                problems.append(f"{name}: row {i}, key 'id': repeats row {seen[row['id']]}")
            seen.setdefault(row["id"], i)
        if row["name"] is None:
            problems.append(f"{name}: row {i}, key 'name': missing")
        rows.append(row)
    if problems:
        raise VendorFileError(problems[:20])
    return rows
