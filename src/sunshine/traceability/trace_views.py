"""How a trace is drawn: tiers left to right, businesses as boxes, lots as labelled edges.

The government portal draws the graph as inline SVG rendered on the server (no script: the
pages must work on closed government networks and print); this module computes the boxes'
places and the edges' paths, the template only writes them out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sunshine.core.time import to_local
from sunshine.traceability import lots
from sunshine.traceability.trace import Edge, Node, TraceResult

BOX_W, BOX_H = 180, 56
#: A column is a box and the gap where the edges' captions stand.
COL_W, ROW_H = 340, 84
MARGIN = 16
#: Characters of a caption line that fit the gap between two columns (11 px sans-serif: at
#: most about 7 px a character for lot codes, digits and Latin letters).
CAPTION_CHARS = (COL_W - BOX_W) // 7


@dataclass(frozen=True)
class Box:
    node: Node
    x: int
    y: int

    @property
    def link(self) -> str | None:
        return f"/gov/businesses/{self.node.business.id}" if self.node.business else None

    @property
    def title(self) -> str:
        return _clip(self.node.name, 14)

    @property
    def subtitle(self) -> str:
        b = self.node.business
        return b.licence_number if b else _clip(self.node.uri or "", 26)


@dataclass(frozen=True)
class Line:
    path: str
    #: Two lines: the first lot's short name, its quantity (and how many more lots).
    caption: tuple[str, str]
    label_x: int
    label_y: int
    edges: list[Edge]
    backwards: bool  # goods returned upstream (drawn dashed)


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    boxes: list[Box]
    lines: list[Line]


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def lot_label(lot: str) -> str:
    """A short name of a lot for an edge: its batch, with the GTIN's tail or the product."""
    parts = lots.parse_lot_id(lot)
    if parts is None:
        return _clip(lot, 24)
    if parts.gtin:
        return f"…{parts.gtin[-6:]} / {parts.batch}"
    product = parts.product_name or f"#{parts.product_id}"
    return f"{_clip(product, 8)} / {parts.batch}"


def caption(edges: list[Edge]) -> tuple[str, str]:
    """An edge's caption, each line short enough for the gap between columns: the first
    lot's short name, then its quantity and how many more lots went the same way (every lot
    is listed in the edge's tooltip)."""
    first = edges[0]
    amount = quantity_text(first.quantity, first.uom)
    if len(edges) > 1:
        amount += f" (+{len(edges) - 1})"
    return _clip(lot_label(first.lot), CAPTION_CHARS), _clip(amount, CAPTION_CHARS)


def quantity_text(value: float, uom: str) -> str:
    number = f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{number} {uom}".strip()


def drawing(result: TraceResult) -> Drawing:
    boxes: dict[str, Box] = {}
    for column, tier in enumerate(result.tiers):
        for row, node in enumerate(tier):
            boxes[node.key] = Box(node=node, x=MARGIN + column * COL_W, y=MARGIN + 20 + row * ROW_H)
    grouped: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for edge in result.edges:
        if edge.source in boxes and edge.destination in boxes:
            grouped[(edge.source, edge.destination)].append(edge)
    lines = []
    for (src, dst), edges in grouped.items():
        a, b = boxes[src], boxes[dst]
        backwards = b.x <= a.x
        if not backwards:
            x1, y1 = a.x + BOX_W, a.y + BOX_H // 2
            x2, y2 = b.x, b.y + BOX_H // 2
            mid = (x1 + x2) // 2
            path = f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
            lx, ly = mid, (y1 + y2) // 2 - 4
        else:
            x1, y1 = a.x + BOX_W // 2, a.y + BOX_H
            x2, y2 = b.x + BOX_W // 2, b.y + BOX_H
            low = max(y1, y2) + 30
            path = f"M{x1},{y1} C{x1},{low} {x2},{low} {x2},{y2}"
            lx, ly = (x1 + x2) // 2, low - 4
        lines.append(Line(path, caption(edges), lx, ly, edges, backwards))
    width = MARGIN * 2 + max(1, len(result.tiers)) * COL_W
    tallest = max((len(t) for t in result.tiers), default=1)
    height = MARGIN * 2 + 20 + tallest * ROW_H + 40
    return Drawing(width=width, height=height, boxes=list(boxes.values()), lines=lines)


def local_day(value: object) -> str:
    from datetime import datetime

    return to_local(value).strftime("%Y-%m-%d") if isinstance(value, datetime) else ""
