"""The review app's pages, one module (one Flask blueprint) each: the queue, a queue item with
its decision form, and the steward's own actions (undo, who is reviewing)."""

from dedupe.review.pages import item, queue, steward

BLUEPRINTS = (queue.bp, item.bp, steward.bp)

__all__ = ["BLUEPRINTS"]
