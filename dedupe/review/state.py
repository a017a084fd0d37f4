"""Per request: the database connection, the decision store, the reviewer, and where each queued
pair stands in the store (open, decided, skipped)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app, g, session

from dedupe import decisions as steward
from loaders.db import Database, resolve_database

DECISION_LABELS = {
    "match": "same company",
    "no_match": "different companies",
    "skip": "skipped",
    "retract": "retracted",
}


def database() -> Database:
    if current_app.config["AMX_DB"] is None:
        current_app.config["AMX_DB"] = resolve_database()
    return current_app.config["AMX_DB"]


def store() -> Path:
    return current_app.config["AMX_DECISIONS_PATH"] or steward.decisions_path()


def conn():
    """This request's connection (autocommit), closed when the request ends (``close``)."""
    if "conn" not in g:
        g.conn = database().connect(autocommit=True)
    return g.conn


def close(_exc=None) -> None:
    connection = g.pop("conn", None)
    if connection is not None:
        connection.close()


def current_reviewer() -> str:
    return session.get("reviewer") or current_app.config["AMX_REVIEWER"]


@dataclass
class PairState:
    """What the decision store says about a queued pair now."""

    status: str  # open | decided | skipped
    decision: steward.Decision | None = None  # the current decision, or the latest skip

    @property
    def label(self) -> str:
        if self.decision is None:
            return "open"
        text = DECISION_LABELS[self.decision.decision]
        return f"{text} ({self.decision.reviewer})"


OPEN = PairState("open")


def pair_states(history: list[steward.Decision]) -> dict[tuple[str, str], PairState]:
    """Per pair: decided (a current match / no_match), skipped (latest row a skip), else open."""
    latest_any: dict[tuple[str, str], steward.Decision] = {}
    for d in steward.in_order(history):
        latest_any[d.pair] = d
    current = {}
    for d in steward.in_order(history):
        if d.decision != "skip":
            current[d.pair] = d
    states = {}
    for pair, last in latest_any.items():
        now = current.get(pair)
        if now is not None and now.decision in ("match", "no_match"):
            states[pair] = PairState("decided", now)
        elif last.decision == "skip":
            states[pair] = PairState("skipped", last)
    return states


def states() -> tuple[list[steward.Decision], dict[tuple[str, str], PairState]]:
    """The store's history and each pair's state from it."""
    history = steward.read_history(store())
    return history, pair_states(history)


def pair_key(item: dict) -> tuple[str, str]:
    """A queue item's pair of mention keys, in the store's order."""
    return tuple(sorted((item["mention_key_l"], item["mention_key_r"])))  # type: ignore[return-value]


def state_of(item: dict, known: dict[tuple[str, str], PairState]) -> PairState:
    return known.get(pair_key(item), OPEN)


def progress(items: list[dict], known: dict) -> dict:
    status = [state_of(i, known).status for i in items]
    decided, skipped = status.count("decided"), status.count("skipped")
    return {
        "total": len(items),
        "reviewed": decided,
        "skipped": skipped,
        "remaining": len(items) - decided,
    }
