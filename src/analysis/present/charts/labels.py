"""Point labels that stay readable: which points to name, and where to put each name so names do not overlap.

:func:`label_points` places a name beside each chosen point, trying a few positions around it (right-above,
right-below, left-above, left-below, further up or down) and taking the first whose box does not overlap a
name already placed. Boxes are estimated in display points from the font size (a CJK glyph is one em wide,
a Latin one about half), which is close enough for chart labels of a few characters.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.present.charts.style import safe_label

LABEL_FONT_PT = 8.0
# (dx, dy) in points from the point, and the horizontal alignment of the label at that offset
CANDIDATES: tuple[tuple[float, float, str], ...] = (
    (6, 3, "left"), (6, -11, "left"), (-6, 3, "right"), (-6, -11, "right"),
    (6, 13, "left"), (6, -21, "left"), (-6, 13, "right"), (-6, -21, "right"),
)


def funnel_label_mask(n, rate, outlier, *, max_all: int = 12) -> np.ndarray:
    """Which funnel points get a name: all of them when there are at most ``max_all``, else the points
    outside the limits plus the extremes (highest rate, lowest rate, largest volume)."""
    n = np.asarray(n, dtype=float)
    rate = np.asarray(rate, dtype=float)
    mask = np.asarray(outlier, dtype=bool).copy()
    if len(rate) <= max_all:
        return np.isfinite(rate) & np.isfinite(n)
    finite = np.isfinite(rate) & np.isfinite(n)
    if finite.any():
        idx = np.flatnonzero(finite)
        for pick in (np.argmax(rate[idx]), np.argmin(rate[idx]), np.argmax(n[idx])):
            mask[idx[pick]] = True
    return mask & finite


def text_width_pt(text: str, size_pt: float = LABEL_FONT_PT) -> float:
    """Estimated rendered width: CJK and full-width characters one em, others half an em."""
    return sum(size_pt if ord(ch) > 0x2E7F else size_pt * 0.55 for ch in text)


def _box(x: float, y: float, dx: float, dy: float, ha: str, width: float, height: float):
    left = x + dx - (width if ha == "right" else 0.0)
    bottom = y + dy
    return left, bottom, left + width, bottom + height


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def label_points(ax, labels: Sequence[str], x, y, chosen, *, colours: Sequence[str] | None = None,
                 size_pt: float = LABEL_FONT_PT) -> list:
    """Annotate ``labels[i]`` at ``(x[i], y[i])`` for every ``chosen[i]``; returns the annotations.

    Positions are computed in display points (from the axes' current limits), so call this after the
    limits are set. A label that fits nowhere free keeps the first position.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    fig = ax.figure
    to_pt = 72.0 / fig.dpi
    order = [i for i in np.argsort(-y, kind="stable") if chosen[i]]
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for i in order:
        px, py = ax.transData.transform((x[i], y[i])) * to_pt
        text = safe_label(labels[i])
        width, height = text_width_pt(str(labels[i]), size_pt), size_pt * 1.2
        pick = CANDIDATES[0]
        for cand in CANDIDATES:
            box = _box(px, py, cand[0], cand[1], cand[2], width, height)
            if not any(_overlaps(box, other) for other in placed):
                pick = cand
                break
        placed.append(_box(px, py, pick[0], pick[1], pick[2], width, height))
        colour = colours[i] if colours is not None else "#333333"
        out.append(ax.annotate(text, (x[i], y[i]), xytext=(pick[0], pick[1]), textcoords="offset points",
                               fontsize=size_pt, color=colour, ha=pick[2], va="bottom", gid="point-label"))
    return out
