"""Find, read and check the vendor's JSON files before anything touches the database.

Every structural problem is found here, for all files at once, so that a bad delivery fails with
a clear message (file, row, key) and the ``raw`` schema is never half-replaced. Values are landed
as text, verbatim: typing and cleaning are dbt's job (see ``dbt_project/models/staging``).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.sheets import MAX_COLUMN, SHEETS, SHEETS_BY_FILE, Sheet, normalise_key


class VendorFileError(ValueError):
    """The delivery cannot be loaded. ``problems`` holds one line per problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        head = problems[0] if len(problems) == 1 else f"{len(problems)} problems in the delivery"
        super().__init__(head if len(problems) == 1 else head + ":\n  " + "\n  ".join(problems))

    def __reduce__(self):  # the load runs in a child process: the problems cross back intact
        return (type(self), (self.problems,))


@dataclass
class Drift:
    """A difference from the contract that is loaded (or skipped) and reported, not fatal."""

    file_name: str
    kind: str  # new_key | long_key | unknown_file | nul_character | non_finite_number
    detail: str


@dataclass
class SheetFile:
    """One vendor file, parsed and checked, ready to land."""

    sheet: Sheet
    path: Path
    sha256: str
    byte_size: int
    rows: list[dict[str, str | None]]
    key_map: dict[str, str]  # original key -> column name
    drift: list[Drift] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.rows)


@dataclass
class Delivery:
    source: Path
    files: list[SheetFile]
    drift: list[Drift]

    @property
    def row_count(self) -> int:
        return sum(f.row_count for f in self.files)


def discover(source: Path) -> tuple[dict[str, Path], list[Drift], list[str]]:
    """Map each known file name to its path anywhere under ``source``.

    Returns (found, drift for unknown JSON files, problems). Two copies of one file name are a
    problem: which one is the delivery's is not ours to guess.
    """
    found: dict[str, list[Path]] = {}
    drift: list[Drift] = []
    for path in sorted(source.rglob("*.json")):
        if any(part.startswith(".") for part in path.relative_to(source).parts):
            continue
        if path.name in SHEETS_BY_FILE:
            found.setdefault(path.name, []).append(path)
        else:
            rel = path.relative_to(source)
            drift.append(Drift(path.name, "unknown_file", f"{rel} is not in the contract; skipped"))
    problems = []
    for name, paths in found.items():
        if len(paths) > 1:
            listed = ", ".join(str(p.relative_to(source)) for p in paths)
            problems.append(f"{name}: found {len(paths)} copies ({listed}); keep one")
    missing = [s.file_name for s in SHEETS if s.file_name not in found]
    if missing:
        problems.insert(0, f"missing expected file(s) under {source}: {', '.join(missing)}")
    return {name: paths[0] for name, paths in found.items()}, drift, problems


MAX_DIGITS = 15  # |x| < 1e15: every numeric column of the marts holds it, a double keeps it exact


class _Pairs(dict):
    """A JSON object that remembers the keys it was given more than once (json keeps the last)."""

    repeated: list[tuple[str, Any, Any]]


def _object(pairs: list[tuple[str, Any]]) -> dict:
    obj = _Pairs()
    obj.repeated = []
    for key, value in pairs:
        if key in obj:
            obj.repeated.append((key, obj[key], value))
        obj[key] = value
    return obj


class _Number(str):
    """A JSON number too large for the tables (or for Python's int parser): its literal."""


def _int(literal: str) -> int | _Number:
    return _Number(literal) if len(literal.lstrip("-")) > MAX_DIGITS else int(literal)


def _float(literal: str) -> float | _Number:
    value = float(literal)
    return _Number(literal) if not math.isfinite(value) or abs(value) >= 10**MAX_DIGITS else value


