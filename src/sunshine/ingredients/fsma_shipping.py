"""Shipping rows of the FSMA 204 spreadsheet (21 CFR 1.1340(a)) from the shipments suppliers
record on the platform (发货记录, 线上下单).

Named in :data:`sunshine.ingredients.exports.EVENT_ROW_MODULES`. One row per shipment that
left within the query's days (its departure time, read in China's time zone) and, when the
query names lots, of those lots (a lot code exactly, or a batch number):

* TLC: the shipment's lot id, the one its shipping and receiving EPCIS events carry and the
  receiving sheet gives the caterer's line (``traceability.lots``);
* quantity and unit as shipped; product description: name and specification;
* the recipient (the caterer) and the shipper (the supplier) as location descriptions
  (21 CFR 1.1310: name, address, phone), from the registry;
* the TLC source: the producer the supplier named (its location is not recorded);
* the reference document: the supplier's delivery note (despatch advice) number, or the
  platform's shipment number where it gave none;
* context the rule does not ask for: GTIN, batch, use-by date, category and what the
  recipient confirmed (in full, in part, refused, or not yet).

Scope: the shipments the principal may see (the shipments list's rule): those its
businesses sent or received, a chain HQ's outlets', a regulator's those whose supplier or
caterer lies in its jurisdiction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from sunshine.auth.access import business_condition
from sunshine.auth.principal import Principal
from sunshine.core.time import to_local
from sunshine.ingredients import exports
from sunshine.ingredients import exports_repository as repo
from sunshine.ingredients.enums import CATEGORY_LABELS
from sunshine.ingredients.shipments_models import ShipmentStatus
from sunshine.ingredients.shipments_repository import visible

DOCUMENT_TYPE = "Despatch advice (delivery note)"
PLATFORM_DOCUMENT_TYPE = "Platform shipment record"
#: English, like every column of the spreadsheet (the FDA reads it in English).
RECEIPT_TEXT = {
    ShipmentStatus.PENDING: "Not yet confirmed",
    ShipmentStatus.RECEIVED: "Received in full",
    ShipmentStatus.PARTIAL: "Received in part",
    ShipmentStatus.REFUSED: "Refused",
}


class _Places:
    """Location descriptions of the businesses met, read a page of shipments at a time."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[int, str] = {}

    def load(self, ids: Sequence[int]) -> None:
        missing = [i for i in set(ids) if i not in self.known]
        for business_id, (name, address, phone) in repo.locations(self.session, missing).items():
            self.known[business_id] = exports.location(name, address, phone)
        if len(self.known) > 100_000:  # a province's businesses, at most: keep memory flat
            self.known.clear()

    def __getitem__(self, business_id: int) -> str:
        if business_id not in self.known:
            self.load([business_id])
        return self.known.get(business_id, "")


def _receipt(row: Any) -> str:
    text = RECEIPT_TEXT[row.status]
    if row.status is ShipmentStatus.PARTIAL and row.received_quantity is not None:
        text += f": {_number(row.received_quantity)} {row.unit}"
    return text


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def shipping_row(row: Any, places: _Places) -> list[Any]:
    """One shipment as a row of :data:`exports.SHIPPING_COLUMNS`."""
    return [
        row.lot_id,
        row.quantity,
        row.unit,
        f"{row.product_name} {row.specification}".strip(),
        places[row.caterer_business_id],
        places[row.supplier_business_id],
        to_local(row.shipped_at).date().isoformat(),
        f"Producer: {row.producer_name} (location not recorded)" if row.producer_name else "",
        DOCUMENT_TYPE if row.reference else PLATFORM_DOCUMENT_TYPE,
        row.reference or f"Shipment {row.id}",
        row.gtin or "",
        row.batch_number or "",
        row.expiry_date.isoformat() if row.expiry_date else "",
        CATEGORY_LABELS[row.category],
        _receipt(row),
    ]


@exports.event_rows("shipping")
def shipping_rows(
    session: Session, actor: Principal, query: exports.FsmaQuery
) -> Iterator[Sequence[Any]]:
    """Every shipment of the query the actor may see, in the order recorded."""
    wanted = exports.LotFilter.of(query.lots)
    start, end = exports.period_bounds(query)
    places = _Places(session)
    page: list[Any] = []

    def flush() -> Iterator[list[Any]]:
        places.load([i for r in page for i in (r.caterer_business_id, r.supplier_business_id)])
        for r in page:
            yield shipping_row(r, places)
        page.clear()

    for row in repo.stream_shipments(
        session,
        scope=visible(business_condition(actor)),
        start=start,
        end=end,
        lots=wanted.ids,
        batches=wanted.batches,
    ):
        page.append(row)
        if len(page) >= 500:
            yield from flush()
    yield from flush()
