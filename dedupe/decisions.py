"""Steward decisions: the versioned CSV every run applies as must-link / cannot-link.

``dbt_project/seeds/steward_decisions.csv`` is append-only history (diffable in git, loaded by dbt
as a seed for reporting). Each row is one decision about a pair of mentions, keyed by stable
mention keys (``source_file:source_row:source_field``); the latest row per pair wins, so undo is
appending the previous decision again (or ``retract``).

``skip`` rows record that a steward looked at a pair and left it open (with a note, say what to
check); they are history only and never change the current decision. ``AMX_DECISIONS_PATH``
points the store at another file (tests, a steward's scratch copy).
"""

from __future__ import annotations

import csv
import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from loaders.settings import DBT_PROJECT_DIR

DECISIONS_PATH = DBT_PROJECT_DIR / "seeds" / "steward_decisions.csv"
FIELDS = ("mention_key_l", "mention_key_r", "decision", "reviewer", "decided_at", "note")
DECISIONS = ("match", "no_match", "retract", "skip")
UNDO_MARK = "[undo]"  # notes of rows written by undo() start with this


def decisions_path() -> Path:
    """The store in use: ``$AMX_DECISIONS_PATH``, else the seed in the dbt project."""
    override = os.environ.get("AMX_DECISIONS_PATH")
    return Path(override).expanduser() if override else DECISIONS_PATH


class DecisionError(ValueError):
    """A decision row is invalid; the message names the file, line and field."""


@dataclass(frozen=True)
class Decision:
    mention_key_l: str
    mention_key_r: str
    decision: str  # match | no_match | retract | skip
    reviewer: str
    decided_at: str  # ISO 8601, UTC
    note: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        return tuple(sorted((self.mention_key_l, self.mention_key_r)))  # type: ignore[return-value]


# Control characters (NUL breaks every `dbt seed`) and bidirectional overrides (text that reads
# differently than it is stored) have no place in a decision.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# A cell starting with one of these is a formula to a spreadsheet opening the CSV.
_FORMULA_START = ("=", "+", "-", "@")


def neutralise_formula(text: str) -> str:
    """``=HYPERLINK(…)`` -> ``'=HYPERLINK(…)``: shown as text by spreadsheets, read back as is."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _check(row: dict, where: str) -> Decision:
    for name in FIELDS[:5]:
        if not (row.get(name) or "").strip():
            raise DecisionError(f"{where}: field {name!r} is empty")
    for name in FIELDS:
        found = _UNSAFE.search(row.get(name) or "")
        if found:
            raise DecisionError(
                f"{where}: field {name!r} holds the control or bidi character"
                f" U+{ord(found.group()):04X}"
            )
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
    values = {k: (row.get(k) or "").strip() for k in FIELDS}
    values["note"] = neutralise_formula(values["note"])
    return Decision(**values)


def read_history(path: Path | None = None) -> list[Decision]:
    path = path or decisions_path()
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise DecisionError(f"{path.name}: header must be {','.join(FIELDS)}")
        return [_check(row, f"{path.name} line {i}") for i, row in enumerate(reader, start=2)]


def current(path: Path | None = None) -> dict[tuple[str, str], Decision]:
    """The latest decision per pair (by time, then file order); retracted pairs are dropped.

    Skips are not decisions: they never replace one.
    """
    latest: dict[tuple[str, str], Decision] = {}
    for d in in_order(read_history(path)):
        if d.decision != "skip":
            latest[d.pair] = d
    return {pair: d for pair, d in latest.items() if d.decision != "retract"}


def in_order(history: list[Decision]) -> list[Decision]:
    """History in the order decisions take effect: by time, then by line in the file."""
    return sorted(history, key=lambda d: _instant(d.decided_at))  # stable: file order breaks ties


@contextmanager
def _locked(path: Path) -> Iterator[TextIO]:
    """The store opened for appending under an exclusive lock (concurrent stewards queue here)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", newline="", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield fh
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _write_row(fh: TextIO, decision: Decision, where: str) -> Decision:
    checked = _check({k: getattr(decision, k) for k in FIELDS}, where)
    fh.seek(0, os.SEEK_END)
    writer = csv.writer(fh, lineterminator="\n")
    if fh.tell() == 0:
        writer.writerow(FIELDS)
    writer.writerow([getattr(checked, k) for k in FIELDS])
    fh.flush()
    os.fsync(fh.fileno())
    return checked


def append(decision: Decision, path: Path | None = None) -> Decision:
    """Append one decision, safely against concurrent writers (an exclusive file lock)."""
    path = path or decisions_path()
    # checked before the file is opened, so an invalid decision never creates the store
    _check({k: getattr(decision, k) for k in FIELDS}, f"{path.name} (new decision)")
    with _locked(path) as fh:
        return _write_row(fh, decision, f"{path.name} (new decision)")


def is_undo(decision: Decision) -> bool:
    return decision.note.startswith(UNDO_MARK)


def undoable(reviewer: str, path: Path | None = None) -> Decision | None:
    """The reviewer's latest row that no later undo of theirs has taken back (a stack)."""
    return _undo_target(read_history(path), reviewer)


def _undo_target(history: list[Decision], reviewer: str) -> Decision | None:
    stack: list[Decision] = []
    for d in in_order(history):
        if d.reviewer != reviewer:
            continue
        if is_undo(d):
            if stack:
                stack.pop()
        else:
            stack.append(d)
    return stack[-1] if stack else None


def undo(reviewer: str, path: Path | None = None) -> Decision:
    """Take back the reviewer's latest decision by appending the state the pair had before it.

    The restored state is the pair's previous decision (any reviewer's), else ``retract``. Refused
    when someone else has decided the pair since: undo must not overwrite a colleague.
    """
    path = path or decisions_path()
    with _locked(path) as fh:  # read and write under one lock: two undos cannot interleave
        history = read_history(path)
        target = _undo_target(history, reviewer)
        if target is None:
            raise DecisionError(f"{path.name}: {reviewer!r} has no decision to undo")
        ordered = in_order(history)
        position = next(i for i, d in enumerate(ordered) if d is target)
        later = [
            d
            for d in ordered[position + 1 :]
            if d.pair == target.pair and d.decision != "skip" and d.reviewer != reviewer
        ]
        if later and target.decision != "skip":
            raise DecisionError(
                f"{path.name}: {later[-1].reviewer} decided {' / '.join(target.pair)} after you;"
                " not undone"
            )
        # a skip changed nothing: its undo keeps the pair's decision as it stands now
        upto = ordered if target.decision == "skip" else ordered[:position]
        before = [d for d in upto if d.pair == target.pair and d.decision != "skip"]
        restored = before[-1].decision if before else "retract"
        row = Decision(
            target.mention_key_l,
            target.mention_key_r,
            restored,
            reviewer,
            _after(now(), target.decided_at),
            f"{UNDO_MARK} {target.decision} of {target.decided_at}",
        )
        return _write_row(fh, row, f"{path.name} (undo)")


def _after(stamp: str, previous: str) -> str:
    """``stamp``, unless another steward's clock ran ahead: never earlier than what it undoes
    (equal times keep file order, and the undo row is appended last)."""
    return stamp if _instant(stamp) >= _instant(previous) else previous


def _instant(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
