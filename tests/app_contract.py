"""The app's database contract (``../shared/app-schema-contract.md``), parsed.

The file lists every table and view the app's generated types declare, column by column (name,
TypeScript type, whether null is allowed), and the app-owned tables the migration must never
touch. Tests check the published schema against it and build the production fixture's app schema
from it, so the contract is written once, in the app's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CONTRACT = Path(__file__).resolve().parents[1].parent / "shared" / "app-schema-contract.md"

# information_schema data types per TypeScript type of the generated client
FAMILIES = {
    "string": {
        "text",
        "character varying",
        "character",
        "uuid",
        "date",
        "timestamp with time zone",
        "timestamp without time zone",
    },
    "number": {"integer", "bigint", "smallint", "numeric", "double precision", "real"},
    "boolean": {"boolean"},
    "string[]": {"ARRAY:_text", "ARRAY:_varchar"},
}


@dataclass(frozen=True)
class Column:
    relation: str
    name: str
    app_type: str
    nullable: bool
    is_view: bool


@dataclass
class Contract:
    columns: list[Column]
    app_owned: dict[str, list[str]]  # table -> columns

    def relations(self, *, views: bool | None = None) -> list[str]:
        names = [c.relation for c in self.columns if views is None or c.is_view == views]
        return list(dict.fromkeys(names))

    def of(self, relation: str) -> list[Column]:
        return [c for c in self.columns if c.relation == relation]


def parse(path: Path = CONTRACT) -> Contract:
    columns: list[Column] = []
    app_owned: dict[str, list[str]] = {}
    relation, is_view, in_app_owned = None, False, False
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^###\s+`([a-z0-9_]+)`(\s*\(view\))?", line)
        if heading:
            relation, is_view = heading.group(1), bool(heading.group(2))
            continue
        if line.startswith("## "):
            relation = None
            in_app_owned = line.startswith("## App-owned")
            continue
        row = re.match(r"^\|\s*`([a-z0-9_]+)`\s*\|\s*`([^`]+)`\s*\|\s*(yes|no)\s*\|", line)
        if row and relation:
            name, app_type, nullable = row.groups()
            columns.append(Column(relation, name, app_type, nullable == "yes", is_view))
            continue
        owned = re.match(r"^-\s+`([a-z0-9_]+)`:\s*(.+)$", line)
        if owned and in_app_owned:
            app_owned[owned.group(1)] = re.findall(r"`([a-z0-9_]+)`", owned.group(2))
    return Contract(columns, app_owned)
