"""A network readable without hovering: labels sized by importance (the node's size), the
counts that say how often a cause recurs written into the labels, a thick border on a cause
repeated in one body, and the labels of the biggest nodes moved apart until none overlaps
another — all on positions already laid out (graphs.layout), in time linear in the nodes
(the moving touches a bounded number of them: :data:`CLEAR_TOP`).

The sizes are in canvas units and grow with the drawing area, so that at the zoom that
fits a page into a ~1,000-pixel wide canvas the biggest labels read at about 24 pixels and
the smallest at about 7 — under vis-network's draw threshold (:data:`DRAW_THRESHOLD`), so
that incidents' long titles appear only when zoomed in.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from .graphs import PageGraph

#: Labels of this many of the biggest nodes never overlap another of them (the overview
#: draws 20 causes, their measures and up to 60 bodies: most of its bodies get a label).
CLEAR_TOP = 60
#: Rendered font sizes (pixels at the fitting zoom) of the least and the most important label.
FONT_MIN, FONT_MAX = 7.0, 24.0
#: Labels rendered smaller than this many pixels are not drawn (vis-network's drawThreshold).
DRAW_THRESHOLD = 9
#: The kinds whose labels are drawn small (below the threshold) at the fitting zoom.
QUIET_KINDS = frozenset({"incident", "event"})
#: Width over height of the canvas a page is drawn in (views.css ``#network``).
ASPECT = 1000 / 640
#: Border width of a cause repeated in one body.
RECURRED_BORDER = 3


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlap(self, other: Box, gap: float) -> tuple[float, float]:
        """How far the boxes overlap along x and y (≤ 0: apart by that much), ``gap`` kept."""
        dx = min(self.right, other.right) - max(self.left, other.left) + gap
        dy = min(self.bottom, other.bottom) - max(self.top, other.top) + gap
        return dx, dy


def text_width(text: str, size: float) -> float:
    """The width of ``text`` at font ``size``: a full-width character one em, others ~0.6."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in ("W", "F"))
    return size * (wide + 0.6 * (len(text) - wide))


def zoom_of(page: PageGraph, width: float = 1000.0, height: float = 640.0) -> float:
    """The zoom vis-network fits the page's positions into a ``width`` × ``height`` canvas."""
    xs = [float(n.get("x", 0.0)) for n in page.nodes] or [0.0]
    ys = [float(n.get("y", 0.0)) for n in page.nodes] or [0.0]
    span_x, span_y = max(xs) - min(xs) + 200, max(ys) - min(ys) + 200
    return min(width / span_x, height / span_y, 1.0)


def _counted(node: dict[str, Any]) -> None:
    count = node.get("count")
    if count is not None:
        node["label_ja"] = f"{node['label_ja']}（{count}）"
        node["label_en"] = f"{node['label_en']} ({count})"


def _importance(page: PageGraph, top: int) -> dict[str, float]:
    """The ``top`` biggest nodes not of a quiet kind, each with its weight in [0, 1] (its size
    between the smallest and the biggest of them)."""
    loud = sorted(
        (n for n in page.nodes if n.get("kind") not in QUIET_KINDS),
        key=lambda n: (-float(n.get("size", 10)), str(n["id"])),
    )[:top]
    sizes = [float(n.get("size", 10)) for n in loud]
    low, high = min(sizes, default=0.0), max(sizes, default=0.0)
    return {
        str(n["id"]): (s - low) / (high - low) if high > low else 1.0
        for n, s in zip(loud, sizes, strict=True)
    }


def style_labels(page: PageGraph, *, top: int = CLEAR_TOP) -> None:
    """Font size by importance — the ``top`` biggest nodes from :data:`DRAW_THRESHOLD` to
    :data:`FONT_MAX` pixels by size, the others at :data:`FONT_MIN` (drawn when zoomed in) —
    dark text on a white halo, counts in the labels, a thick border on a repeated cause."""
    if not page.nodes:
        return
    zoom = zoom_of(page)
    weights = _importance(page, top)
    for node in page.nodes:
        _counted(node)
        weight = weights.get(str(node["id"]))
        pixels = (
            FONT_MIN
            if weight is None
            else DRAW_THRESHOLD + 1 + (FONT_MAX - DRAW_THRESHOLD - 1) * math.sqrt(weight)
        )
        node["font"] = {
            "size": round(pixels / zoom, 1),
            "color": "#1a1a1a",
            "strokeWidth": round(3 / zoom, 1),
            "strokeColor": "#ffffff",
        }
        if node.get("recurred"):
            node["borderWidth"] = RECURRED_BORDER  # screen pixels (vis-network)
            node["color"] = {"background": node["color"], "border": "#222222"}