def _as_text(value: Any) -> str | None:
    """JSON scalar -> text, verbatim (numbers keep their JSON spelling)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    raise TypeError(type(value).__name__)


def _parse(name: str, data: bytes) -> list:
    """The file's top-level JSON list; every way it is not one is an error naming the file."""
    if not data.strip():
        raise VendorFileError([f"{name}: the file is empty"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise VendorFileError([f"{name}: not UTF-8 at byte {exc.start}"]) from exc
    try:
        parsed = json.loads(text, object_pairs_hook=_object, parse_int=_int, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise VendorFileError(
            [f"{name}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
        ) from exc
    except RecursionError as exc:  # a row holds single values: nesting this deep is not data
        raise VendorFileError(
            [f"{name}: lists or objects nested too deeply to read (a row holds single values)"]
        ) from exc
    if not isinstance(parsed, list):
        raise VendorFileError(
            [f"{name}: expected a JSON list of objects, found a {type(parsed).__name__}"]
        )
    if not parsed:
        raise VendorFileError([f"{name}: the list is empty (a full snapshot has rows)"])
    return parsed


MAX_PROBLEMS = 20  # a file this broken is reported in part; the rest waits for the fix


class _RowReader:
    """Turns one file's objects into rows of text, collecting the problems (errors naming row and
    key) and the drift (kept, reported) it meets, and the key -> column map it settles on."""

    def __init__(self, sheet: Sheet):
        self.name = sheet.file_name
        self.known = sheet.known_columns
        self.problems: list[str] = []
        self.drift: list[Drift] = []
        self.key_map: dict[str, str] = {}

    def rows(self, parsed: list) -> list[dict[str, str | None]]:
        rows = []
        for i, obj in enumerate(parsed):
            if not isinstance(obj, dict):
                kind = "number" if isinstance(obj, _Number) else type(obj).__name__
                self.problems.append(f"{self.name}: row {i} is a {kind}, not an object")
                continue
            for key, first, last in getattr(obj, "repeated", ()):
                self.problems.append(
                    f"{self.name}: row {i}: key {key!r} appears twice in one object"
                    f" ({_short(first)} and {_short(last)}); which one the vendor meant is not"
                    " ours to guess"
                )
            rows.append(self._row(obj, i))
            if len(self.problems) >= MAX_PROBLEMS:
                self.problems.append(f"{self.name}: stopped after {MAX_PROBLEMS} problems")
                break
        return rows

    def _row(self, obj: dict, i: int) -> dict[str, str | None]:
        row: dict[str, str | None] = {}
        for key, value in obj.items():
            column = self._column(key, i)
            if column is not None and self._is_single_value(key, value, i):
                row[column] = self._text(key, value, i)
        return row

    def _column(self, key: str, i: int) -> str | None:
        """The column a key lands in, settled at its first sight (None: the key is a problem)."""
        column = self.key_map.get(key)
        if column is not None:
            return column
        try:
            column = normalise_key(key)
        except ValueError:
            self.problems.append(f"{self.name}: row {i}: key {key!r} has no letters or digits")
            return None
        clash = next((k for k, c in self.key_map.items() if c == column), None)
        if clash is not None:
            self.problems.append(
                f"{self.name}: row {i}: keys {clash!r} and {key!r} both become column {column!r}"
            )
            return None
        self.key_map[key] = column
        if column not in self.known:
            self.drift.append(
                Drift(self.name, "new_key", f"key {_short(key)} (row {i}) -> column {column}")
            )
        if len(key) > MAX_COLUMN:
            self.drift.append(
                Drift(
                    self.name,
                    "long_key",
                    f"key {_short(key)} ({len(key)} characters, row {i}) -> column"
                    f" {column} (Postgres names hold 63)",
                )
            )
        return column

    def _is_single_value(self, key: str, value: Any, i: int) -> bool:
        if isinstance(value, dict | list):
            shape = "dict" if isinstance(value, dict) else "list"
            self.problems.append(
                f"{self.name}: row {i}, key {key!r}: a {shape} where a single value belongs"
            )
            return False
        if isinstance(value, _Number):
            self.problems.append(
                f"{self.name}: row {i}, key {key!r}: the number {_short(value)} ({len(value)}"
                f" characters) is out of range (|x| < 1e{MAX_DIGITS})"
            )
            return False
        return True

    def _text(self, key: str, value: Any, i: int) -> str | None:
        text_value = _as_text(value)
        if isinstance(value, float) and not math.isfinite(value):
            self.drift.append(
                Drift(self.name, "non_finite_number", f"row {i}, key {key!r}: {value}")
            )
        if text_value is not None and "\x00" in text_value:
            # Postgres text cannot hold NUL: it becomes U+FFFD, reported, never dropped.
            text_value = text_value.replace("\x00", "\ufffd")
            self.drift.append(
                Drift(self.name, "nul_character", f"row {i}, key {key!r}: NUL -> U+FFFD")
            )
        return text_value


def read_sheet_file(sheet: Sheet, path: Path) -> SheetFile:
    """Parse and check one file; raise VendorFileError naming file, row and key."""
    data = path.read_bytes()
    reader = _RowReader(sheet)
    rows = reader.rows(_parse(sheet.file_name, data))
    present = set(reader.key_map.values())
    for key in sheet.required_keys:
        if normalise_key(key) not in present:
            reader.problems.append(
                f"{sheet.file_name}: key {key!r} is missing from every row (renamed or dropped"
                " column?)"
            )
    if reader.problems:
        raise VendorFileError(reader.problems)
    return SheetFile(
        sheet=sheet,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        byte_size=len(data),
        rows=rows,
        key_map=reader.key_map,
        drift=reader.drift,
    )


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def read_delivery(source: Path) -> Delivery:
    """Read and check all 11 files under ``source``; report every problem in one error."""
    source = Path(source)
    if not source.is_dir():
        raise VendorFileError([f"source directory {source} does not exist"])
    found, drift, problems = discover(source)
    files: list[SheetFile] = []
    for sheet in SHEETS:
        path = found.get(sheet.file_name)
        if path is None:
            continue
        try:
            files.append(read_sheet_file(sheet, path))
        except VendorFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise VendorFileError(problems)
    for f in files:
        drift.extend(f.drift)
    return Delivery(source=source, files=files, drift=drift)
