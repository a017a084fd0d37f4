"""Streaming writers: the vendor's JSON layout (indent 1, UTF-8, no trailing newline) and
``truth.csv``. Rows are formatted one by one, so a large export needs memory for entities only."""

from __future__ import annotations

import json
from pathlib import Path

from .layout import TRUTH_COLUMNS

_enc = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _value(v: object) -> str:
    if isinstance(v, str):
        return _enc(v)
    if v is None:
        return "null"
    if isinstance(v, float):
        # A JavaScript export writes whole numbers without a fraction.
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


class JsonListWriter:
    def __init__(self, path: Path) -> None:
        self._f = path.open("w", encoding="utf-8", newline="")
        self._buf: list[str] = []
        self.count = 0

    def add(self, row: dict) -> int:
        """Write one row; return its 0-based position in the list."""
        body = ",\n".join([f"  {_enc(k)}: {_value(v)}" for k, v in row.items()])
        self._buf.append(" {\n" + body + "\n }")
        self.count += 1
        if len(self._buf) >= 4096:
            self._flush()
        return self.count - 1

    def _flush(self) -> None:
        if self._buf:
            prefix = "[\n" if self.count == len(self._buf) else ",\n"
            self._f.write(prefix + ",\n".join(self._buf))
            self._buf = []

    def close(self) -> None:
        self._flush()
        self._f.write("\n]" if self.count else "[]")
        self._f.close()


class TruthWriter:
    def __init__(self, path: Path) -> None:
        self._f = path.open("w", encoding="utf-8", newline="")
        self._f.write(",".join(TRUTH_COLUMNS) + "\n")
        self._buf: list[str] = []
        self.count = 0

    def add(self, source_file: str, row: int, field: str, eid: str) -> None:
        self._buf.append(f"{source_file},{row},{field},{eid}\n")
        self.count += 1
        if len(self._buf) >= 8192:
            self._f.write("".join(self._buf))
            self._buf = []

    def close(self) -> None:
        self._f.write("".join(self._buf))
        self._f.close()