def label_box(node: dict[str, Any], width: float | None = None) -> Box:
    """The box a node and its label (drawn below it, in either language) take; ``width``
    the label's width when already measured (:func:`label_width`)."""
    return Box(*_edges(node, label_width(node) if width is None else width))


def _edges(node: dict[str, Any], width: float) -> tuple[float, float, float, float]:
    """Left, top, right and bottom of :func:`label_box`."""
    x, y = float(node.get("x", 0.0)), float(node.get("y", 0.0))
    size = float(node.get("size", 10))
    font = float(node.get("font", {}).get("size", 14))
    return x - width / 2, y - size, x + width / 2, y + size + 4 + 1.3 * font


def label_width(node: dict[str, Any]) -> float:
    """The width of a node's box: its wider label, or its shape."""
    font = float(node.get("font", {}).get("size", 14))
    size = float(node.get("size", 10))
    return max(text_width(node["label_ja"], font), text_width(node["label_en"], font), 2 * size)


def declutter(page: PageGraph, *, top: int = CLEAR_TOP, rounds: int = 400) -> bool:
    """Move the ``top`` biggest nodes (their labels drawn at the fitting zoom) apart, each
    overlapping pair the shorter way apart, until no two of their boxes (shape and
    label) overlap; whether that was reached within ``rounds``."""
    weights = _importance(page, top)
    biggest = [n for n in page.nodes if str(n["id"]) in weights]
    widths = [label_width(n) for n in biggest]  # measured once: only positions move
    for _ in range(rounds):  # boxes as tuples (Box.overlap inlined: ~10⁵ pairs a page)
        boxes = [_edges(n, w) for n, w in zip(biggest, widths, strict=True)]
        gap = 0.15 * max((b[3] - b[1] for b in boxes), default=0.0)
        # while the drawing is taller than the canvas, room is across: move sideways
        xs = [float(n.get("x", 0.0)) for n in page.nodes]
        ys = [float(n.get("y", 0.0)) for n in page.nodes]
        tall = (max(ys) - min(ys)) * ASPECT > (max(xs) - min(xs))
        moved = False
        for i in range(len(biggest)):
            for j in range(i + 1, len(biggest)):
                (left, top_, right, bottom), (left2, top2, right2, bottom2) = boxes[i], boxes[j]
                dx = min(right, right2) - max(left, left2) + gap
                if dx <= 0:
                    continue
                dy = min(bottom, bottom2) - max(top_, top2) + gap
                if dy <= 0:
                    continue
                a, b = biggest[i], biggest[j]
                if not tall and dy * ASPECT <= dx:  # the cheaper way apart
                    step = dy / 2 + 1
                    sign = 1.0 if float(b["y"]) >= float(a["y"]) else -1.0
                    a["y"], b["y"] = float(a["y"]) - sign * step, float(b["y"]) + sign * step
                else:
                    step = dx / 2 + 1
                    sign = 1.0 if float(b["x"]) >= float(a["x"]) else -1.0
                    a["x"], b["x"] = float(a["x"]) - sign * step, float(b["x"]) + sign * step
                boxes[i], boxes[j] = _edges(a, widths[i]), _edges(b, widths[j])
                moved = True
        if not moved:
            return True
    return False


def widen(page: PageGraph, width: float = 1000.0, height: float = 640.0) -> None:
    """Stretch the positions to the canvas's proportions (labels are wide: the room they
    need is mostly across)."""
    xs = [float(n.get("x", 0.0)) for n in page.nodes]
    ys = [float(n.get("y", 0.0)) for n in page.nodes]
    if not xs or max(xs) == min(xs) or max(ys) == min(ys):
        return
    factor = (width / height) * (max(ys) - min(ys)) / (max(xs) - min(xs))
    if factor > 1:
        for node in page.nodes:
            node["x"] = float(node.get("x", 0.0)) * factor


def make_readable(page: PageGraph) -> None:
    """Stretch the layout to the canvas, style the labels, then clear the biggest of
    overlaps."""
    widen(page)
    style_labels(page)
    declutter(page)
    for node in page.nodes:
        node["x"], node["y"] = round(float(node["x"]), 1), round(float(node["y"]), 1)


__all__ = ["Box", "declutter", "label_box", "make_readable", "style_labels", "text_width"]
