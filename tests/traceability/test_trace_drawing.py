"""The trace graph's layout: an edge's caption fits the gap between two columns, whatever
the lot code, and names every lot that went the same way in its tooltip."""

from __future__ import annotations

from sunshine.traceability import trace_views
from sunshine.traceability.trace import Edge

LONG_LOT = "https://id.gs1.org/01/06901234567892/10/E2E-2603-SPRING-DELIVERY-0001"


def test_a_caption_line_fits_between_two_columns() -> None:
    gap = trace_views.COL_W - trace_views.BOX_W
    # 11 px sans-serif: no lot-code character is wider than 7 px.
    assert gap >= trace_views.CAPTION_CHARS * 7
    edges = [
        Edge(lot=LONG_LOT, source="a", destination="b", received=1234567.125, uom="KGM"),
        Edge(lot="https://id.gs1.org/01/06901234567892/10/B2", source="a", destination="b"),
    ]
    lot, amount = trace_views.caption(edges)
    assert lot.startswith("…567892 / E2E-2603") and lot.endswith("…")
    assert amount == "1,234,567.125 KGM (+1)"
    assert max(len(lot), len(amount)) <= trace_views.CAPTION_CHARS


def test_a_single_lot_is_captioned_with_its_quantity() -> None:
    edge = Edge(lot="https://id.gs1.org/01/06901234567892/10/L7", source="a", destination="b")
    edge.shipped = 50
    edge.uom = "KGM"
    assert trace_views.caption([edge]) == ("…567892 / L7", "50 KGM")
