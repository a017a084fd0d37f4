"""Steward decisions: the versioned CSV every run applies as must-link / cannot-link.

``dbt_project/seeds/steward_decisions.csv`` is append-only history (diffable in git, loaded by dbt
as a seed for reporting). Each row is one decision about a pair of mentions, keyed by stable
mention keys (``source_file:source_row:source_field``); the latest row per pair wins, so undo is
appending the previous decision again (or ``retract``).
"""

from __future__ import annotations

import csv
import fcntl
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from loaders.settings import DBT_PROJECT_DIR

DECISIONS_PATH = DBT_PROJECT_DIR / "seeds" / "steward_decisions.csv"
FIELDS = ("mention_key_l", "mention_key_r", "decision", "reviewer", "decided_at", "note")
DECISIONS = ("match", "no_match", "retract")


class DecisionError(ValueError):
    """A decision row is invalid; the message names the file, line and field."""


@dataclass(frozen=True)
class Decision:
    mention_key_l: str
    mention_key_r: str
    decision: str  # match | no_match | retract
    reviewer: str
    decided_at: str  # ISO 8601, UTC
    note: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        return tuple(sorted((self.mention_key_l, self.mention_key_r)))  # type: ignore[return-value]


def _check(row: dict, where: str) -> Decision:
    for name in FIELDS[:5]:
        if not (row.get(name) or "").strip():
            raise DecisionError(f"{where}: field {name!r} is empty")
    if row["decision"] not in DECISIONS:
        raise DecisionError(f"{where}: decision {row['decision']!r} is not one of {DECISIONS}")
    if row["mention_key_l"] == row["mention_key_r"]:
        raise DecisionError(f"{where}: a decision needs two different mentions")
    for side in ("mention_key_l", "mention_key_r"):
        parts = row[side].rsplit(":", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            raise DecisionError(
                f"{where}: {side} {row[side]!r} is not source_file:source_row:source_field"
            )
    try:
        datetime.fromisoformat(row["decided_at"])
    except ValueError as exc:
        raise DecisionError(f"{where}: decided_at {row['decided_at']!r} is not ISO 8601") from exc
    return Decision(**{k: (row.get(k) or "").strip() for k in FIELDS})


def read_history(path: Path = DECISIONS_PATH) -> list[Decision]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise DecisionError(f"{path.name}: header must be {','.join(FIELDS)}")
        return [_check(row, f"{path.name} line {i}") for i, row in enumerate(reader, start=2)]


def current(path: Path = DECISIONS_PATH) -> dict[tuple[str, str], Decision]:
    """The latest decision per pair (by time, then file order); retracted pairs are dropped."""
    latest: dict[tuple[str, str], Decision] = {}
    for d in sorted(read_history(path), key=lambda d: d.decided_at):
        latest[d.pair] = d
    return {pair: d for pair, d in latest.items() if d.decision != "retract"}


def append(decision: Decision, path: Path = DECISIONS_PATH) -> Decision:
    """Append one decision, safely against concurrent writers (an exclusive file lock)."""
    checked = _check({k: getattr(decision, k) for k in FIELDS}, f"{path.name} (new decision)")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", newline="", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            fh.seek(0, os.SEEK_END)
            writer = csv.writer(fh, lineterminator="\n")
            if fh.tell() == 0:
                writer.writerow(FIELDS)
            writer.writerow([getattr(checked, k) for k in FIELDS])
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return checked


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
