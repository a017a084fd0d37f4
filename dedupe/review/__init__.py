"""The steward review web app (``amx review``): the review queue, each pair's evidence and
lineage, and decisions recorded in the steward decision store."""

from dedupe.review.app import create_app, serve

__all__ = ["create_app", "serve"]
