"""The evidence waterfall as plain geometry for an inline SVG (no chart library, no CDN).

Splink's match weight is additive: log2 prior odds + each comparison's log2 Bayes factor. Each
bar starts where the previous one ended; the last bar is the total, from zero.
"""

from __future__ import annotations

import math

from dedupe.review.queries import Evidence

WIDTH, LABEL_PAD, VALUE_PAD, ROW, BAR = 560, 150, 130, 24, 16


def _fmt_bf(bf: float | None) -> str:
    return "prior" if bf is None else f"Bayes factor {bf:.3g}"


def waterfall(ev: Evidence, threshold: float | None = None) -> dict:
    lo, hi = ev.bounds
    tw = None
    if threshold is not None and 0 < threshold < 1:
        tw = math.log2(threshold / (1 - threshold))  # the threshold as a match weight
        lo, hi = min(lo, math.floor(tw)), max(hi, math.ceil(tw))
    span = (hi - lo) or 1

    def x(v: float) -> float:
        return round(LABEL_PAD + (v - lo) / span * WIDTH, 1)

    bars = []
    for i, s in enumerate(ev.steps):
        a, b = sorted((s.start, s.end))
        bars.append({
            "label": s.label, "kind": "up" if s.weight >= 0 else "down",
            "x": x(a), "w": max(round(x(b) - x(a), 1), 1.0), "y": i * ROW + 4,
            "value_x": x(b) + 4, "value": f"{s.weight:+.1f}",
            "title": f"{s.label}: {s.level} ({_fmt_bf(s.bayes_factor)}, {s.weight:+.2f})",
        })  # fmt: skip
    a, b = sorted((0.0, ev.match_weight))
    n = len(ev.steps)
    bars.append({
        "label": "match weight", "kind": "total", "x": x(a), "w": max(round(x(b) - x(a), 1), 1.0),
        "y": n * ROW + 4, "value_x": x(b) + 4,
        "value": f"{ev.match_weight:.1f} → p {ev.match_probability:.3f}",
        "title": f"match weight {ev.match_weight:.2f}, probability {ev.match_probability:.4f}",
    })  # fmt: skip
    step = 5 if span <= 60 else 10
    ticks = [{"x": x(t), "label": str(t)} for t in range(math.ceil(lo / step) * step, hi + 1, step)]
    weight_at = x(tw) if tw is not None else None
    plot_height = (n + 1) * ROW + 4
    return {
        "width": LABEL_PAD + WIDTH + VALUE_PAD, "height": plot_height + 20,
        "plot_height": plot_height, "bar_height": BAR, "label_x": LABEL_PAD - 8,
        "zero": x(0.0), "threshold": weight_at, "ticks": ticks, "bars": bars,
    }  # fmt: skip
