"""Transformation rows of the FSMA 204 spreadsheet (21 CFR 1.1350(a), from memory, see
:mod:`sunshine.ingredients.exports`) from the EPCIS repository's TransformationEvents: a
central kitchen making dishes or semi-finished goods of the lots it received.

Named in :data:`sunshine.ingredients.exports.EVENT_ROW_MODULES`. One row per input and new
lot of each event that ended within the query's days (its eventTime, read in China's time
zone); when the query names lots, the events that name one of them as an input or an
output, with all their rows (the FDA asks for the whole transformation):

* input TLC, description, quantity and unit (1.1350(a)(1)); new TLC, description,
  quantity and unit (1.1350(a)(2)); an instance (an EPC rather than a lot class) counts one;
* the location (the TLC source): the business that captured the event, as 21 CFR 1.1310
  describes a location (name, address, phone), and the event's business location if named;
* the date completed: the event's day;
* the reference documents: the event's business transactions (a production order, ...), or
  the event itself (its eventID) where it names none;
* descriptions: the product library's name by the lot's GTIN or product id, or the name a
  lot code carries.

Left out: events withdrawn by an error declaration. Scope: the events the principal may see
in the repository (those its businesses captured or are named in; a regulator's, those of
the businesses of its jurisdiction).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy.orm import Session

from sunshine.auth.access import business_condition
from sunshine.auth.principal import Principal
from sunshine.core.time import to_local
from sunshine.ingredients import exports
from sunshine.traceability import fsma_repository as repo
from sunshine.traceability import lots, trace_repository
from sunshine.traceability.epcis.repository import visible

#: CBV 2.0 business transaction types (section 7.3) in words; others are shown as given.
TRANSACTION_TYPES = {
    "po": "Purchase order",
    "poc": "Purchase order confirmation",
    "prodorder": "Production order",
    "desadv": "Despatch advice",
    "recadv": "Receiving advice",
    "inv": "Invoice",
    "bol": "Bill of lading",
    "testprd": "Test procedure result",
    "cert": "Certificate",
    "": "Business transaction",
}
EVENT_DOCUMENT = "EPCIS TransformationEvent"
#: UN/ECE Recommendation 20 codes the platform writes, in the units people read.
UNITS = {"KGM": "kg", "GRM": "g", "TNE": "t", "LTR": "L", "MLT": "mL"}
COUNT = "count"
INSTANCE = "each (one identified item)"
NOT_STATED = "not stated"


def _unit(side: repo.Side) -> str:
    if side.instance:
        return INSTANCE
    if side.quantity is None:
        return NOT_STATED
    if side.uom is None:  # a quantity without a unit counts items of the class
        return COUNT
    return UNITS.get(side.uom, side.uom)


def _quantity(side: repo.Side) -> float | int | None:
    if side.instance:
        return 1
    if side.quantity is None:
        return None
    return int(side.quantity) if side.quantity.is_integer() else side.quantity


def _type_text(kind: str) -> str:
    short = kind.rsplit(":", 1)[-1].rsplit("-", 1)[-1]
    return TRANSACTION_TYPES.get(short, kind)


class _Descriptions:
    """Product descriptions of the lots met, from the library (read a page at a time)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_id: dict[int, str] = {}
        self.by_gtin: dict[str, str] = {}

    def load(self, identifiers: Sequence[str]) -> None:
        parts = [p for p in (lots.parse_lot_id(i) for i in identifiers) if p is not None]
        ids = {p.product_id for p in parts if p.product_id is not None} - set(self.by_id)
        gtins = {p.gtin for p in parts if p.gtin} - set(self.by_gtin)
        by_id, by_gtin = repo.product_names(self.session, ids=ids, gtins=gtins)
        self.by_id.update(dict.fromkeys(ids, "") | by_id)
        self.by_gtin.update(dict.fromkeys(gtins, "") | by_gtin)

    def of(self, identifier: str) -> str:
        parts = lots.parse_lot_id(identifier)
        if parts is None:
            return ""
        if parts.gtin:
            return self.by_gtin.get(parts.gtin) or f"GTIN {parts.gtin}"
        if parts.product_id is not None:
            return self.by_id.get(parts.product_id) or f"Product #{parts.product_id}"
        return parts.product_name or ""


def _matches(wanted: exports.LotFilter, event_sides: list[repo.Side]) -> bool:
    for side in event_sides:
        parts = lots.parse_lot_id(side.identifier)
        if wanted.matches(side.identifier, parts.batch if parts else None):
            return True
    return False


def _rows(
    event: Any,
    event_sides: list[repo.Side],
    place: str,
    documents: list[tuple[str, str]],
    names: _Descriptions,
) -> Iterator[list[Any]]:
    if event.biz_location:
        place = f"{place}; {event.biz_location}" if place else event.biz_location
    day = to_local(event.event_time).date().isoformat()
    kinds = "; ".join(_type_text(k) for k, _ in documents) or EVENT_DOCUMENT
    numbers = "; ".join(v for _, v in documents) or event.event_id
    inputs = [s for s in event_sides if s.role == "input"]
    outputs = [s for s in event_sides if s.role == "output"]
    for new in outputs:
        for used in inputs:
            yield [
                used.identifier,
                names.of(used.identifier),
                _quantity(used),
                _unit(used),
                new.identifier,
                place,
                day,
                names.of(new.identifier),
                _quantity(new),
                _unit(new),
                kinds,
                numbers,
            ]


@exports.event_rows("transformation")
def transformation_rows(
    session: Session, actor: Principal, query: exports.FsmaQuery
) -> Iterator[Sequence[Any]]:
    """Every transformation of the query the actor may see, in the order stored."""
    wanted = exports.LotFilter.of(query.lots)
    start, end = exports.period_bounds(query)
    # Lot codes alone narrow the read in the database; a bare batch is matched below.
    narrow = wanted.ids if wanted.ids and not wanted.batches else frozenset()
    names = _Descriptions(session)
    places: dict[int, str] = {}
    for read in repo.stream_transformations(
        session,
        scope=visible(business_condition(actor)),
        start=start,
        end=end,
        identifiers=narrow,
    ):
        gone = trace_repository.withdrawn_event_ids(session, {e.event_id for e in read})
        page = [e for e in read if e.event_id not in gone]
        all_sides = repo.sides(session, [e.id for e in page])
        if wanted:
            page = [e for e in page if _matches(wanted, all_sides[e.id])]
        pks = [e.id for e in page]
        documents = repo.biz_transactions(session, pks)
        missing = {e.business_id for e in page} - set(places)
        for business_id, (name, address, phone) in repo.locations(session, missing).items():
            places[business_id] = exports.location(name, address, phone)
        names.load([s.identifier for pk in pks for s in all_sides[pk]])
        for event in page:
            yield from _rows(
                event,
                all_sides[event.id],
                places.get(event.business_id, ""),
                documents.get(event.id, []),
                names,
            )
